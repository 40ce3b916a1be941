import Foundation
import NeuralNet

/// Writes the Keras 3 layout across shards as Keras does (`ShardedH5IOStore`): variables go to the
/// current shard until the next one would take it past the maximum shard size, then a new shard
/// starts; an object's `vars` group (with its `name`) is made in the shard current when the object
/// is reached, and re-made without attributes in each later shard its variables spill into. The
/// weight map lists, per `vars` group, the shards holding its variables, in writing order.
///
/// When several processes write one set (see ``ShardedWrite``), every process walks the whole plan
/// with the same ``ShardOwnership``: a shard also ends where the owner of the next array changes,
/// so each shard belongs to one rank, and only the shards of `writer` are made (the others are
/// named and sized, their tensors skipped unread). Every process thus knows the whole set's names
/// and weight map; a `writer` of `nil` makes no shard at all (the index's walk on rank 0).
final class ShardedTreeSink: WeightTreeSink {
    let path: String
    private let directory: String
    private let base: String
    private let maximumBytes: Int
    private let ownership: ShardOwnership
    private let writer: Int?
    /// The shards this process writes (`nil` for another rank's), in order.
    private var shards: [HDF5TreeSink?] = []
    private var shardOwners: [Int] = []
    /// Every shard's name, in order.
    private(set) var shardNames: [String] = []
    /// Groups made in each shard (their prefixes included).
    private var groups: [Set<String>] = []
    private var currentBytes = 0
    private var totalBytes = 0
    /// How many distinct arrays (not links) have been created.
    private var arrays = 0
    /// The shard of each tensor path written, for links.
    private var shardOfTensor: [String: Int] = [:]
    /// `vars` path → shard names, in first-use order.
    private var weightMap: [(varsPath: String, shards: [String])] = []
    /// The manifest written into the index.
    var manifest: String?

    /// Starts shard 0 of the set `base` in `directory`; `path` is the index the set is written for.
    /// `writer` is the rank whose shards are made (`nil`: none), `ownership` who owns each array.
    init(directory: String, base: String, maximumBytes: Int, reportedAs path: String,
         ownership: ShardOwnership = .single, writer: Int? = 0) throws {
        self.path = path
        self.directory = directory
        self.base = base
        self.maximumBytes = maximumBytes
        self.ownership = ownership
        self.writer = writer
        try startShard(owner: ownership.owner(ofArray: 0))
    }

    private var current: Int { shards.count - 1 }

    /// The shards this process made.
    var writtenShards: [String] { shardNames.indices.filter { shards[$0] != nil }.map { shardNames[$0] } }

    private func startShard(owner: Int) throws {
        let name = ShardIndex.shardName(base: base, number: shards.count)
        shards.append(owner == writer ? try HDF5TreeSink(creating: "\(directory)/\(name)", reportedAs: path) : nil)
        shardOwners.append(owner)
        shardNames.append(name)
        groups.append([])
        currentBytes = 0
    }

    /// Makes the group `path` (and the groups above it) in `shard`, once; nothing in another rank's shard.
    private func ensureGroup(_ path: String, in shard: Int) throws {
        guard !path.isEmpty, let sink = shards[shard], !groups[shard].contains(path) else { return }
        try sink.createGroup(path)
        var prefix = Substring(path)
        while !prefix.isEmpty {
            groups[shard].insert(String(prefix))
            prefix = prefix[..<(prefix.lastIndex(of: "/") ?? prefix.startIndex)]
        }
    }

    private func parent(of path: String) -> String {
        path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
    }

    private func record(_ varsPath: String, in shard: Int) {
        let key = "/" + varsPath
        if let index = weightMap.firstIndex(where: { $0.varsPath == key }) {
            if !weightMap[index].shards.contains(shardNames[shard]) { weightMap[index].shards.append(shardNames[shard]) }
        } else {
            weightMap.append((key, [shardNames[shard]]))
        }
    }

    // MARK: - WeightTreeSink

