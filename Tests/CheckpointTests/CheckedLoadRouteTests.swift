import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// A checked load takes one of two routes for a large tensor: staged (read into a new tensor and
/// hashed in the same pass, swapped in once every check has passed) up to the staging budget, or
/// streamed (checked by a pass of its own, then read straight into the weight). Both must load
/// the saved values, check every digest, and leave the model untouched when one does not match.
@Suite struct CheckedLoadRouteTests {
    /// A 1200 × 1200 float32 kernel (5.8 MB: more than one 4 MiB block, so the staged route copies
    /// and hashes it block by block) between small layers.
    func model(seeded: Bool) throws -> Sequential {
        let model = try Sequential([Dense(1200, inputShape: [1200], name: "big"), Dense(3, name: "small")])
        if seeded { try model.setWeights(model.weights.enumerated().map { .randomUniform($1.shape, seed: UInt64($0 + 7)) }) }
        return model
    }

    func options(budget: Int?) -> LoadOptions {
        var options = LoadOptions()
        options.digestStagingBudget = budget
        return options
    }

    @Test(arguments: [nil, 0] as [Int?], ["w.h5", "w.weights.h5", "w.safetensors"])
    func bothRoutesLoadTheSavedValuesAndCheckEveryDigest(_ budget: Int?, _ name: String) throws {
        try withTemporaryDirectory { dir in
            let saved = try model(seeded: true)
            try saved.saveWeights(to: "\(dir)/\(name)")
            let loaded = try model(seeded: false)
            let report = try loaded.loadWeights(from: "\(dir)/\(name)", options: options(budget: budget))
            #expect(report.verifiedDigests == 4)
            #expect(loaded.getWeights() == saved.getWeights())
        }
    }

    /// A flipped bit in the last block of the big kernel, then in its first: the load fails naming
    /// the kernel, and no weight of the model changed.
    @Test(arguments: [nil, 0] as [Int?], [5_759_000, 3])
    func aChangedByteFailsAndLeavesTheModelAsItWas(_ budget: Int?, _ byte: Int) throws {
        try withTemporaryDirectory { dir in
            try model(seeded: true).saveWeights(to: "\(dir)/w.weights.h5")
            try flipDataByte(in: "\(dir)/w.weights.h5", weight: 0, byte: byte, mask: 0x01)
            let target = try model(seeded: false)
            let before = target.getWeights()
            let kernel = try WeightFile(path: "\(dir)/w.weights.h5").weights[0].path
            #expect { try target.loadWeights(from: "\(dir)/w.weights.h5", options: options(budget: budget)) } throws: { error in
                guard case let .integrity(failed, _)? = (error as? CheckpointError)?.reason else { return false }
                return failed == kernel
            }
            #expect(target.getWeights() == before)
        }
    }
}
