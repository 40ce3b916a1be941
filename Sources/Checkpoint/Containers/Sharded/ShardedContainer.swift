import Foundation
import HDF5

extension ContainerKind {
    /// A Keras 3 sharded checkpoint: a `.weights.json` index and its `_NNNNN.weights.h5` shards.
    public static let kerasShards = ContainerKind(rawValue: "keras-v3-sharded")
}

/// A Keras 3 sharded checkpoint (`save_weights("m.weights.json", max_shard_size=…)`, Keras ≥ 3.10),
/// read as one checkpoint: the index names the shards, each shard is an HDF5 file in the Keras 3
/// layout, and ``ShardedWeightTree`` merges them (one object's variables may be split across
/// shards). Every shard the index names must be there, in the index's directory; each tensor is
/// reported with its shard (``WeightEntry/storageFile``). Writing: ``ShardedWriter``.
final class ShardedContainer: TensorContainer, ContainerFormat {
    let path: String
    var kind: ContainerKind { .kerasShards }
    let byteSize: UInt64
    let index: WeightIndex
    let prefetched: [UInt64: PrefetchedTensor]
    /// Digest texts read while indexing (see ``Prefetch/digests``), by storage identity.
    private let digestTexts: [UInt64: String?]
    private let shards: [(name: String, file: File, size: UInt64)]
    /// Shards mapped read-only, by number, on the first ``mappedBytes(of:)`` of each.
    private var mappings: [Int: FileMapping] = [:]
    private let manifest: String?
    private let limits: ReadLimits
    private let observer: ReadObserver?

    private init(_ shardIndex: ShardIndex, options: OpenOptions) throws {
        path = shardIndex.path
        manifest = shardIndex.manifest
        limits = options.limits
        observer = options.observer
        var shards: [(name: String, file: File, size: UInt64)] = []
        for name in shardIndex.shards {
            let shardPath = "\(shardIndex.directory)/\(name)"
            let probe = ContainerProbe(shardPath)
            let size: UInt64
            do {
                size = try probe.fileSize()
            } catch let error as CheckpointError where error.reason == .fileNotFound {
                throw CheckpointError(file: path, .corruptObject(path: name, detail: "the index names this shard but it is missing"))
            }
            guard try HDF5Container.recognizes(probe) else {
                throw CheckpointError(file: path, .corruptObject(path: name, detail: "the shard is not an HDF5 file"))
            }
            options.observer?.reading("the superblock and root group", in: shardPath)
            let file = try Self.naming(shardIndex.path, shard: name) { try translatingHDF5Errors(file: shardPath) { try File.open(shardPath) } }
            shards.append((name, file, size))
        }
        self.shards = shards
        byteSize = shards.reduce(0) { $0 + $1.size }
        let tree = ShardedWeightTree(path: path, shards: shards.map { ($0.name, $0.file) }, options: options)
        let indexPath = shardIndex.path
        var index = try Self.naming(indexPath, shard: nil) { try translatingHDF5Errors(file: indexPath) { try KerasLayoutIndexer(tree).index() } }
        index.format = .kerasV3
        try Self.requireMatching(index, shardIndex)
        self.index = index
        prefetched = tree.prefetched
        digestTexts = tree.digestTexts
    }

    /// Runs `body`, reporting an error about a shard file as one of the checkpoint `index`, naming
    /// the shard (`shard`, or the file the error names).
    static func naming<T>(_ index: String, shard: String?, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CheckpointError where error.file != index {
            throw CheckpointError(file: index, .inShard(shard ?? (error.file as NSString).lastPathComponent, error.reason))
        }
    }

    /// Throws unless every tensor is in a shard the index lists for its object, and every object
    /// the index lists is there.
    private static func requireMatching(_ index: WeightIndex, _ shardIndex: ShardIndex) throws {
        let listed = Dictionary(shardIndex.entries.map { ($0.varsPath, Set($0.shards)) }, uniquingKeysWith: { $0.union($1) })
        var found = Set<String>()
        let layers = index.layers + index.metricLayers
        let objects = layers.map { ($0.path == "/" ? "/vars" : $0.path + "/vars", $0.weights) }
            + [("/vars", index.topLevelWeights)] + [("/optimizer/vars", index.optimizerWeights)]
        for (varsPath, weights) in objects where !weights.isEmpty {
            found.insert(varsPath)
            for weight in weights where weight.sharedWith == nil {
                guard let shard = weight.storageFile, listed[varsPath]?.contains(shard) == true else {
                    throw CheckpointError(file: shardIndex.path, .corruptObject(path: weight.path,
                        detail: "in shard \(weight.storageFile ?? "?"), which the index does not list for \(varsPath)"))
                }
            }
        }
        if let missing = shardIndex.entries.first(where: { !found.contains($0.varsPath) }) {
            throw CheckpointError(file: shardIndex.path, .corruptObject(path: missing.varsPath,
                detail: "the index lists it in \(missing.shards.joined(separator: ", ")) but no shard holds its variables"))
        }
    }

