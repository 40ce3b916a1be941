import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// Saving replaces the target atomically and never leaves a temporary file behind.
@Suite struct SafeSaveTests {
    func entries(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    }

    @Test func aFailedSaveLeavesThePreviousFileIntactAndNoTemporaryFile() throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.build("seed_mlp")
            try model.saveWeights(to: "\(dir)/w.h5")
            let before = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/w.h5"))
            struct Interrupted: Error {}
            // A plan whose second tensor fails mid-write, after the first has been written.
            let good = SavePlan.Weight(name: "k:0", shape: [2], dtype: .float32, shareKey: .dataset(1), source: .tensor { .ones([2]) })
            let bad = SavePlan.Weight(name: "b:0", shape: [2], dtype: .float32, shareKey: .dataset(2), source: .tensor { throw Interrupted() })
            let plan = SavePlan(modelName: "m", legacyLayers: [.init(name: "l", weights: [good, bad])], v3Objects: [])
            #expect(throws: Interrupted.self) { try WeightWriter.write(plan, format: .kerasLegacy, to: "\(dir)/w.h5") }
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/w.h5")) == before)
            #expect(try entries(dir) == ["w.h5"])
        }
    }

    @Test func staleTemporariesOfDeadProcessesAreRemovedOnTheNextSave() throws {
        try withTemporaryDirectory { dir in
            let stale = "\(dir)/.w.h5\(SafeFileReplacement.marker)2147483646-1"   // no such process
            let live = "\(dir)/.w.h5\(SafeFileReplacement.marker)\(getpid())-2"     // this process: kept
            try #require(FileManager.default.createFile(atPath: stale, contents: Data([0])), "cannot create the test file")
            try #require(FileManager.default.createFile(atPath: live, contents: Data([0])), "cannot create the test file")
            try Zoo.build("seed_mlp").saveWeights(to: "\(dir)/w.h5")
            #expect(try entries(dir) == [".w.h5\(SafeFileReplacement.marker)\(getpid())-2", "w.h5"])
        }
    }

    @Test func savingOverADirectoryOrIntoAMissingDirectoryFailsCleanly() throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.build("seed_mlp")
            try FileManager.default.createDirectory(atPath: "\(dir)/sub", withIntermediateDirectories: false)
            #expect(throws: CheckpointError(file: "\(dir)/sub", .isDirectory)) { try model.saveWeights(to: "\(dir)/sub") }
            #expect {
                try model.saveWeights(to: "\(dir)/missing/w.h5")
            } throws: { "\($0)".contains("the directory \(dir)/missing does not exist") }
            #expect(try entries(dir) == ["sub"])
        }
    }

    @Test func permissionsOfTheReplacedFileAreKept() throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.build("seed_mlp")
            try model.saveWeights(to: "\(dir)/w.h5")
            chmod("\(dir)/w.h5", 0o640)
            try model.saveWeights(to: "\(dir)/w.h5")
            let mode = try FileManager.default.attributesOfItem(atPath: "\(dir)/w.h5")[.posixPermissions] as? Int
            #expect(mode == 0o640)
        }
    }
}
