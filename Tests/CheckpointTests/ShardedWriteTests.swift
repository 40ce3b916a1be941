import Cluster
import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// A sharded set (``ShardedWrite``) or one HDF5 file (``SingleFileWrite``) written by several
/// processes, each rank's share made here in turn: the result is the one a single process writes,
/// tensor for tensor (same manifest), each shard holds one rank's arrays, a rank reads only the
/// values it owns, and a missing share leaves the previous checkpoint as it was. The same code
/// under `mpirun` is tested in HeftTests/ClusterCommandTests.
@Suite struct ShardedWriteTests {
    /// Every tensor's path, dtype, shape and bytes.
    private func contents(_ path: String) throws -> [String: Tensor] {
        let file = try WeightFile(path: path)
        return try Dictionary(uniqueKeysWithValues: file.allWeights.map { ($0.path, try file.read($0)) })
    }

    /// Writes `plan` to `path` as `ranks` processes would, one share after another.
    private func writeInShares(_ plan: SavePlan, ranks: Int, to path: String) throws -> [WriteShare] {
        let write = try ShardedWrite.begin(path)
        defer { write.end() }
        let shares = try (0..<ranks).map { rank in
            try ShardedWriter.writeShare(plan, layout: .kerasV3, stage: write.stage, rank: rank, ranks: ranks, for: path)
        }
        try ShardedWriter.commitShares(plan, layout: .kerasV3, stage: write.stage, shares: shares, to: path, check: nil)
        return shares
    }

    @Test(arguments: Zoo.names, [1, 2, 3, 7])
    func sharesMakeTheSetOneProcessMakes(_ name: String, ranks: Int) throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.randomized(name)
            let shardBytes = max(4096, model.getWeights().map { $0.count * $0.dtype.byteCount }.max() ?? 0)
            try model.saveWeights(to: "\(dir)/one.weights.json", maxShardSize: shardBytes)
            var plan = try SavePlan(model: model, file: "\(dir)/many.weights.json")
            plan.maximumShardBytes = shardBytes
            let shares = try writeInShares(plan, ranks: ranks, to: "\(dir)/many.weights.json")
            let one = try contents("\(dir)/one.weights.json")
            let many = try contents("\(dir)/many.weights.json")
            #expect(one.keys.sorted() == many.keys.sorted())
            for (path, tensor) in one { #expect(many[path].map { $0.dtype == tensor.dtype && $0 == tensor } == true, "\(path)") }
            // Every shard one rank's, and a rank with arrays writes at least one shard.
            let owners = ShardOwnership(plan: plan, layout: .kerasV3, ranks: ranks)
            let ranksWithArrays = Set(owners.keys.indices.map { owners.owner(ofArray: $0) })
            #expect(Set(shares.filter { !$0.shards.isEmpty }.map(\.rank)) == ranksWithArrays)
            #expect(Set(shares.flatMap(\.shards)).count == shares.flatMap(\.shards).count)
            // The manifest is the one-process set's (same paths, digests and order); every digest checks.
            let written = try WeightFile(path: "\(dir)/many.weights.json")
            #expect(try written.container.manifestText() == WeightFile(path: "\(dir)/one.weights.json").container.manifestText())
            try written.requireIntact()
            try written.checkTensors()
            let copy = try Zoo.build(name)
            try copy.loadWeights(from: "\(dir)/many.weights.json")
            for (a, b) in zip(model.getWeights(), copy.getWeights()) { #expect(a.dtype == b.dtype && a == b) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.hasPrefix(".") }, "no staging left")
        }
    }

