import Foundation
import NeuralNet
import SystemPackage

extension ContainerKind {
    /// A safetensors file (Hugging Face's format, read by PyTorch, JAX, MLX, …).
    public static let safetensors = ContainerKind(rawValue: "safetensors")
}

/// A safetensors file. Heft writes its tensors under their Keras identities (`dense/kernel`,
/// `bidirectional/forward_layer/cell/kernel`, `optimizer/…`), and records in `__metadata__` where
/// Keras 3 keeps each one (`heft.index`), with the digest of each tensor (`heft.digests`; `heft.sha256` in Heft 0.1's files) and
/// the manifest (`heft.manifest`): reading such a file gives back the Keras 3 checkpoint it was made
/// from, so `.weights.h5 → .safetensors → .weights.h5` is bit-exact. A safetensors file from
/// another writer is read as tensors grouped by the last `/` of their names, and loads into a
/// model by name (see ``SafetensorsIndex``).
final class SafetensorsContainer: TensorContainer, ContainerFormat {
    let path: String
    var kind: ContainerKind { .safetensors }
    let byteSize: UInt64
    let index: WeightIndex
    var prefetched: [UInt64: PrefetchedTensor] { [:] }
    private let descriptor: FileDescriptor
    private let header: SafetensorsHeader
    /// Tensor by storage identity (its position in the data buffer's order).
    private let tensorsByID: [UInt64: SafetensorsHeader.Tensor]
    private let digests: [String: String]
    /// The file mapped read-only, on the first ``mappedBytes(of:)``.
    private var mapping: FileMapping?

    private init(path: String, options: OpenOptions) throws {
        self.path = path
        let probe = ContainerProbe(path)
        byteSize = try probe.fileSize()
        options.observer?.reading("the safetensors header", in: path)
        header = try SafetensorsHeader(probe)
        let ordered = header.tensors.sorted { ($0.offsets.lowerBound, $0.offsets.upperBound) < ($1.offsets.lowerBound, $1.offsets.upperBound) }
        let ids = Dictionary(uniqueKeysWithValues: ordered.enumerated().map { ($1.key, UInt64($0)) })
        tensorsByID = Dictionary(uniqueKeysWithValues: ordered.enumerated().map { (UInt64($0), $1) })
        index = try SafetensorsIndex.index(header, ids: ids, file: path)
        digests = try SafetensorsIndex.digests(header, file: path)
        do {
            descriptor = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
        } catch let error as Errno {
            throw error.checkpointError(file: path, "open")
        }
    }

    deinit {
        try? descriptor.close()   // read-only: closing cannot lose data
    }

    // MARK: - ContainerFormat

    /// An 8-byte header length, then `{`: the header itself is checked when the file is opened.
    static func recognizes(_ probe: ContainerProbe) throws -> Bool {
        let head = try probe.bytes(at: 0, count: 9)
        return head.count == 9 && head[8] == UInt8(ascii: "{")
    }

    static func open(_ path: String, options: OpenOptions) throws -> any TensorContainer {
        try SafetensorsContainer(path: path, options: options)
    }

    static func writes(to path: String) -> Bool {
        path.hasSuffix(".safetensors")
    }

    static func write(_ plan: SavePlan, layout: WeightFileFormat, to path: String,
                      check: ((_ written: String) throws -> Void)?) throws {
        try SafetensorsWriter.write(plan, layout: layout, to: path, check: check)
    }

    // MARK: - Reading

    func rowReader(for weight: WeightEntry) throws -> any TensorRowReader {
        guard let tensor = tensorsByID[weight.storageID] else {
            throw CheckpointError(file: path, .missingWeight(layer: "", weight: weight.path))
        }
        return SafetensorsRowReader(descriptor: descriptor, start: header.dataStart + tensor.offsets.lowerBound, weight: weight, file: path)
    }

    /// Safetensors stores little-endian elements, as they lie in memory.
    func mappedBytes(of weight: WeightEntry) throws -> MappedRegion? {
        guard FileMapping.isSupported, let tensor = tensorsByID[weight.storageID] else { return nil }
        let mapping = try self.mapping ?? FileMapping(descriptor: descriptor.rawValue, size: byteSize, path: path)
        self.mapping = mapping
        return mapping.region(offset: header.dataStart + tensor.offsets.lowerBound, count: weight.storageSize, elementSize: weight.dtype.byteCount,
                              object: weight.path)
    }

    /// Every tensor's bytes were checked, when the header was read, to lie in the file.
    func hasVerifiedExtent(_ weight: WeightEntry) -> Bool { true }

    func storedDigestText(of weight: WeightEntry) throws -> String? {
        tensorsByID[weight.storageID].flatMap { digests[$0.key] }
    }

    func manifestText() throws -> String? {
        header.metadata[SafetensorsIndex.manifestKey]
    }

    func informationalText(_ name: String) throws -> String? { nil }
}

/// Reads rows of one tensor with `pread`, little-endian bytes as stored.
private struct SafetensorsRowReader: TensorRowReader {
    let descriptor: FileDescriptor
    let start: UInt64
    let weight: WeightEntry
    let file: String

    func read(rows: Range<Int>?, into buffer: UnsafeMutableRawBufferPointer) throws {
        let rowBytes = weight.shape.dropFirst().reduce(weight.dtype.byteCount, *)
        var offset = start + UInt64((rows?.lowerBound ?? 0) * rowBytes)
        var done = 0
        while done < buffer.count {
            let count: Int
            do {
                count = try descriptor.read(fromAbsoluteOffset: Int64(offset), into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]))
            } catch let error as Errno {
                throw error.checkpointError(file: file, "read \(weight.path)")
            }
            guard count > 0 else { throw CheckpointError(file: file, .truncated("\(weight.path): the file ends inside its data")) }
            done += count
            offset += UInt64(count)
        }
    }
}
