import Foundation
import HDF5
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// A load reads small tensors (and their digests) while it indexes the file, and the others
/// later; both routes must give the same values, check the same digests and fail the same way.
@Suite struct PrefetchTests {
    /// A kernel above ``Prefetch/maximumTensorBytes`` (600 × 600 float32 = 1.44 MB) between small
    /// layers, so one load takes both routes.
    func mixedModel() throws -> Sequential {
        let model = try unloadedMixedModel()
        try model.setWeights(model.weights.enumerated().map { .randomUniform($1.shape, seed: UInt64($0 + 1)) })
        return model
    }

    /// The same architecture with its initial weights, to load into.
    func unloadedMixedModel() throws -> Sequential {
        try Sequential([Dense(600, inputShape: [600], name: "big"), Dense(3, name: "small")])
    }

    @Test(arguments: ["w.h5", "w.weights.h5"])
    func bothRoutesLoadTheSavedValuesAndCheckEveryDigest(_ name: String) throws {
        try withTemporaryDirectory { dir in
            let saved = try mixedModel()
            try saved.saveWeights(to: "\(dir)/\(name)")
            let file = try WeightFile(path: "\(dir)/\(name)", options: OpenOptions(
                prefetch: Prefetch(budget: WeightLoader.digestStagingBytes, digests: true)))
            #expect(file.container.prefetched.count == 3, "the big kernel is read later, the other three while indexing")
            let model = try unloadedMixedModel()
            let report = try model.loadWeights(from: "\(dir)/\(name)")
            #expect(report.verifiedDigests == 4)
            #expect(model.getWeights() == saved.getWeights())
        }
    }

    @Test(arguments: [0, 2])
    func aChangedByteFailsTheLoadOnEitherRoute(_ weight: Int) throws {
        try withTemporaryDirectory { dir in
            try mixedModel().saveWeights(to: "\(dir)/w.h5")
            try flipDataByte(in: "\(dir)/w.h5", weight: weight, byte: 5, mask: 0x01)
            let model = try unloadedMixedModel()
            let before = model.getWeights()
            let path = try WeightFile(path: "\(dir)/w.h5").weights[weight].path
            #expect { try model.loadWeights(from: "\(dir)/w.h5") } throws: { error in
                guard case let .integrity(failed, _)? = (error as? CheckpointError)?.reason else { return false }
                return failed == path
            }
            #expect(model.getWeights() == before)
        }
    }

    /// A `sha256` attribute that is not a string cannot be read while indexing: the load that uses
    /// that tensor fails naming it, a by-name load that does not use it succeeds.
    @Test func aTensorThatFailsWhileIndexingFailsOnlyTheLoadThatUsesIt() throws {
        try withTemporaryDirectory { dir in
            let saved = try Sequential([Dense(4, inputShape: [3], name: "a"), Dense(2, name: "b")])
            try saved.saveWeights(to: "\(dir)/w.h5")
            let damaged = try WeightFile(path: "\(dir)/w.h5").layers[1].weights[0].path
            try File.open("\(dir)/w.h5", access: .readWrite).root.dataset(damaged)
                .writeScalars(Integrity.digestAttribute, [1.0], shape: [])

            let whole = try Sequential([Dense(4, inputShape: [3], name: "a"), Dense(2, name: "b")])
            #expect { try whole.loadWeights(from: "\(dir)/w.h5") } throws: { error in
                "\(error)".contains(damaged) && "\(error)".contains("w.h5")
            }
            let onlyA = try Sequential([Dense(4, inputShape: [3], name: "a")])
            let report = try onlyA.loadWeights(from: "\(dir)/w.h5", byName: true)
            #expect(report.verifiedDigests == 2)
            #expect(onlyA.getWeights() == Array(saved.getWeights().prefix(2)))
        }
    }

    /// `heft verify` and `heft convert` read every digest while indexing (a budget of 0): the same
    /// digests as reading them later, and a digest that cannot be read is still an error naming
    /// its tensor, raised where the digest is asked for.
    @Test func digestsReadWhileIndexingAreTheOnesReadLater() throws {
        try withTemporaryDirectory { dir in
            try mixedModel().saveWeights(to: "\(dir)/w.weights.h5")
            let damaged = try WeightFile(path: "\(dir)/w.weights.h5").weights[3].path
            try File.open("\(dir)/w.weights.h5", access: .readWrite).root.dataset(damaged)
                .writeScalars(Integrity.digestAttribute, [1.0], shape: [])
            let later = try WeightFile(path: "\(dir)/w.weights.h5")
            let early = try WeightFile(path: "\(dir)/w.weights.h5", options: OpenOptions(prefetch: Prefetch(budget: 0, digests: true)))
            #expect(early.container.prefetched.isEmpty)
            for (a, b) in zip(later.weights, early.weights) where a.path != damaged {
                #expect(try b.path == a.path && early.storedDigest(of: b) == later.storedDigest(of: a))
                #expect(try early.storedDigest(of: b) != nil)
            }
            let errors = try [later, early].map { file in
                let weight = try #require(file.weights.first { $0.path == damaged })
                return #expect(throws: CheckpointError.self) { try file.storedDigest(of: weight) }.map { "\($0)" }
            }
            #expect(errors[0] == errors[1] && errors[0]?.contains(damaged) == true)
        }
    }
}