    // MARK: - ContainerFormat

    /// A JSON object with a `weight_map`: told by its first byte here, checked when opened.
    static func recognizes(_ probe: ContainerProbe) throws -> Bool {
        let head = try probe.bytes(at: 0, count: 64).drop { [0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
        return head.first == UInt8(ascii: "{")
    }

    static func open(_ path: String, options: OpenOptions) throws -> any TensorContainer {
        options.observer?.reading("the sharded-weights index", in: path)
        return try ShardedContainer(ShardIndex(ContainerProbe(path)), options: options)
    }

    static func writes(to path: String) -> Bool {
        path.hasSuffix(".weights.json")
    }

    static func write(_ plan: SavePlan, layout: WeightFileFormat, to path: String,
                      check: ((_ written: String) throws -> Void)?) throws {
        try ShardedWriter.write(plan, layout: layout, to: path, check: check)
    }

    // MARK: - Reading

    private func dataset(_ weight: WeightEntry) throws -> (Dataset, String) {
        let (shard, address) = ShardedWeightTree.split(weight.storageID)
        let file = shards[shard].file
        observer?.reading(weight.path, in: file.path)
        return (try translatingHDF5Errors(file: file.path) { try file.dataset(atAddress: address, path: weight.path) }, file.path)
    }

    func rowReader(for weight: WeightEntry) throws -> any TensorRowReader {
        let (opened, file) = try Self.naming(path, shard: nil) { try self.dataset(weight) }
        return ShardRowReader(reader: HDF5RowReader(dataset: opened, weight: weight, file: file), index: path)
    }

    func hasVerifiedExtent(_ weight: WeightEntry) -> Bool {
        guard let offset = weight.dataOffset else { return false }
        let bytes = weight.count * weight.dtype.byteCount
        let (end, overflow) = offset.addingReportingOverflow(UInt64(bytes))
        return weight.storageSize == bytes && !overflow && end <= shards[ShardedWeightTree.split(weight.storageID).shard].size
    }

    func mappedBytes(of weight: WeightEntry) throws -> MappedRegion? {
        guard FileMapping.isSupported, hasVerifiedExtent(weight), weight.storesNativeElements, let offset = weight.dataOffset else { return nil }
        let shard = ShardedWeightTree.split(weight.storageID).shard
        let file = shards[shard].file.path
        observer?.reading(weight.path, in: file)
        return try Self.naming(path, shard: nil) {
            let mapping = try mappings[shard] ?? FileMapping(descriptor: translatingHDF5Errors(file: file) { try shards[shard].file.descriptor() },
                                                             size: shards[shard].size, path: file)
            mappings[shard] = mapping
            return mapping.region(offset: offset, count: weight.storageSize, elementSize: weight.dtype.byteCount,
                              object: weight.path)
        }
    }

    func storedDigestText(of weight: WeightEntry) throws -> String? {
        if let text = digestTexts[weight.storageID] { return text }
        return try Self.naming(path, shard: nil) {
            let (opened, file) = try self.dataset(weight)
            return try translatingHDF5Errors(file: file) { try opened.storedDigestText(maximumAttributeBytes: limits.maximumAttributeBytes) }
        }
    }

    func manifestText() throws -> String? { manifest }

    func informationalText(_ name: String) throws -> String? { nil }
}

/// Reads rows of a tensor in a shard, reporting errors as the checkpoint's, naming the shard.
private struct ShardRowReader: TensorRowReader {
    let reader: HDF5RowReader
    let index: String

    func read(rows: Range<Int>?, into buffer: UnsafeMutableRawBufferPointer) throws {
        try ShardedContainer.naming(index, shard: nil) { try reader.read(rows: rows, into: buffer) }
    }
}
