import HDF5

/// The shards of a sharded checkpoint as one ``WeightTree``: a group is the union of the groups
/// of that path in every shard (one object's variables may be split across shards), a tensor
/// lives in exactly one shard. Each shard is read through its own ``HDF5WeightTree`` (every check
/// applies); tensor identities carry the shard's number in their top 16 bits, so they are unique
/// and sort in writing order (shard by shard).
final class ShardedWeightTree: WeightTree {
    /// A group: its path and the shards that have it.
    struct Node {
        let path: String
        let parts: [(shard: Int, group: Group)]
    }

    let path: String
    let limits: ReadLimits
    private let names: [String]
    private let trees: [HDF5WeightTree]

    init(path: String, shards: [(name: String, file: File)], options: OpenOptions) {
        self.path = path
        limits = options.limits
        names = shards.map(\.name)
        trees = shards.map { HDF5WeightTree(file: $0.file, options: options) }
    }

    /// The identity of `address` in shard `shard`.
    static func id(shard: Int, address: UInt64) -> UInt64 { UInt64(shard) << 48 | address & (1 << 48 - 1) }
    /// The shard and address of an identity.
    static func split(_ id: UInt64) -> (shard: Int, address: UInt64) { (Int(id >> 48), id & (1 << 48 - 1)) }

    /// Tensors the shards read while indexing, by combined identity.
    var prefetched: [UInt64: PrefetchedTensor] {
        var all: [UInt64: PrefetchedTensor] = [:]
        for (shard, tree) in trees.enumerated() {
            for (address, tensor) in tree.prefetched { all[Self.id(shard: shard, address: address)] = tensor }
        }
        return all
    }

    /// Digest texts the shards read while indexing, by combined identity.
    var digestTexts: [UInt64: String?] {
        var all: [UInt64: String?] = [:]
        for (shard, tree) in trees.enumerated() {
            for (address, text) in tree.digestTexts { all[Self.id(shard: shard, address: address)] = .some(text) }
        }
        return all
    }

    func root() throws -> Node {
        Node(path: "/", parts: try trees.enumerated().map { ($0.offset, try $0.element.root()) })
    }

    func path(of node: Node) -> String { node.path }

    func objectID(of node: Node) throws -> UInt64 {
        guard let first = node.parts.first else { return 0 }
        return Self.id(shard: first.shard, address: try trees[first.shard].objectID(of: first.group))
    }

    func links(of node: Node) throws -> [String: TreeLink] {
        var merged: [String: TreeLink] = [:]
        for part in node.parts {
            for (name, link) in try trees[part.shard].links(of: part.group) where merged[name] == nil {
                merged[name] = link.objectID.map { .hard(Self.id(shard: part.shard, address: $0)) } ?? link
            }
        }
        return merged
    }

    func group(_ name: String, in node: Node) throws -> Node? {
        var parts: [(shard: Int, group: Group)] = []
        for part in node.parts where try trees[part.shard].links(of: part.group)[name] != nil {
            if let child = try trees[part.shard].group(name, in: part.group) { parts.append((part.shard, child)) }
        }
        return parts.isEmpty ? nil : Node(path: node.path == "/" ? "/\(name)" : "\(node.path)/\(name)", parts: parts)
    }

    /// The tensor from the one shard that holds it; a tensor in two shards is an error.
    func tensor(_ name: String, in node: Node, link: TreeLink, entryName: String) throws -> WeightEntry? {
        var holders: [(shard: Int, group: Group, link: TreeLink)] = []
        for part in node.parts {
            if let own = try trees[part.shard].links(of: part.group)[name] { holders.append((part.shard, part.group, own)) }
        }
        if holders.count > 1 {
            throw CheckpointError(file: path, .corruptObject(path: "\(node.path)/\(name)",
                detail: "the variable is in two shards, \(names[holders[0].shard]) and \(names[holders[1].shard])"))
        }
        guard let holder = holders.first,
              var entry = try trees[holder.shard].tensor(name, in: holder.group, link: holder.link, entryName: entryName) else { return nil }
        entry = WeightEntry(name: entry.name, path: entry.path, shape: entry.shape, dtype: entry.dtype, storageSize: entry.storageSize,
                            storageID: Self.id(shard: holder.shard, address: entry.storageID), dataOffset: entry.dataOffset,
                            storesNativeElements: entry.storesNativeElements)
        entry.storageFile = names[holder.shard]
        return entry
    }

    /// Keras's shards hold the Keras 3 layout only: no name lists.
    func hasNameList(_ attribute: String, in node: Node) throws -> Bool {
        for part in node.parts where try trees[part.shard].hasNameList(attribute, in: part.group) {
            throw CheckpointError(file: path, .corruptObject(path: "/",
                detail: "shard \(names[part.shard]) holds a legacy \(attribute) list; Keras's shards hold the Keras 3 layout only"))
        }
        return false
    }

    func nameList(_ attribute: String, in node: Node) throws -> (names: [String], isScalar: Bool)? { nil }

    func text(_ attribute: String, in node: Node, limit: Int, truncating: Bool) throws -> String? {
        for part in node.parts {
            if let text = try trees[part.shard].text(attribute, in: part.group, limit: limit, truncating: truncating) { return text }
        }
        return nil
    }

    func release(below path: String) {
        for tree in trees { tree.release(below: path) }
    }

    func noteReading(_ object: String) {
        trees.first?.noteReading(object)
    }
}
