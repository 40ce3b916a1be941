import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// Work in an isolated child: its exit code comes back, a crash or hang becomes an error naming
/// the file and the object the child was reading.
@Suite struct IsolationTests {
    var quick: Isolation.Limits {
        var limits = Isolation.Limits()
        limits.seconds = 2
        return limits
    }

    @Test func theChildsExitCodeIsReturned() throws {
        #expect(try Isolation.run(files: ["f.h5"], limits: quick) { _ in 3 } == .finished(3))
    }

    @Test func aCrashBecomesAnErrorNamingTheObjectBeingRead() throws {
        #expect { try Isolation.run(files: ["f.h5"], limits: quick) { worker in
            worker.observer?.reading("/dense/kernel:0", in: "g.h5")
            raise(SIGSEGV)
            return 0
        } } throws: { error in
            let error = error as? CheckpointError
            guard let error, case .workerFailed(let failure) = error.reason, case .crashed(SIGSEGV, _, _) = failure.cause else { return false }
            return error.file == "g.h5" && failure.object == "/dense/kernel:0"
                && "\(error)".contains("the reader crashed (SIGSEGV) while reading /dense/kernel:0")
        }
    }

    @Test func aClosedOutputIsNoError() throws {
        #expect(try Isolation.run(files: ["f.h5"], limits: quick) { _ in
            raise(SIGPIPE)
            return 0
        } == .outputClosed)
    }

    @Test func aHangIsStoppedAtTheTimeLimit() throws {
        let start = Date()
        #expect { try Isolation.run(files: ["f.h5"], limits: quick) { _ in
            while true { sleep(1) }
        } } throws: { "\($0)".hasPrefix("f.h5: did not finish within 2 s") }
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func checkRethrowsTheChildsErrorAndLoadingWithIsolationWorks() throws {
        #expect { try Isolation.check(files: ["f.h5"], limits: quick) { _ in
            throw CheckpointError(file: "f.h5", .missingLayerGroup(layer: "dense"))
        } } throws: { ($0 as? CheckpointError) == CheckpointError(file: "f.h5", .missingLayerGroup(layer: "dense")) }

        try withTemporaryDirectory { dir in
            let saved = try Zoo.build("seed_mlp")
            try saved.saveWeights(to: "\(dir)/w.h5")
            var options = LoadOptions()
            options.isolation = quick
            let model = try Zoo.build("seed_mlp")
            try model.loadWeights(from: "\(dir)/w.h5", options: options)
            #expect(model.getWeights() == saved.getWeights())
            #expect(throws: CheckpointError(file: "\(dir)/none.h5", .fileNotFound)) {
                try model.loadWeights(from: "\(dir)/none.h5", options: options)
            }
        }
    }
}