    /// A rank reads the values of the arrays it owns, and of no other.
    @Test(arguments: [2, 3])
    func aRankReadsOnlyWhatItOwns(ranks: Int) throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.randomized("shared_twice")
            let plan = try SavePlan(model: model, file: "\(dir)/m.weights.json")
            let ownership = ShardOwnership(plan: plan, layout: .kerasV3, ranks: ranks)
            let write = try ShardedWrite.begin("\(dir)/m.weights.json")
            defer { write.end() }
            for rank in 0..<ranks {
                let read = Recorder()
                let counting = SavePlan(modelName: plan.modelName, legacyLayers: [], v3Objects: plan.v3Objects.map { object in
                    SavePlan.V3Object(path: object.path, layerName: object.layerName, weights: object.weights.map { weight in
                        guard case .tensor(let value) = weight.source else { return weight }
                        return SavePlan.Weight(name: weight.name, shape: weight.shape, dtype: weight.dtype, shareKey: weight.shareKey,
                                               source: .tensor { read.keys.insert(weight.shareKey); return try value() })
                    })
                })
                _ = try ShardedWriter.writeShare(counting, layout: .kerasV3, stage: write.stage, rank: rank, ranks: ranks, for: write.path)
                #expect(read.keys == ownership.keys(ownedBy: rank), "rank \(rank)")
            }
        }
    }

    final class Recorder: @unchecked Sendable {   // one test thread
        var keys = Set<SavePlan.ShareKey>()
    }

    /// When a rank's share is missing, nothing at the path changes.
    @Test func aMissingShareLeavesThePreviousSet() throws {
        try withTemporaryDirectory { dir in
            try Zoo.randomized("mlp_model", seed: 1).saveWeights(to: "\(dir)/m.weights.json", maxShardSize: 64)
            let before = try snapshot(dir)
            let plan = try SavePlan(model: try Zoo.randomized("mlp_model", seed: 2), file: "\(dir)/m.weights.json")
            let write = try ShardedWrite.begin("\(dir)/m.weights.json")
            let share = try ShardedWriter.writeShare(plan, layout: .kerasV3, stage: write.stage, rank: 0, ranks: 2, for: write.path)
            #expect {
                try ShardedWriter.commitShares(plan, layout: .kerasV3, stage: write.stage, shares: [share, share], to: write.path, check: nil)
            } throws: { "\($0)".contains("no rank wrote the shard m_0000") }
            write.end()
            #expect(try snapshot(dir) == before)
        }
    }

    private func snapshot(_ dir: String) throws -> [String: Data] {
        try Dictionary(uniqueKeysWithValues: FileManager.default.contentsOfDirectory(atPath: dir).map {
            ($0, try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\($0)")))
        })
    }

    /// `convertShare` on each rank and `convert(to:shares:)` on rank 0 write what a one-process
    /// conversion writes, tensor for tensor, from a file Keras wrote.
    @Test(arguments: [1, 2, 4])
    func aConversionInSharesIsTheOneProcessConversion(ranks: Int) throws {
        try withTemporaryDirectory { dir in
            let source = try WeightFile(path: try #require(ContainerTests.keras3Files.first { $0.contains("lstm") } ?? ContainerTests.keras3Files.first))
            try source.convert(to: "\(dir)/one.weights.json", format: .kerasV3, maxShardSize: 2048)
            let write = try ShardedWrite.begin("\(dir)/many.weights.json")
            defer { write.end() }
            let shares = try (0..<ranks).map { try source.convertShare(to: write, rank: $0, of: ranks, maxShardSize: 2048) }
            let report = try source.convert(to: write, shares: shares, maxShardSize: 2048)
            #expect(report.weights == source.weights.count)
            let one = try contents("\(dir)/one.weights.json")
            let many = try contents("\(dir)/many.weights.json")
            #expect(one.count == many.count && one.count > 0)
            for (path, tensor) in one { #expect(many[path].map { $0.dtype == tensor.dtype && $0 == tensor } == true, "\(path)") }
        }
    }

    // MARK: - With a communicator

    /// One process (every build without the MPI trait, or no mpirun): the communicator save and
    /// load are the one-process ones.
    @Test func aCommunicatorOfOneSavesAndLoadsTheWholeModel() throws {
        try withTemporaryDirectory { dir in
            let world = try Communicator.world()
            #expect(world.size == 1)
            let model = try Zoo.randomized("nested")
            try model.saveWeights(to: "\(dir)/m.weights.json", communicator: world, maxShardSize: 256)
            let copy = try Zoo.build("nested")
            let report = try copy.loadWeights(from: "\(dir)/m.weights.json", communicator: world)
            #expect(report.assignments.count == model.weights.count)
            for (a, b) in zip(model.getWeights(), copy.getWeights()) { #expect(a == b) }
            #expect(throws: CheckpointError.self) { try model.saveWeights(to: "\(dir)/m.safetensors", communicator: world) }
        }
    }

    /// The ranks' weights are disjoint, cover the model, keep its order and balance its bytes.
    @Test(arguments: Zoo.names)
    func ownedWeightsSplitTheModelByBytes(_ name: String) throws {
        let model = try Zoo.randomized(name)
        var distinct: [Parameter] = []
        for parameter in model.weights where !distinct.contains(where: { $0 === parameter }) { distinct.append(parameter) }
        for ranks in [1, 2, 3] {
            let shares = try (0..<ranks).map { try model.ownedWeights(rank: $0, of: ranks) }
            let all = shares.flatMap { $0 }
            #expect(all.count == distinct.count && Set(all.map(ObjectIdentifier.init)) == Set(distinct.map(ObjectIdentifier.init)))
            let bytes = shares.map { $0.reduce(0) { $0 + $1.value.count * $1.dtype.byteCount } }
            let largest = distinct.map { $0.value.count * $0.dtype.byteCount }.max() ?? 0
            #expect(bytes.max()! - bytes.min()! <= 2 * largest, "\(name) on \(ranks): \(bytes)")
        }
    }

    /// Loading a rank's share assigns its weights and leaves the others as they were.
    @Test func aRankLoadsOnlyItsWeights() throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.randomized("mlp_model", seed: 1)
            try model.saveWeights(to: "\(dir)/m.weights.json", maxShardSize: 256)
            let copy = try Zoo.randomized("mlp_model", seed: 2)
            let before = copy.getWeights()
            let owned = try copy.ownedWeights(rank: 1, of: 2)
            let report = try copy.loadWeights(from: "\(dir)/m.weights.json", byName: false, skipMismatch: false, options: LoadOptions(),
                                              owned: { _ in Set(owned.map(ObjectIdentifier.init)) })
            #expect(report.assignments.count == owned.count && !owned.isEmpty)
            for (index, parameter) in copy.weights.enumerated() {
                let expected = owned.contains { $0 === parameter } ? model.weights[index].value : before[index]
                #expect(parameter.value == expected, "\(parameter.kerasName)")
            }
        }
    }

    // MARK: - One file

    @Test(arguments: Zoo.names, [WeightFileFormat.kerasV3, .kerasLegacy])
    func sharesMakeTheFileOneProcessMakes(_ name: String, format: WeightFileFormat) throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.randomized(name)
            let suffix = format == .kerasV3 ? ".weights.h5" : ".h5"
            try model.saveWeights(to: "\(dir)/one\(suffix)")
            let plan = try SavePlan(model: model, file: "\(dir)/many\(suffix)")
            for ranks in [1, 2, 3, 7] {
                let write = try HDF5SharedWriter.layOut(plan, layout: format, to: "\(dir)/many\(suffix)")
                defer { write.end() }
                let shares = try (0..<ranks).map { try HDF5SharedWriter.writeShare(plan, write: write, rank: $0, ranks: ranks) }
                try HDF5SharedWriter.commitShares(plan, write: write, shares: shares, check: nil)
                let (one, many) = (try WeightFile(path: "\(dir)/one\(suffix)"), try WeightFile(path: "\(dir)/many\(suffix)"))
                #expect(many.format == format && many.allWeights.map(\.path) == one.allWeights.map(\.path))
                for (a, b) in zip(one.allWeights, many.allWeights) {
                    let (expected, found) = (try one.read(a), try many.read(b))
                    #expect(expected.dtype == found.dtype && expected == found, "\(b.path) on \(ranks) ranks")
                }
                #expect(try many.container.manifestText() == one.container.manifestText())
                try many.requireIntact()
                try many.checkTensors()
                #expect(Set(many.allWeights.filter { $0.sharedWith != nil }.map(\.path)) == Set(one.allWeights.filter { $0.sharedWith != nil }.map(\.path)))
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.hasPrefix(".") }, "no temporary left")
        }
    }

    /// A conversion of a file Keras wrote, in shares, into one file of either layout: the one a
    /// single process writes, tensor for tensor.
    @Test(arguments: [WeightFileFormat.kerasV3, .kerasLegacy])
    func aConversionInSharesIntoOneFileIsTheOneProcessConversion(format: WeightFileFormat) throws {
        try withTemporaryDirectory { dir in
            let source = try WeightFile(path: try #require(ContainerTests.keras3Files.first { $0.contains("lstm") } ?? ContainerTests.keras3Files.first))
            let suffix = format == .kerasV3 ? ".weights.h5" : ".h5"
            try source.convert(to: "\(dir)/one\(suffix)", format: format)
            let write = try source.beginConvert(to: "\(dir)/many\(suffix)", format: format)
            defer { write.end() }
            let shares = try (0..<3).map { try source.convertShare(to: write, rank: $0, of: 3) }
            let report = try source.convert(to: write, shares: shares)
            #expect(report.weights == source.weights.count)
            let one = try contents("\(dir)/one\(suffix)")
            let many = try contents("\(dir)/many\(suffix)")
            #expect(one.count == many.count && one.count > 0)
            for (path, tensor) in one { #expect(many[path].map { $0.dtype == tensor.dtype && $0 == tensor } == true, "\(path)") }
            #expect(throws: CheckpointError.self) { try source.beginConvert(to: "\(dir)/x.safetensors", format: .kerasV3) }
        }
    }

    /// A share missing: nothing at the path changes, and `end` leaves no temporary.
    @Test func aMissingShareLeavesThePreviousFile() throws {
        try withTemporaryDirectory { dir in
            try Zoo.randomized("mlp_model", seed: 1).saveWeights(to: "\(dir)/m.weights.h5")
            let before = try snapshot(dir)
            let plan = try SavePlan(model: try Zoo.randomized("mlp_model", seed: 2), file: "\(dir)/m.weights.h5")
            let write = try HDF5SharedWriter.layOut(plan, layout: .kerasV3, to: "\(dir)/m.weights.h5")
            let share = try HDF5SharedWriter.writeShare(plan, write: write, rank: 0, ranks: 2)
            #expect {
                try HDF5SharedWriter.commitShares(plan, write: write, shares: [share], check: nil)
            } throws: { "\($0)".contains("no rank wrote the tensor /") }
            write.end()
            #expect(try snapshot(dir) == before)
        }
    }

    @Test func aCommunicatorOfOneSavesOneFileInEitherLayout() throws {
        try withTemporaryDirectory { dir in
            let world = try Communicator.world()
            let model = try Zoo.randomized("shared_twice")
            for file in ["m.weights.h5", "m.h5"] {
                try model.saveWeights(to: "\(dir)/\(file)", communicator: world)
                let copy = try Zoo.build("shared_twice")
                try copy.loadWeights(from: "\(dir)/\(file)", communicator: world)
                for (a, b) in zip(model.getWeights(), copy.getWeights()) { #expect(a == b) }
            }
        }
    }
}
