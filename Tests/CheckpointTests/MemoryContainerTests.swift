import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// The in-memory container runs the whole stack through the container seam only: save, load,
/// ties, integrity, conversions to and from HDF5 files, and atomic replacement. (Its name is its
/// path: `memory:<name>`; the layout follows the name as on disk.)
@Suite struct MemoryContainerTests {
    static let formats: [WeightFileFormat] = [.kerasLegacy, .kerasV3]

    /// A fresh name per test (tests run in parallel in one process).
    func name(_ suffix: String) -> String {
        "memory:\(UUID().uuidString)\(suffix)"
    }

    @Test(arguments: Zoo.names, formats)
    func savesAndLoadsEveryZooModelWithItsDigests(_ model: String, _ format: WeightFileFormat) throws {
        let path = name(format == .kerasV3 ? ".weights.h5" : ".h5")
        defer { MemoryContainer.remove(path) }
        let original = try Zoo.randomized(model)
        try original.saveWeights(to: path)
        let file = try WeightFile(path: path)
        #expect(file.containerKind == .memory && file.format == format)
        let copy = try Zoo.build(model)
        let report = try copy.loadWeights(from: path)
        #expect(report.verifiedDigests == Set(file.weights.map(\.storageID)).count)
        for (a, b) in zip(original.getWeights(), copy.getWeights()) { #expect(a.dtype == b.dtype && a == b) }
    }

    @Test(arguments: formats)
    func aTieIsStoredOnceAndSurvivesLoading(_ format: WeightFileFormat) throws {
        let path = name(format == .kerasV3 ? ".weights.h5" : ".h5")
        defer { MemoryContainer.remove(path) }
        let (model, _, _) = try Zoo.tiedModel(seed: 5)
        try model.saveWeights(to: path)
        let kernels = try WeightFile(path: path).weights.filter { $0.shape == [3, 3] }
        #expect(kernels.count == 2 && kernels[0].storageID == kernels[1].storageID && kernels[1].sharedWith == kernels[0].path)
        let (copy, encoder, decoder) = try Zoo.tiedModel()
        try copy.loadWeights(from: path)
        #expect(decoder.kernel === encoder.kernel && copy.getWeights() == model.getWeights())
    }

    @Test func changedBytesFailTheLoadAndLeaveTheModelAsItWas() throws {
        let path = name(".h5")
        defer { MemoryContainer.remove(path) }
        try Zoo.randomized("seed_mlp").saveWeights(to: path)
        let file = try WeightFile(path: path)
        #expect(try file.storedDigest(of: file.weights[0]) != nil)
        let model = try Zoo.build("seed_mlp")
        let before = model.getWeights()
        // One byte of the first kernel changed where it is stored, as a bit flip on disk would.
        let container = try #require(file.container as? MemoryContainer)
        try #require(container.tree.tensor(withID: file.weights[0].storageID)).bytes[1] ^= 0x10
        #expect { try model.loadWeights(from: path) } throws: { error in
            guard case .integrity(let at, _)? = (error as? CheckpointError)?.reason else { return false }
            return at == file.weights[0].path
        }
        #expect(model.getWeights() == before)
    }

    @Test(arguments: formats)
    func convertsToAndFromHDF5Files(_ format: WeightFileFormat) throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.randomized("seed_mlp")
            try model.saveWeights(to: "\(dir)/model.h5")
            let memory = name(format == .kerasV3 ? ".weights.h5" : ".h5")
            defer { MemoryContainer.remove(memory) }
            try WeightFile(path: "\(dir)/model.h5").convert(to: memory, format: format)
            let back = "\(dir)/back.weights.h5"
            try WeightFile(path: memory).convert(to: back, format: .kerasV3)
            for path in [memory, back] {
                let copy = try Zoo.build("seed_mlp")
                try copy.loadWeights(from: path)
                #expect(copy.getWeights() == model.getWeights(), "\(path)")
            }
        }
    }

    @Test func aFailedReplacementKeepsTheOldCheckpoint() throws {
        let path = name(".h5")
        defer { MemoryContainer.remove(path) }
        let first = try Zoo.randomized("seed_mlp", seed: 1)
        try first.saveWeights(to: path)
        let plan = try SavePlan(model: try Zoo.randomized("seed_mlp", seed: 2), file: path)
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try WeightWriter.write(plan, format: .kerasLegacy, to: path) { written in
                let written = try WeightFile(path: written)
                #expect(written.path != path && written.weights.count == 4)
                throw Refused()
            }
        }
        let copy = try Zoo.build("seed_mlp")
        try copy.loadWeights(from: path)
        #expect(copy.getWeights() == first.getWeights())
        #expect(throws: CheckpointError(file: "memory:none", .fileNotFound)) { try WeightFile(path: "memory:none") }
    }
}