    func createGroup(_ path: String) throws {
        try ensureGroup(path, in: current)
    }

    func writeNames(_ attribute: String, _ names: [String], on group: String) throws {
        throw CheckpointError(file: path, .unsupportedModel("a sharded checkpoint holds the Keras 3 layout, not the legacy one"))
    }

    func writeText(_ attribute: String, _ text: String, on group: String, unicode: Bool) throws {
        try ensureGroup(group, in: current)
        try shards[current]?.writeText(attribute, text, on: group, unicode: unicode)
    }

    func createTensor(_ path: String, dtype: DType, shape: [Int]) throws -> any TensorWriter {
        let bytes = shape.reduce(dtype.byteCount, *)
        guard bytes <= maximumBytes else {
            throw CheckpointError(file: self.path, .unsupportedModel("the size of \(path) is \(bytes) bytes, which exceeds the "
                + "maximum shard size of \(maximumBytes) bytes: increase the maximum shard size"))
        }
        let owner = ownership.owner(ofArray: arrays)
        arrays += 1
        if currentBytes + bytes > maximumBytes || owner != shardOwners[current] { try startShard(owner: owner) }
        currentBytes += bytes
        totalBytes += bytes
        try ensureGroup(parent(of: path), in: current)
        shardOfTensor[path] = current
        record(parent(of: path), in: current)
        return try shards[current]?.createTensor(path, dtype: dtype, shape: shape) ?? SkippedTensor()
    }

    /// A link lives in the shard of the tensor it names (HDF5 links do not cross files).
    func link(_ path: String, to target: String) throws {
        let relative = target.hasPrefix("/") ? String(target.dropFirst()) : target
        guard let shard = shardOfTensor[relative] else {
            throw CheckpointError(file: self.path, .corruptObject(path: target, detail: "a link to a tensor not written"))
        }
        try ensureGroup(parent(of: path), in: shard)
        try shards[shard]?.link(path, to: target)
        shardOfTensor[path] = shard
        record(parent(of: path), in: shard)
    }

    func writeManifest(_ text: String) throws {
        manifest = text
    }

    /// Flushes the shards this process made.
    func finishShards() throws {
        for case let shard? in shards { try shard.finish() }
    }

    /// Writes the index, `indexName` in the directory, with ``manifest``.
    func writeIndex(named indexName: String) throws {
        let index = Self.indexJSON(weightMap: weightMap, totalBytes: totalBytes, manifest: manifest)
        do {
            try Data(index.utf8).write(to: URL(fileURLWithPath: "\(directory)/\(indexName)"))
        } catch {
            throw CheckpointError(file: path, .io("cannot write the index: \(error); the previous checkpoint is intact"))
        }
    }

    /// The index as Keras writes it (`json.dumps(…, indent=4)`), with Heft's manifest beside
    /// `total_size` (Keras reads only the weight map).
    static func indexJSON(weightMap: [(varsPath: String, shards: [String])], totalBytes: Int, manifest: String?) -> String {
        let quoted = StrictJSON.quoted
        var lines = ["{", "    \"metadata\": {", "        \"total_size\": \(totalBytes).0" + (manifest == nil ? "" : ",")]
        if let manifest { lines.append("        \"heft_manifest\": \(quoted(manifest))") }
        lines += ["    },", "    \"weight_map\": {"]
        for (position, entry) in weightMap.enumerated() {
            let comma = position == weightMap.count - 1 ? "" : ","
            if entry.shards.count == 1 {
                lines.append("        \(quoted(entry.varsPath)): \(quoted(entry.shards[0]))\(comma)")
            } else {
                lines.append("        \(quoted(entry.varsPath)): [")
                lines += entry.shards.enumerated().map { "            \(quoted($1))\($0 == entry.shards.count - 1 ? "" : ",")" }
                lines.append("        ]\(comma)")
            }
        }
        lines += ["    }", "}"]
        return lines.joined(separator: "\n")
    }
}
