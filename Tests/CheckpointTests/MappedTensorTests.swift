import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint
@testable import HDF5

/// Tensors read in place from a memory map: the same bytes as a read, checked on first access,
/// and an error — never a crash — when the file is cut short under the map.
@Suite struct MappedTensorTests {
    /// Every Keras-written file of the corpus: each tensor Keras stored contiguously maps, and its
    /// mapped bytes are the ones libhdf5 reads.
    @Test func kerasFilesMapToTheBytesLibhdf5Reads() throws {
        let folder = fixturesURL.appendingPathComponent("world")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".h5") }.sorted()
        #expect(files.count >= 100)
        var mapped = 0
        for name in files {
            let file = try WeightFile(path: folder.appendingPathComponent(name).path)
            for weight in file.allWeights where weight.sharedWith == nil && file.hasVerifiedExtent(weight) {
                let view = try file.mapped(weight)
                let bytes = try readThroughLibhdf5(weight, in: file)
                #expect(view.withUnsafeBytes { Array($0) } == bytes, "\(name) \(weight.path)")
                #expect(view.shape == weight.shape && view.dtype == weight.dtype)
                mapped += 1
            }
        }
        #expect(mapped > 1000)
    }

    @Test func safetensorsShardsAndArchivesMap() throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.build("seed_mlp")
            try model.saveWeights(to: "\(dir)/m.weights.h5")
            try model.save(to: "\(dir)/m.keras")
            try WeightFile(path: "\(dir)/m.weights.h5").convert(to: "\(dir)/m.safetensors", format: .kerasV3)
            try WeightFile(path: "\(dir)/m.weights.h5").convert(to: "\(dir)/m.weights.json", format: .kerasV3, maxShardSize: 40_000)
            for path in ["\(dir)/m.safetensors", "\(dir)/m.weights.json", "\(dir)/m.keras"] {
                let file = try WeightFile(path: path)
                #expect(!file.allWeights.isEmpty)
                for weight in file.allWeights {
                    #expect(try file.mapped(weight).tensor() == file.read(weight), "\(path) \(weight.path)")
                }
            }
        }
    }

    /// safetensors from Python's library (which aligns the data) map; a file whose data is not
    /// aligned (another writer's) is read instead, and says why it cannot be mapped.
    @Test func safetensorsMapWhereAligned() throws {
        for name in ["edge", "large"] {
            let file = try WeightFile(path: fixturesURL.appendingPathComponent("containers/\(name).safetensors").path)
            for weight in file.allWeights {
                #expect(try file.mapped(weight).tensor() == file.read(weight), "\(name) \(weight.path)")
            }
        }
        try withTemporaryDirectory { dir in
            let header = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#   // 55 bytes: data at byte 63
            var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) } + Array(header.utf8)
            bytes += withUnsafeBytes(of: Float(1.5).bitPattern.littleEndian) { Array($0) } + withUnsafeBytes(of: Float(-2).bitPattern.littleEndian) { Array($0) }
            try Data(bytes).write(to: URL(fileURLWithPath: "\(dir)/odd.safetensors"))
            let file = try WeightFile(path: "\(dir)/odd.safetensors")
            let weight = try #require(file.allWeights.first)
            #expect { _ = try file.mapped(weight) } throws: { "\($0)".contains("does not start at a multiple of its 4-byte elements") }
            #expect(try file.read(weight) == Tensor(shape: [2], scalars: [1.5, -2]))
            try file.checkTensors()
        }
    }

    @Test func aMappedTensorOutlivesItsFile() throws {
        try withTemporaryDirectory { dir in
            try Zoo.build("seed_mlp").saveWeights(to: "\(dir)/m.weights.h5")
            var file: WeightFile? = try WeightFile(path: "\(dir)/m.weights.h5")
            let weight = file!.weights[0]
            let (view, read) = (try file!.mapped(weight), try file!.read(weight))
            file = nil
            #expect(try view.tensor() == read)
        }
    }

    @Test func aChangedByteFailsOnFirstAccessUnlessUnchecked() throws {
        try withTemporaryDirectory { dir in
            let model = try Sequential([Dense(64, inputShape: [32], name: "dense")])
            try model.saveWeights(to: "\(dir)/m.weights.h5")
            let kernel = try WeightFile(path: "\(dir)/m.weights.h5").weights.first { $0.shape == [32, 64] }!
            try flipByte(in: "\(dir)/m.weights.h5", at: kernel.dataOffset! + 5)
            let file = try WeightFile(path: "\(dir)/m.weights.h5")
            #expect {
                _ = try file.mapped(kernel)
            } throws: { "\($0)".contains("\(kernel.path): integrity") && "\($0)".contains("xxh3-128 stored") }
            #expect(try file.mapped(kernel, verifying: false).byteCount == 32 * 64 * 4)
        }
    }

    /// A tensor of several 4 MiB blocks is copied out of the map by two threads: every block,
    /// the short last one included, lands where it belongs, in `read` and in a load alike.
    @Test func aTensorCopiedOnTwoThreadsIsTheBytesLibhdf5Reads() throws {
        try withTemporaryDirectory { dir in
            let model = try Sequential([Dense(777, inputShape: [4096], name: "wide")])
            try model.setWeights(model.weights.enumerated().map { .randomUniform($1.shape, minval: -1, maxval: 1, seed: UInt64($0)) })
            try model.saveWeights(to: "\(dir)/m.weights.h5")
            let file = try WeightFile(path: "\(dir)/m.weights.h5")
            let kernel = try #require(file.allWeights.first { $0.shape == [4096, 777] })
            #expect(try file.container.mappedBytes(of: kernel).map(\.blocks.count) == 4)
            #expect(try file.read(kernel).withUnsafeBytes { Array($0) } == readThroughLibhdf5(kernel, in: file))
            let copy = try Sequential([Dense(777, inputShape: [4096], name: "wide")])
            try copy.loadWeights(from: "\(dir)/m.weights.h5")
            #expect(zip(copy.getWeights(), model.getWeights()).allSatisfy { bitwiseEqual($0, $1) })
        }
    }

    /// A safetensors file cut short after it was mapped: maps, reads and checks report it, never
    /// `SIGBUS`; one opened before the cut refuses to map the changed file.
    @Test func aFileCutShortUnderTheMapIsAnError() throws {
        try withTemporaryDirectory { dir in
            // b's kernel is two blocks (6 MiB), so the cut also meets a copy shared by two threads.
            let model = try Sequential([Dense(512, inputShape: [1024], name: "a"), Dense(3072, name: "b")])
            try model.saveWeights(to: "\(dir)/m.weights.h5")
            let path = "\(dir)/m.safetensors"
            try WeightFile(path: "\(dir)/m.weights.h5").convert(to: path, format: .kerasV3)
            let (file, stale) = (try WeightFile(path: path), try WeightFile(path: path))
            let weights = file.allWeights.sorted { $0.count < $1.count }
            let (small, large) = (weights.first!, weights.last!)
            _ = try file.mapped(small)                                  // the file is mapped now
            let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            #expect(truncate(path, off_t(size - large.storageSize / 2)) == 0)
            let attempts: [() throws -> Void] = [{ _ = try file.mapped(large, verifying: false) }, { _ = try file.read(large) },
                                                 { try file.checkTensors() }]
            for attempt in attempts {
                #expect { try attempt() } throws: { "\($0)".contains(path) && "\($0)".contains("cut short") }
            }
            #expect { _ = try stale.mapped(small) } throws: { "\($0)".contains("size changed") }
        }
    }

    private func readThroughLibhdf5(_ weight: WeightEntry, in file: WeightFile) throws -> [UInt8] {
        let reader = try file.container.rowReader(for: weight)
        var bytes = [UInt8](repeating: 0, count: weight.count * weight.dtype.byteCount)
        try bytes.withUnsafeMutableBytes { try reader.read(rows: nil, into: $0) }
        return bytes
    }

    private func flipByte(in path: String, at offset: UInt64) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        let byte = try handle.read(upToCount: 1)![0]
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: Data([byte ^ 0x40]))
    }
}

