import Foundation
import HDF5
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint
#if canImport(Glibc)
import Glibc
#endif

/// However the worker ends — killed from outside, a file-size limit, a memory limit, a closed
/// pipe — `heft` names the real cause, leaves no temporary file, and keeps option values in range.
@Suite(.serialized) struct WorkerEndingTests {
    /// A 16 MiB legacy file: converting it takes long enough to be caught mid-write.
    func makeSource(_ path: String) throws {
        try saveModel(path, widths: [1024, 2048, 1024], values: constantWeights(widths: [1024, 2048, 1024], from: 1))
    }

    func temporaries(in dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(SafeFileReplacement.marker) }
    }

    @Test func aWorkerKilledFromOutsideLeavesNoTemporaryAndIsNamed() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let source = "\(dir)/src.h5"
            try makeSource(source)
            var killed = false
            for _ in 0..<20 where !killed {   // until a kill lands while the temporary exists
                let run = try SpawnedGroup([heftBinary.path, "convert", source, "\(dir)/out.h5"], logsIn: dir)
                let deadline = ContinuousClock.now + .seconds(5)
                var worker: pid_t?
                while worker == nil && ContinuousClock.now < deadline {
                    worker = try temporaries(in: dir).first.flatMap { name in
                        Int32(name.split(separator: "-").dropLast().last ?? "")
                    }
                }
                if let worker { killed = kill(worker, SIGKILL) == 0 }
                let ended = try run.finish()
                guard killed else { continue }
                #expect(ended.code == 2 && ended.stderr.contains("the worker was stopped by SIGKILL from outside heft"), "\(ended.stderr)")
            }
            #expect(killed, "no kill landed while the temporary existed")
            #expect(try temporaries(in: dir) == [])
        }
    }

    /// `ulimit -f`: writing fails with EFBIG (heft ignores SIGXFSZ), in the worker or without one.
    @Test(arguments: [[], ["--no-isolation"]])
    func aFileSizeLimitIsReportedAndCleanedUp(_ options: [String]) throws {
        try withTemporaryDirectory { (dir: String) throws in
            let source = "\(dir)/src.h5"
            try makeSource(source)
            let script = "ulimit -f 1024 && exec \"$0\" \"$@\""
            let run = try SpawnedGroup(["/bin/sh", "-c", script, heftBinary.path, "convert"] + options + [source, "\(dir)/out.h5"],
                                       logsIn: dir).finish()
            #expect(run.code == 2 && run.stderr.contains(String(cString: strerror(EFBIG))) && run.stderr.contains("the previous file is intact"),
                    "\(options): exit \(run.code): \(run.stderr)")
            #expect(try temporaries(in: dir) == [] && !FileManager.default.fileExists(atPath: "\(dir)/out.h5"))
        }
    }

    /// A tensor too big for the memory limit is that limit, named with the tensor, not a crash.
    @Test func aMemoryLimitIsReportedAsTheLimit() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let path = "\(dir)/big.h5"
            do {   // a 256 MiB kernel, written directly (no digest to compute)
                let root = try HDF5.File.create(path, overwrite: true).root
                try root.writeStrings("layer_names", ["dense"], storage: .variableLength(.ascii))
                try root.createGroup("dense").writeStrings("weight_names", ["dense/kernel:0"], storage: .variableLength(.ascii))
                try root.group("dense").createDataset("dense/kernel:0", type: .float32, shape: [4096, 16384])
                    .write([Float](repeating: 1, count: 4096 * 16384))
            }
            let run = try heft("dump", "--values", "--memory-limit", "512", path)
            #expect(run.code == 2 && run.stderr.contains("/dense/dense/kernel:0")
                    && run.stderr.contains("the memory limit of 512 MiB (--memory-limit)"), "\(run.stderr)")
            let tiny = try heft("dump", "--memory-limit", "64", path)
            #expect(tiny.code == 2 && tiny.stderr.contains("raise --memory-limit"), "\(tiny.stderr)")
        }
    }

    /// `heft dump --values f.h5 | head -1`: a closed stdout ends heft quietly, as any filter.
    @Test func aClosedPipeIsNoError() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let path = "\(dir)/w.h5"
            try saveModel(path, widths: [512, 512, 512], values: constantWeights(widths: [512, 512, 512], from: 1))
            for _ in 0..<20 {
                let script = "\"$0\" dump --values --full \"$1\" | head -c 100 > /dev/null; echo \"${PIPESTATUS[0]}\" >&2"
                let run = try SpawnedGroup(["/bin/bash", "-c", script, heftBinary.path, path], logsIn: dir).finish()
                #expect(["141\n", "0\n"].contains(run.stderr), "stderr: \(run.stderr)")
            }
        }
    }

    @Test(arguments: [["--memory-limit", "8796093022208"], ["--memory-limit", "17592186044416"], ["--max-tensor-size", "99999999999999"],
                      ["--timeout", "0"], ["--memory-limit", "1"]])
    func outOfRangeOptionsAreUsageErrors(_ option: [String]) throws {
        let run = try heft(["dump"] + option + [fixturesURL.appendingPathComponent("keras/tfkeras_seed_mlp.h5").path])
        #expect(run.code == 64 && run.stderr.contains("\(option[0]) must be between"), "\(option): \(run.stderr)")
    }
}
