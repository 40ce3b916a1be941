import HDF5
import NeuralNet

/// An HDF5 file as a ``WeightTree``: link listings, name lists and text attributes measured before
/// libhdf5 loads them, and each dataset checked (storage in this file, allowed type and filters,
/// consistent extent within ``ReadLimits``) before it becomes a ``WeightEntry``.
final class HDF5WeightTree: WeightTree {
    let file: File
    let limits: ReadLimits
    private let prefetch: Prefetch?
    private let observer: ReadObserver?
    /// Tensors read ahead so far (see ``Prefetch``) and their bytes.
    private(set) var prefetched: [UInt64: PrefetchedTensor] = [:]
    private var prefetchedBytes = 0
    /// The digest text of each dataset read while indexing (see ``Prefetch/digests``), by
    /// address; `nil` where the dataset has none. A dataset missing here was not read.
    private(set) var digestTexts: [UInt64: String?] = [:]
    /// Link tables of groups already listed, by group path.
    private var linkTables: [String: [String: TreeLink]] = [:]
    /// Links listed so far, against ``ReadLimits/maximumObjects``.
    private var linkCount = 0

    init(file: File, options: OpenOptions) {
        self.file = file
        self.limits = options.limits
        self.prefetch = options.prefetch
        self.observer = options.observer
    }

    var path: String { file.path }

    func root() throws -> Group { try file.root }

    func path(of node: Group) -> String { node.path }

    func objectID(of node: Group) throws -> UInt64 { try node.objectAddress }

    func noteReading(_ object: String) {
        observer?.reading(object, in: file.path)
    }

    // MARK: - Links

    func links(of group: Group) throws -> [String: TreeLink] {
        if let table = linkTables[group.path] { return table }
        noteReading(group.path)
        let list = try group.links()
        linkCount += list.count
        guard linkCount <= limits.maximumObjects else {
            throw CheckpointError(file: file.path, .limitExceeded(path: group.path,
                detail: "more than \(limits.maximumObjects) objects (ReadLimits.maximumObjects)"))
        }
        var table: [String: TreeLink] = [:]
        for link in list where table[link.name] == nil {
            table[link.name] = switch link.kind {
            case .hard: .hard(link.objectAddress ?? 0)
            case .soft(let target): .soft(target)
            case let .external(otherFile, otherPath): .external(file: otherFile, path: otherPath)
            case .other: .other
            }
        }
        linkTables[group.path] = table
        return table
    }

    func release(below path: String) {
        let prefix = path + "/"
        linkTables = linkTables.filter { $0.key != path && !$0.key.hasPrefix(prefix) }
    }

    /// Groups are opened directly: a dataset fails to open as a group, which is cheaper than asking
    /// libhdf5 for each object's kind first. The link was listed just before, so a failure here
    /// means "not a group".
    func group(_ name: String, in node: Group) throws -> Group? {
        do { return try node.group(name) } catch { return nil }
    }

    func tensor(_ name: String, in node: Group, link: TreeLink, entryName: String) throws -> WeightEntry? {
        let dataset: Dataset
        do { dataset = try node.dataset(name) } catch { return nil }   // listed just before: not a dataset
        return try entry(dataset, name: entryName, address: link.objectID)
    }

    // MARK: - Attributes

    func hasNameList(_ attribute: String, in node: Group) throws -> Bool {
        try node.requireAttributeStorage(atMost: limits.maximumAttributeBytes)
        return try node.hasAttribute(attribute) || node.hasAttribute("\(attribute)0")
    }

    func nameList(_ attribute: String, in node: Group) throws -> (names: [String], isScalar: Bool)? {
        try node.requireAttributeStorage(atMost: limits.maximumAttributeBytes)
        guard let (names, isScalar) = try node.readChunkedStringsIfPresent(attribute, maximumBytes: limits.maximumAttributeBytes)
        else { return nil }
        return (names, isScalar)
    }

    func text(_ attribute: String, in node: Group, limit: Int, truncating: Bool) throws -> String? {
        try Self.text(attribute, of: node, limit: limit, truncating: truncating, storedAtMost: limits.maximumAttributeBytes)
    }

