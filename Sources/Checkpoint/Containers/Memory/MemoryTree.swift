import NeuralNet

/// A tree of groups, string attributes and tensors in memory, as ``WeightWriter`` writes a Keras
/// layout: the storage of ``MemoryContainer``.
///
/// `@unchecked Sendable`: a tree is filled by the one thread that writes it, then published to
/// ``MemoryContainer``'s store and never changed again; readers only read it.
final class MemoryTree: WeightTreeSink, @unchecked Sendable {
    /// A group: its attributes and its members by name.
    final class Node {
        let path: String
        let id: UInt64
        var attributes: [String: Attribute] = [:]
        var members: [String: Member] = [:]

        init(path: String, id: UInt64) {
            self.path = path
            self.id = id
        }
    }

    /// A member of a group.
    enum Member {
        case group(Node)
        case tensor(Tensor)

        var id: UInt64 {
            switch self {
            case .group(let node): node.id
            case .tensor(let tensor): tensor.id
            }
        }
    }

    /// A string attribute.
    enum Attribute {
        case names([String])
        case text(String)
    }

    /// A tensor: its bytes (little-endian elements in row-major order; none in a tree that
    /// records structure only) and stored digest.
    final class Tensor {
        let id: UInt64
        let dtype: DType
        let shape: [Int]
        var bytes: [UInt8]
        var digest: String?

        init(id: UInt64, dtype: DType, shape: [Int], holdsData: Bool) {
            self.id = id
            self.dtype = dtype
            self.shape = shape
            bytes = holdsData ? [UInt8](repeating: 0, count: shape.reduce(dtype.byteCount, *)) : []
        }

        /// The bytes of its elements, `shape.reduce(dtype.byteCount, *)`.
        var byteCount: Int { shape.reduce(dtype.byteCount, *) }
    }

    /// The name the tree is written for.
    let path: String
    let root: Node
    private(set) var manifest: String?
    /// Identities in creation order, so a Keras 3 layout's objects read back in writing order.
    private var nextID: UInt64 = 1
    private var tensors: [UInt64: Tensor] = [:]
    /// Whether tensors keep their bytes; a tree that records only structure (for a container that
    /// stores the bytes elsewhere, see ``SafetensorsWriter``) does not.
    let holdsData: Bool

    init(name: String, holdsData: Bool = true) {
        path = name
        root = Node(path: "/", id: 0)
        self.holdsData = holdsData
    }

    /// The bytes of every tensor held.
    var byteSize: UInt64 { tensors.values.reduce(0) { $0 + UInt64($1.bytes.count) } }

    func tensor(withID id: UInt64) -> Tensor? { tensors[id] }

    // MARK: - WeightTreeSink

    func createGroup(_ path: String) throws {
        _ = try group(at: path, creating: true)
    }

    func writeNames(_ attribute: String, _ names: [String], on group: String) throws {
        try self.group(at: group, creating: true).attributes[attribute] = .names(names)
    }

    func writeText(_ attribute: String, _ text: String, on group: String, unicode: Bool) throws {
        try self.group(at: group, creating: true).attributes[attribute] = .text(text)
    }

    func createTensor(_ path: String, dtype: DType, shape: [Int]) throws -> any TensorWriter {
        MemoryTensorWriter(tensor: try addTensor(path, dtype: dtype, shape: shape))
    }

    /// Creates the tensor at `path` (with the groups above it) and returns it.
    func addTensor(_ path: String, dtype: DType, shape: [Int]) throws -> Tensor {
        let (parent, name) = try parentAndName(path)
        let tensor = Tensor(id: takeID(), dtype: dtype, shape: shape, holdsData: holdsData)
        tensors[tensor.id] = tensor
        parent.members[name] = .tensor(tensor)
        return tensor
    }

    func link(_ path: String, to target: String) throws {
        guard let member = member(at: target) else {
            throw CheckpointError(file: self.path, .missingWeight(layer: "", weight: target))
        }
        let (parent, name) = try parentAndName(path)
        parent.members[name] = member
    }

    func writeManifest(_ text: String) throws {
        manifest = text
    }

    // MARK: - Paths

    private func takeID() -> UInt64 {
        defer { nextID += 1 }
        return nextID
    }

