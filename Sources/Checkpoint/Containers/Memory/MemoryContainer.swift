import NeuralNet
import Synchronization

extension ContainerKind {
    /// A checkpoint held in this process's memory (see ``MemoryContainer``).
    public static let memory = ContainerKind(rawValue: "memory")
}

/// Checkpoints held in this process's memory under names that start with `memory:`: the smallest
/// honest ``TensorContainer``. Everything that takes a path takes such a name —
/// `model.saveWeights(to: "memory:ckpt")`, `WeightFile(path: "memory:ckpt.weights.h5")`,
/// conversions — in either Keras layout, with Heft's integrity data, committed atomically. Tests use
/// it to run the whole stack without touching the disk; it also shows what a container needs.
///
/// A saved checkpoint lives until ``MemoryContainer/remove(_:)`` or the end of the process.
final class MemoryContainer: TensorContainer, ContainerFormat {
    /// The prefix of the names this container answers to.
    static let scheme = "memory:"

    /// The committed checkpoints by name.
    private static let store = Mutex<[String: MemoryTree]>([:])

    let path: String
    var kind: ContainerKind { .memory }
    let byteSize: UInt64
    let index: WeightIndex
    var prefetched: [UInt64: PrefetchedTensor] { [:] }
    let tree: MemoryTree

    private init(path: String, tree: MemoryTree, limits: ReadLimits) throws {
        self.path = path
        self.tree = tree
        byteSize = tree.byteSize
        index = try KerasLayoutIndexer(MemoryTreeReader(tree: tree, path: path, limits: limits)).index()
    }

    /// The container over `tree` as it stands (not published under any name): how a writer that
    /// recorded a tree reads back what it wrote.
    static func reading(_ tree: MemoryTree, limits: ReadLimits = ReadLimits()) throws -> MemoryContainer {
        try MemoryContainer(path: tree.path, tree: tree, limits: limits)
    }

    /// Forgets the checkpoint `name`; returns whether there was one.
    @discardableResult
    static func remove(_ name: String) -> Bool {
        store.withLock { $0.removeValue(forKey: name) != nil }
    }

    // MARK: - ContainerFormat

    static func recognizes(_ probe: ContainerProbe) throws -> Bool {
        probe.path.hasPrefix(scheme)
    }

    static func open(_ path: String, options: OpenOptions) throws -> any TensorContainer {
        guard let tree = store.withLock({ $0[path] }) else { throw CheckpointError(file: path, .fileNotFound) }
        return try MemoryContainer(path: path, tree: tree, limits: options.limits)
    }

    static func writes(to path: String) -> Bool {
        path.hasPrefix(scheme)
    }

    /// Builds the tree under a temporary name, checks it there, then publishes it under `path` in
    /// one step: a reader sees the old checkpoint or the new one, never a part.
    static func write(_ plan: SavePlan, layout: WeightFileFormat, to path: String,
                      check: ((_ written: String) throws -> Void)?) throws {
        let tree = MemoryTree(name: path)
        try WeightWriter.write(plan, layout: layout, to: tree)
        let temporary = "\(path).heft-tmp-\(UInt64.random(in: 0...UInt64.max))"
        store.withLock { $0[temporary] = tree }
        defer { store.withLock { _ = $0.removeValue(forKey: temporary) } }
        try check?(temporary)
        store.withLock { $0[path] = tree }
    }

    // MARK: - Reading

    func rowReader(for weight: WeightEntry) throws -> any TensorRowReader {
        guard let tensor = tree.tensor(withID: weight.storageID) else {
            throw CheckpointError(file: path, .missingWeight(layer: "", weight: weight.path))
        }
        return MemoryRowReader(tensor: tensor)
    }

    /// Every tensor is whole in memory.
    func hasVerifiedExtent(_ weight: WeightEntry) -> Bool { true }

    func storedDigestText(of weight: WeightEntry) throws -> String? {
        tree.tensor(withID: weight.storageID)?.digest
    }

    func manifestText() throws -> String? {
        tree.manifest
    }

    func informationalText(_ name: String) throws -> String? {
        guard index.format == .kerasLegacy, case .text(let text)? = tree.root.attributes[name] else { return nil }
        return text.utf8.count <= 256 ? text : String(decoding: text.utf8.prefix(256), as: UTF8.self) + "… (\(text.utf8.count) bytes)"
    }
}

/// Reads rows of a tensor held in memory.
private struct MemoryRowReader: TensorRowReader {
    let tensor: MemoryTree.Tensor

    func read(rows: Range<Int>?, into buffer: UnsafeMutableRawBufferPointer) throws {
        let rowBytes = tensor.shape.dropFirst().reduce(tensor.dtype.byteCount, *)
        let start = (rows?.lowerBound ?? 0) * rowBytes
        tensor.bytes.withUnsafeBytes { bytes in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + buffer.count)]))
        }
    }
}
