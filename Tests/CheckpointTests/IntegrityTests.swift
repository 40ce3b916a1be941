import Foundation
import HDF5
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// Heft's writer stores a SHA-256 per tensor and a manifest; loading and verifying catch bytes
/// that changed afterwards, which HDF5 itself never notices in unfiltered data.
@Suite struct IntegrityTests {
    @Test func kerasFilesHaveNoDigests() throws {
        let file = try WeightFile(path: fixturesURL.appendingPathComponent("keras/keras3_mlp_model.weights.h5").path)
        #expect(try file.manifest() == nil)
        #expect(try file.weights.allSatisfy { try file.storedDigest(of: $0) == nil })
    }

    @Test func aFlippedDataByteFailsTheLoadAndLeavesTheModelUnchanged() throws {
        try withTemporaryDirectory { dir in
            let saved = try Zoo.build("seed_mlp")
            try saved.saveWeights(to: "\(dir)/w.h5")
            try flipDataByte(in: "\(dir)/w.h5", weight: 0)
            let model = try Zoo.build("seed_mlp")
            let before = model.getWeights()
            #expect { try model.loadWeights(from: "\(dir)/w.h5") } throws: { error in
                guard case let .integrity(path, _)? = (error as? CheckpointError)?.reason else { return false }
                return path == (try? WeightFile(path: "\(dir)/w.h5").weights[0].path)
            }
            #expect(model.getWeights() == before)

            var options = LoadOptions()
            options.verifyIntegrity = false
            let report = try model.loadWeights(from: "\(dir)/w.h5", options: options)
            #expect(report.verifiedDigests == 0)
            #expect(model.getWeights()[0] != saved.getWeights()[0])
            #expect(Array(model.getWeights().dropFirst()) == Array(saved.getWeights().dropFirst()))
        }
    }

    @Test func aCleanLoadReportsEveryTensorVerified() throws {
        try withTemporaryDirectory { dir in
            let saved = try Zoo.build("seed_mlp")
            try saved.saveWeights(to: "\(dir)/w.weights.h5")
            let model = try Zoo.build("seed_mlp")
            let report = try model.loadWeights(from: "\(dir)/w.weights.h5")
            #expect(report.verifiedDigests == saved.getWeights().count)
            #expect(model.getWeights() == saved.getWeights())
        }
    }

    @Test func digestsAreOfTheCanonicalBytes() throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.build("seed_mlp")
            try model.saveWeights(to: "\(dir)/w.h5")
            let file = try WeightFile(path: "\(dir)/w.h5")
            let kernel = model.getWeights()[0]
            let expected = kernel.withUnsafeBytes { Integrity.digest($0) }
            #expect(try file.storedDigest(of: file.weights[0]) == expected)
        }
    }
}