    /// The group at `path` (relative or absolute), created with the groups above it when asked.
    func group(at path: String, creating: Bool) throws -> Node {
        var node = root
        for part in path.split(separator: "/").map(String.init) {
            switch node.members[part] {
            case .group(let child)?: node = child
            case .tensor?: throw CheckpointError(file: self.path, .corruptObject(path: path, detail: "\(part) is a tensor, not a group"))
            case nil:
                guard creating else { throw CheckpointError(file: self.path, .missingLayerGroup(layer: path)) }
                let child = Node(path: node.path == "/" ? "/\(part)" : "\(node.path)/\(part)", id: takeID())
                node.members[part] = .group(child)
                node = child
            }
        }
        return node
    }

    private func parentAndName(_ path: String) throws -> (Node, String) {
        var parts = path.split(separator: "/").map(String.init)
        guard let name = parts.popLast() else { throw CheckpointError(file: self.path, .corruptObject(path: path, detail: "an empty path")) }
        return (try group(at: parts.joined(separator: "/"), creating: true), name)
    }

    private func member(at path: String) -> Member? {
        var parts = path.split(separator: "/").map(String.init)
        guard let name = parts.popLast() else { return .group(root) }
        var node = root
        for part in parts {
            guard case .group(let child)? = node.members[part] else { return nil }
            node = child
        }
        return node.members[name]
    }
}

/// Fills one tensor of a ``MemoryTree``.
private struct MemoryTensorWriter: TensorWriter {
    let tensor: MemoryTree.Tensor

    func write(_ bytes: UnsafeRawBufferPointer, rows: Range<Int>?) throws {
        let rowBytes = tensor.shape.dropFirst().reduce(tensor.dtype.byteCount, *)
        let start = (rows?.lowerBound ?? 0) * rowBytes
        tensor.bytes.withUnsafeMutableBytes { target in
            UnsafeMutableRawBufferPointer(rebasing: target[start..<(start + bytes.count)]).copyMemory(from: bytes)
        }
    }

    func storeDigest(_ digest: String) throws {
        tensor.digest = digest
    }
}

/// A ``MemoryTree`` as a ``WeightTree`` for one reader (with its limits).
final class MemoryTreeReader: WeightTree {
    let tree: MemoryTree
    let path: String
    let limits: ReadLimits

    init(tree: MemoryTree, path: String, limits: ReadLimits) {
        self.tree = tree
        self.path = path
        self.limits = limits
    }

    func root() throws -> MemoryTree.Node { tree.root }
    func path(of node: MemoryTree.Node) -> String { node.path }
    func objectID(of node: MemoryTree.Node) throws -> UInt64 { node.id }

    func links(of node: MemoryTree.Node) throws -> [String: TreeLink] {
        node.members.mapValues { .hard($0.id) }
    }

    func group(_ name: String, in node: MemoryTree.Node) throws -> MemoryTree.Node? {
        guard case .group(let child)? = node.members[name] else { return nil }
        return child
    }

    func tensor(_ name: String, in node: MemoryTree.Node, link: TreeLink, entryName: String) throws -> WeightEntry? {
        guard case .tensor(let tensor)? = node.members[name] else { return nil }
        return WeightEntry(name: entryName, path: node.path == "/" ? "/\(name)" : "\(node.path)/\(name)", shape: tensor.shape,
                           dtype: tensor.dtype, storageSize: tensor.byteCount, storageID: tensor.id)
    }

    func hasNameList(_ attribute: String, in node: MemoryTree.Node) throws -> Bool {
        node.attributes[attribute] != nil
    }

    func nameList(_ attribute: String, in node: MemoryTree.Node) throws -> (names: [String], isScalar: Bool)? {
        switch node.attributes[attribute] {
        case .names(let names)?: (names, false)
        case .text(let text)?: ([text], true)
        case nil: nil
        }
    }

    func text(_ attribute: String, in node: MemoryTree.Node, limit: Int, truncating: Bool) throws -> String? {
        guard case .text(let text)? = node.attributes[attribute] else { return nil }
        return text
    }

    func release(below path: String) {}
    func noteReading(_ object: String) {}
}
