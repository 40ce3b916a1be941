import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// `.keras` archives, sharded `.weights.json` sets and safetensors files through the whole stack:
/// save, load, convert, detection by content, lone shards, atomic replacement of a set.
@Suite struct ContainerTests {
    /// The Keras 3 `.weights.h5` files of the Keras-world corpus.
    static let keras3Files: [String] = {
        do {
            return try WorldCase.all().filter { $0.writer == "keras3" }.compactMap { world in world.paths.first { $0.layout == "v3" }?.path }
        } catch {
            return []   // an empty list fails `corpusIsThere`
        }
    }()

    /// The container fixtures (fixtures/containers/*.json sidecars) with a `.keras` archive.
    static let containerCases: [String] = {
        let folder = fixturesURL.appendingPathComponent("containers").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix("keras3_") && $0.hasSuffix(".json") && !$0.hasSuffix(".weights.json") }
            .map { String($0.dropLast(5)) }.sorted()
    }()

    @Test func corpusIsThere() {
        #expect(Self.keras3Files.count >= 15 && Self.containerCases.count >= 15)
    }

    // MARK: - safetensors

    /// `.weights.h5 → .safetensors → .weights.h5` keeps every tensor's bytes, path, dtype and
    /// shape; the safetensors keys are the Keras identities.
    @Test(arguments: keras3Files)
    func safetensorsRoundTripIsBitExact(_ source: String) throws {
        try withTemporaryDirectory { dir in
            let original = try WeightFile(path: source)
            try original.convert(to: "\(dir)/m.safetensors", format: .kerasV3)
            let middle = try WeightFile(path: "\(dir)/m.safetensors")
            #expect(middle.containerKind == .safetensors && middle.formatName == "safetensors")
            try middle.convert(to: "\(dir)/back.weights.h5", format: .kerasV3)
            let back = try WeightFile(path: "\(dir)/back.weights.h5")
            for file in [middle, back] {
                // Every path of the source, with its bytes; Heft adds only second spellings of an
                // attribute (`_key_dense`), which are links to one of them.
                let written = Dictionary(file.allWeights.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
                for a in original.allWeights {
                    let b = try #require(written[a.path], "\(file.path) lacks \(a.path)")
                    #expect(a.shape == b.shape && a.dtype == b.dtype && file.identity(of: b) == original.identity(of: a))
                    let (x, y) = (try original.read(a), try file.read(b))
                    #expect(x.withUnsafeBytes { Array($0) } == y.withUnsafeBytes { Array($0) }, "\(source): \(a.path)")
                }
                let sources = Set(original.allWeights.map(\.path))
                let stored = Set(file.allWeights.filter { sources.contains($0.path) }.map(\.storageID))
                #expect(file.allWeights.allSatisfy { sources.contains($0.path) || stored.contains($0.storageID) }, "\(file.path)")
            }
        }
    }

    @Test(arguments: Zoo.names)
    func modelsSaveAndLoadThroughSafetensors(_ name: String) throws {
        try withTemporaryDirectory { dir in
            let original = try Zoo.randomized(name)
            try original.saveWeights(to: "\(dir)/m.safetensors")
            let copy = try Zoo.build(name)
            let report = try copy.loadWeights(from: "\(dir)/m.safetensors")
            #expect(report.verifiedDigests > 0)
            for (a, b) in zip(original.getWeights(), copy.getWeights()) { #expect(a.dtype == b.dtype && a == b) }
        }
    }

    @Test func aTieIsOneSafetensorsTensor() throws {
        try withTemporaryDirectory { dir in
            let (model, _, _) = try Zoo.tiedModel(seed: 3)
            try model.saveWeights(to: "\(dir)/t.safetensors")
            let header = try SafetensorsHeader(ContainerProbe("\(dir)/t.safetensors"))
            #expect(header.tensors.filter { $0.shape == [3, 3] }.count == 1)
            let (copy, encoder, decoder) = try Zoo.tiedModel()
            try copy.loadWeights(from: "\(dir)/t.safetensors")
            #expect(decoder.kernel === encoder.kernel && copy.getWeights() == model.getWeights())
        }
    }

    /// A safetensors file another program wrote is read by name, and refused for loading and
    /// conversion (it holds no Keras layout) with a message that says so.
    @Test func aForeignSafetensorsFileIsReadButNotLoaded() throws {
        let path = fixturesURL.appendingPathComponent("containers/keras3_conv2d.safetensors").path
        let file = try WeightFile(path: path)
        #expect(file.containerKind == .safetensors && file.allWeights.count == 15)
        let model = try Zoo.build("seed_mlp")
        #expect { try model.loadWeights(from: path) } throws: { "\($0)".contains("holds no Keras layout") }
        try withTemporaryDirectory { (dir: String) throws -> Void in
            #expect { try file.convert(to: "\(dir)/x.weights.h5", format: .kerasV3) } throws: { "\($0)".contains("cannot convert to keras-v3") }
        }
    }

    /// Every bad header the format allows to be detected is refused naming the tensor.
    @Test(arguments: [
        (#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"v":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, 12, "overlaps"),
        (#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, 4, "past the end"),
        (#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, 8, "data_offsets span 8"),
        (#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, 8, "twice"),
        (#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, 8, "a gap"),
        (#"{"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, 8, "dtype C64"),
    ])
    func badSafetensorsHeadersAreRefused(_ header: String, _ dataBytes: Int, _ expected: String) throws {
        try withTemporaryDirectory { dir in
            let path = "\(dir)/bad.safetensors"
            var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) }
            bytes += Array(header.utf8) + [UInt8](repeating: 0, count: dataBytes)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect { try WeightFile(path: path) } throws: { error in
                "\(error)".hasPrefix(path) && "\(error)".contains(expected)
            }
        }
    }

    @Test func aOneGigabyteHeaderLengthIsRefusedWithoutReadingIt() throws {
        try withTemporaryDirectory { dir in
            let path = "\(dir)/huge.safetensors"
            var bytes = withUnsafeBytes(of: UInt64(1 << 30).littleEndian) { Array($0) }
            bytes += Array(#"{"w":1}"#.utf8)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect { try WeightFile(path: path) } throws: { error in
                guard case .limitExceeded(_, let detail)? = (error as? CheckpointError)?.reason else { return false }
                return detail.contains("1073741824 bytes")
            }
        }
    }

    // MARK: - Sharded

    @Test(arguments: Zoo.names)
    func modelsSaveAndLoadThroughShards(_ name: String) throws {
        try withTemporaryDirectory { dir in
            let original = try Zoo.randomized(name)
            let largest = original.getWeights().map { $0.count * $0.dtype.byteCount }.max() ?? 1
            try original.saveWeights(to: "\(dir)/m.weights.json", maxShardSize: largest)
            let file = try WeightFile(path: "\(dir)/m.weights.json")
            let shards = Set(file.allWeights.compactMap(\.storageFile))
            #expect(file.containerKind == .kerasShards && shards.count > 1 && shards.allSatisfy { $0.hasPrefix("m_0000") })
            let copy = try Zoo.build(name)
            try copy.loadWeights(from: "\(dir)/m.weights.json")
            for (a, b) in zip(original.getWeights(), copy.getWeights()) { #expect(a.dtype == b.dtype && a == b) }
        }
    }

    /// Replacing a set with one of fewer shards leaves exactly the new set: no stale shard, no
    /// staging directory, no set-aside file.
    @Test func aReplacedSetLeavesNoOldShards() throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.randomized("mlp_model")
            try model.saveWeights(to: "\(dir)/m.weights.json", maxShardSize: 64)
            let many = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".weights.h5") }
            #expect(many.count >= 2)
            try model.saveWeights(to: "\(dir)/m.weights.json")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["m.weights.json", "m_00000.weights.h5"])
            #expect(try WeightFile(path: "\(dir)/m.weights.json").allWeights.count == WeightFile(path: "\(dir)/m.weights.json").weights.count)
        }
    }

    /// A failed save of a set (its check fails after every shard is written) leaves the old set as
    /// it was, byte for byte.
    @Test func aFailedSaveLeavesTheOldSet() throws {
        try withTemporaryDirectory { dir in
            try Zoo.randomized("mlp_model", seed: 1).saveWeights(to: "\(dir)/m.weights.json", maxShardSize: 64)
            let before = try snapshot(dir)
            let plan = try SavePlan(model: try Zoo.randomized("mlp_model", seed: 2), file: "\(dir)/m.weights.json")
            struct Refused: Error {}
            #expect(throws: Refused.self) {
                try WeightWriter.write(plan, format: .kerasV3, to: "\(dir)/m.weights.json") { _ in throw Refused() }
            }
            #expect(try snapshot(dir) == before)
        }
    }

    @Test func aLoneShardNamesItsIndex() throws {
        try withTemporaryDirectory { dir in
            try Zoo.randomized("mlp_model").saveWeights(to: "\(dir)/m.weights.json", maxShardSize: 64)
            #expect { try WeightFile(path: "\(dir)/m_00001.weights.h5") } throws: { error in
                guard case let .loneShard(index, number, count)? = (error as? CheckpointError)?.reason else { return false }
                return index == "\(dir)/m.weights.json" && number == 1 && count >= 2
                    && "\(error)".contains("shard 2 of \(count) of the sharded checkpoint \(dir)/m.weights.json")
            }
            try FileManager.default.removeItem(atPath: "\(dir)/m.weights.json")
            #expect { try WeightFile(path: "\(dir)/m_00000.weights.h5") } throws: { error in
                (error as? CheckpointError)?.reason == .shardWithoutIndex(index: "\(dir)/m.weights.json", number: 0)
            }
        }
    }

    /// Shard names are data from the file: anything that leaves the index's directory is refused.
    @Test(arguments: ["../../etc/passwd", "/etc/passwd", "sub/m_00001.weights.h5", "..", "m_00001.weights.h5\u{0}x"])
    func anIndexCannotNameFilesElsewhere(_ shard: String) throws {
        try withTemporaryDirectory { dir in
            try Zoo.randomized("seed_mlp").saveWeights(to: "\(dir)/m.weights.json")
            let escaped = String(data: try JSONEncoder().encode(shard), encoding: .utf8)!
            let index = #"{"metadata": {"total_size": 1.0}, "weight_map": {"/layers/dense/vars": [\#(escaped)]}}"#
            try Data(index.utf8).write(to: URL(fileURLWithPath: "\(dir)/m.weights.json"))
            #expect { try WeightFile(path: "\(dir)/m.weights.json") } throws: { "\($0)".hasPrefix("\(dir)/m.weights.json: ") }
        }
    }

    @Test func aTruncatedShardIsReportedAsTheCheckpointsNamingTheShard() throws {
        try withTemporaryDirectory { dir in
            try Zoo.randomized("mlp_model").saveWeights(to: "\(dir)/m.weights.json", maxShardSize: 64)
            let shard = "\(dir)/m_00001.weights.h5"
            let size = try #require(FileManager.default.attributesOfItem(atPath: shard)[.size] as? Int)
            try FileHandle(forWritingTo: URL(fileURLWithPath: shard)).truncate(atOffset: UInt64(size / 2))
            #expect { try WeightFile(path: "\(dir)/m.weights.json").checkTensors(verifyingDigests: true) } throws: { error in
                "\(error)".hasPrefix("\(dir)/m.weights.json: shard m_00001.weights.h5: ")
            }
        }
    }

    // MARK: - .keras archives

    /// A Keras-written archive diffs equal to the same weights in one `.weights.h5` and in shards,
    /// and its config gives the layer classes.
    @Test(arguments: containerCases)
    func kerasArchivesAndShardsReadAsTheirWeightsFile(_ name: String) throws {
        let folder = fixturesURL.appendingPathComponent("containers").path
        let archive = try WeightFile(path: "\(folder)/\(name).keras")
        #expect(archive.containerKind == .kerasArchive && archive.modelConfig != nil)
        let view = archive.kerasView()
        #expect(view.layers.allSatisfy { $0.variables.isEmpty || $0.classSource == .config || $0.classSource == .path })
        let sharded = try WeightFile(path: "\(folder)/\(name).weights.json")
        let single = try WeightFile(path: fixturesURL.appendingPathComponent("world/\(name).weights.h5").path)
        for file in [archive, sharded] {
            #expect(file.allWeights.count == single.allWeights.count, "\(file.path)")
            for weight in single.allWeights {
                let other = try #require(file.allWeights.first { $0.path == weight.path }, "\(file.path) lacks \(weight.path)")
                #expect(try file.read(other).withUnsafeBytes { Array($0) } == single.read(weight).withUnsafeBytes { Array($0) })
            }
        }
    }

    @Test func convertingIntoAnArchiveNeedsAConfig() throws {
        let folder = fixturesURL.appendingPathComponent("containers").path
        let world = fixturesURL.appendingPathComponent("world").path
        try withTemporaryDirectory { dir in
            let source = try WeightFile(path: "\(world)/keras3_conv2d.h5")
            #expect { try source.convert(to: "\(dir)/m.keras", format: .kerasV3) } throws: { "\($0)".contains("--like REF.keras") }
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/m.keras"))
            try source.convert(to: "\(dir)/m.keras", format: .kerasV3, like: try WeightFile(path: "\(folder)/keras3_conv2d.keras"))
            let written = try WeightFile(path: "\(dir)/m.keras")
            #expect(written.containerKind == .kerasArchive && written.modelConfig != nil)
            #expect(try ZipDirectory(ContainerProbe("\(dir)/m.keras")).entries.map(\.name)
                == ["metadata.json", "config.json", "model.weights.h5"])
            #expect { try Zoo.randomized("seed_mlp").saveWeights(to: "\(dir)/n.keras") } throws: { "\($0)".contains("config") }
        }
    }

    // MARK: - Detection

    /// The container is told by content: a file of each kind under another kind's name reads as
    /// what it is.
    @Test func containersAreToldByContentNotName() throws {
        let folder = fixturesURL.appendingPathComponent("containers").path
        try withTemporaryDirectory { dir in
            for (source, kind) in [("keras3_conv2d.keras", ContainerKind.kerasArchive), ("keras3_conv2d.safetensors", .safetensors)] {
                try FileManager.default.copyItem(atPath: "\(folder)/\(source)", toPath: "\(dir)/\(source).h5")
                #expect(try WeightFile(path: "\(dir)/\(source).h5").containerKind == kind)
            }
        }
    }

    func snapshot(_ dir: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name)"))
        }
        return files
    }
}