    /// The string attribute `name` of `container`, if present: at most `limit` bytes, cut there
    /// with `truncating`, else refused past it. The object's attributes are measured first and
    /// refused past `storage` bytes, since libhdf5 loads a stored value whole when it opens the
    /// attribute or only asks whether it exists.
    static func text(_ name: String, of container: some AttributeContainer, limit: Int, truncating: Bool,
                     storedAtMost storage: Int) throws -> String? {
        try container.requireAttributeStorage(atMost: storage)
        guard try container.hasAttribute(name) else { return nil }
        return try container.readString(name, maximumBytes: limit, truncating: truncating)
    }

    // MARK: - Datasets

    /// The entry for `dataset` (whose identity `address` its hard link gave), after every check that
    /// needs no data: storage that stays in this file, an allowed type and filter pipeline, a
    /// consistent extent within ``ReadLimits``, and stored bytes that can hold the declared tensor
    /// (no decompression bomb).
    private func entry(_ dataset: Dataset, name: String, address: UInt64?) throws -> WeightEntry {
        // libhdf5 gives an offset only for one allocated contiguous block in this file (not for
        // external storage, chunked, compact or virtual data), which runs no filters: the creation
        // properties, which libhdf5 copies on every query, are read only for the other layouts.
        let offset = dataset.fileOffset
        let storage = offset == nil ? try dataset.storageProperties : StorageProperties(layout: .contiguous, externalFileCount: 0)
        try requireLocalStorage(storage, of: dataset)
        let dtype: DType, isNative: Bool
        do {
            // Whether the bytes are the elements in place matters only where they are one block.
            let layout = offset == nil ? (try dataset.elementType, false) : try dataset.elementLayout
            (dtype, isNative) = (DType(layout.0), layout.1)
        } catch let error as HDF5Error {
            throw CheckpointError(file: file.path, .unsupportedData(path: dataset.path, detail: error.messages.last ?? "\(error)"))
        }
        let extent = try dataset.extent
        let shape = extent.shape
        let bytes = try declaredBytes(of: dataset, extent: extent, dtype: dtype)
        let storageSize = try dataset.storageSize
        try requireConsistentStorage(storage, storageSize: storageSize, declared: bytes, dtype: dtype, of: dataset)
        let address = try address ?? dataset.objectAddress
        if let prefetch {
            if prefetch.digests, digestTexts[address] == nil { readDigestText(dataset, address: address) }
            // Values are read ahead only with the digest that checks them, when one was asked for.
            let digestText = digestTexts[address]
            if storageSize > 0, prefetched[address] == nil, prefetch.admits(bytes, after: prefetchedBytes),
               !prefetch.digests || digestText != nil {
                readAhead(dataset, shape: shape, dtype: dtype, digestText: digestText ?? nil, address: address)
            }
        }
        return WeightEntry(name: name, path: dataset.path, shape: shape, dtype: dtype, storageSize: storageSize,
                           storageID: address, dataOffset: offset, storesNativeElements: isNative)
    }

    /// Reads a checked dataset's digest text while it is open (see ``Prefetch/digests``). A failure
    /// leaves it unread: ``HDF5Container/storedDigestText(of:)`` reads it again and reports the error.
    private func readDigestText(_ dataset: Dataset, address: UInt64) {
        do {
            digestTexts[address] = .some(try dataset.storedDigestText(maximumAttributeBytes: limits.maximumAttributeBytes))
        } catch {
            return
        }
    }

    /// Reads a checked dataset's values while it is open (see ``Prefetch``), with the digest text
    /// read beside them. A failure leaves it unread: the read that needs it reports the error.
    private func readAhead(_ dataset: Dataset, shape: [Int], dtype: DType, digestText: String?, address: UInt64) {
        do {
            let value = try Tensor(shape: shape, dtype: dtype) { try dataset.read(into: $0, as: dtype.elementType) }
            prefetched[address] = PrefetchedTensor(value: value, digestText: digestText)
            prefetchedBytes += value.byteCount
        } catch {
            return   // not read ahead; the later read reports this failure where the tensor is used
        }
    }
}