/// Data h5py stores chunked and compressed, or big-endian, is read, not mapped, and says why.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["HEFT_PYTHON"] != nil, "needs HEFT_PYTHON (run tools/test)"))
struct UnmappableDataTests {
    @Test func dataThatCannotBeMappedSaysWhyAndReads() throws {
        try withTemporaryDirectory { dir in
            let script = """
                import sys, h5py, numpy as np
                with h5py.File(sys.argv[1], "w") as f:
                    f.attrs["layer_names"] = [b"dense"]
                    g = f.create_group("dense")
                    g.attrs["weight_names"] = [b"dense/kernel:0", b"dense/bias:0"]
                    g.create_dataset("dense/kernel:0", data=np.arange(1200, dtype=np.float32).reshape(40, 30), chunks=(8, 30), compression="gzip")
                    g.create_dataset("dense/bias:0", data=np.arange(30, dtype=">f4"))
                """
            let python = try runProcess(ProcessInfo.processInfo.environment["HEFT_PYTHON"]!, ["-c", script, "\(dir)/odd.h5"])
            try #require(python.code == 0, "\(python.stderr)")
            let file = try WeightFile(path: "\(dir)/odd.h5")
            for (weight, reason) in zip(file.weights, ["not one contiguous, unfiltered block", "big-endian"]) {
                #expect {
                    _ = try file.mapped(weight)
                } throws: { "\($0)".contains("\(weight.path): unsupported data: cannot be mapped") && "\($0)".contains(reason) }
            }
            #expect(try file.weights.map(file.read) == [Tensor(shape: [40, 30], scalars: (0..<1200).map(Float.init)),
                                                       Tensor(shape: [30], scalars: (0..<30).map(Float.init))])
        }
    }

    /// A `.keras` archive whose weights entry another writer deflated is inflated, then mapped.
    @Test func aDeflatedArchiveMapsItsInflatedCopy() throws {
        try withTemporaryDirectory { dir in
            try Zoo.build("seed_mlp").save(to: "\(dir)/stored.keras")
            let script = """
                import sys, zipfile
                with zipfile.ZipFile(sys.argv[1]) as source, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as target:
                    for name in source.namelist():
                        target.writestr(name, source.read(name))
                """
            let python = try runProcess(ProcessInfo.processInfo.environment["HEFT_PYTHON"]!, ["-c", script, "\(dir)/stored.keras", "\(dir)/deflated.keras"])
            try #require(python.code == 0, "\(python.stderr)")
            let (stored, deflated) = (try WeightFile(path: "\(dir)/stored.keras"), try WeightFile(path: "\(dir)/deflated.keras"))
            #expect(!deflated.weights.isEmpty)
            for (a, b) in zip(stored.weights, deflated.weights) {
                #expect(try deflated.mapped(b).tensor() == stored.mapped(a).tensor())
            }
        }
    }
}
