import Foundation
import NeuralNet
import Testing
import TestSupport
import Checkpoint
@testable import Inspection

/// The inspection engines see any container through the seam: a checkpoint in memory diffs equal
/// with the same weights on disk and verifies with its digests.
@Suite struct MemoryContainerInspectionTests {
    @Test func aMemoryCheckpointDiffsEqualWithTheFileAndVerifies() throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.build("seed_mlp")
            try model.setWeights(model.weights.map { .randomUniform($0.shape, seed: 11) })
            let memory = "memory:\(UUID().uuidString).weights.h5"
            try model.saveWeights(to: memory)
            try model.saveWeights(to: "\(dir)/w.h5")
            let a = try WeightFile(path: memory), b = try WeightFile(path: "\(dir)/w.h5")
            let result = try WeightDiff.compare(a, b, options: .init())
            #expect(result.equal && result.tensors.count == 4)
            let report = try Verification.verify(a, options: .init())
            #expect(report.ok && report.integrity.status == .verified && report.integrity.checked == 4)
            #expect(try a.statistics(of: a.weights[0]) == (try b.statistics(of: b.weights[0])))
        }
    }
}
