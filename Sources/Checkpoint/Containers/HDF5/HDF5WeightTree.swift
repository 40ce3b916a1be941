import HDF5
import NeuralNet

/// What ``WeightFile`` learns from a file's metadata.
struct FileIndex {
    var format: WeightFileFormat
    var isFullModel = false
    /// The group whose `keras_version` and `backend` describe the weights (read on demand).
    var attributesGroup: String?
    var modelConfig: String?
    var layers: [LayerEntry] = []
    var topLevelWeights: [WeightEntry] = []
    /// The optimizer's state: legacy `optimizer_weights`, Keras 3 `optimizer/vars`.
    var optimizerWeights: [WeightEntry] = []
    /// The optimizer's stored name (Keras 3's `optimizer/vars` `name`, e.g. `adam`).
    var optimizerName: String?
    /// Metric state objects (Keras 3 `metrics/<metric>/vars`).
    var metricLayers: [LayerEntry] = []
    /// Tensors read during indexing (see ``Prefetch``), by dataset address.
    var prefetched: [UInt64: PrefetchedTensor] = [:]
}

/// Detects the layout and lists layers and weights, checking every link it follows.
final class FileIndexer {
    let file: File
    private let root: Group
    let limits: ReadLimits
    private let prefetch: Prefetch?
    /// Tensors read ahead so far and their bytes.
    private var prefetched: [UInt64: PrefetchedTensor] = [:]
    private var prefetchedBytes = 0
    /// Link tables of groups already listed, by group path.
    private var linkTables: [String: [String: Link]] = [:]
    /// Links listed so far, against ``ReadLimits/maximumObjects``.
    private var linkCount = 0
    /// Groups opened through ``hardGroup(_:in:)``, by path: a legacy layer's weights all sit in
    /// one subgroup, which is opened once.
    private var openedGroups: [String: Group] = [:]

    init(file: File, limits: ReadLimits, prefetch: Prefetch? = nil) throws {
        self.file = file
        self.root = try file.root
        self.limits = limits
        self.prefetch = prefetch
    }

    func index() throws -> FileIndex {
        var index = try layoutIndex()
        markHardLinks(&index)
        index.prefetched = prefetched
        return index
    }

    /// Sets `sharedWith` on every weight whose dataset was listed before under another path.
    private func markHardLinks(_ index: inout FileIndex) {
        var firstPath: [UInt64: String] = [:]
        func mark(_ weight: WeightEntry) -> WeightEntry {
            guard let first = firstPath[weight.objectAddress] else {
                firstPath[weight.objectAddress] = weight.path
                return weight
            }
            return WeightEntry(name: weight.name, path: weight.path, shape: weight.shape, dtype: weight.dtype,
                               storageSize: weight.storageSize, sharedWith: first, objectAddress: weight.objectAddress,
                               dataOffset: weight.dataOffset)
        }
        func marked(_ layers: [LayerEntry]) -> [LayerEntry] {
            layers.map { LayerEntry(name: $0.name, path: $0.path, weights: $0.weights.map(mark), hasStoredName: $0.hasStoredName) }
        }
        index.layers = marked(index.layers)
        index.topLevelWeights = index.topLevelWeights.map(mark)
        index.optimizerWeights = index.optimizerWeights.map(mark)
        index.metricLayers = marked(index.metricLayers)
    }

    private func layoutIndex() throws -> FileIndex {
        if try hasStrings(root, "layer_names") { return try legacyIndex(root, isFullModel: false) }
        if let modelWeights = try hardGroup("model_weights", in: root), try hasStrings(modelWeights, "layer_names") {
            return try legacyIndex(modelWeights, isFullModel: true)
        }
        var index = FileIndex(format: .kerasV3)
        try walkV3(root, ancestors: [try file.root.objectAddress], into: &index)
        index.layers = inWritingOrder(index.layers)
        index.metricLayers = inWritingOrder(index.metricLayers)
        guard !index.layers.isEmpty || !index.topLevelWeights.isEmpty || !index.optimizerWeights.isEmpty else {
            throw CheckpointError(file: file.path, .notAWeightsFile(
                "no layer_names attribute, no model_weights group and no …/vars groups"))
        }
        return index
    }

    // MARK: - Legacy layout

    private func legacyIndex(_ group: Group, isFullModel: Bool) throws -> FileIndex {
        var index = FileIndex(format: .kerasLegacy, isFullModel: isFullModel)
        ObjectTracker.reading("the attributes of \(group.path)", in: file.path)
        index.attributesGroup = group.path
        index.modelConfig = try Self.optionalString(root, "model_config", at: limits.maximumAttributeBytes)
        for name in try nameList(group, "layer_names") ?? [] {
            guard let layerGroup = try hardGroup(name, in: group) else {
                throw CheckpointError(file: file.path, .missingLayerGroup(layer: name))
            }
            index.layers.append(LayerEntry(name: name, path: layerGroup.path, weights: try legacyWeights(of: layerGroup, layer: name)))
            release(below: layerGroup.path)
        }
        if let topLevel = try hardGroup("top_level_model_weights", in: group) {
            index.topLevelWeights = try legacyWeights(of: topLevel, layer: "top_level_model_weights")
        }
        if isFullModel, let optimizer = try hardGroup("optimizer_weights", in: root) {
            index.optimizerWeights = try legacyWeights(of: optimizer, layer: "optimizer_weights")
        }
        return index
    }

    private func legacyWeights(of group: Group, layer: String) throws -> [WeightEntry] {
        return try (nameList(group, "weight_names") ?? []).map { weightName in
            guard let (dataset, link) = try hardDataset(weightName, in: group) else {
                throw CheckpointError(file: file.path, .missingWeight(layer: layer, weight: weightName))
            }
            return try entry(dataset, name: weightName, link: link)
        }
    }

    // MARK: - Keras 3 layout

    /// The part of a Keras 3 file a walk is in: the model, the optimizer (`/optimizer`) or metric
    /// state (`/metrics`).
    private enum V3Section { case model, optimizer, metrics }

    /// Walks the groups below `group` depth-first in natural name order; `ancestors` are the
    /// addresses of the groups on the way down, so a hard-link cycle is recognised, not followed.
    private func walkV3(_ group: Group, ancestors: [UInt64], section: V3Section = .model, into index: inout FileIndex) throws {
        guard ancestors.count <= limits.maximumDepth else {
            throw CheckpointError(file: file.path, .limitExceeded(path: group.path,
                detail: "groups nested deeper than \(limits.maximumDepth) levels (ReadLimits.maximumDepth)"))
        }
        let table = try links(of: group)
        for name in naturallySorted(table.keys) {
            try requireHardLink(table[name], name, in: group)
            if let address = table[name]?.objectAddress, ancestors.contains(address) {
                throw CheckpointError(file: file.path, .corruptObject(path: join(group.path, name),
                    detail: "a hard link back to an enclosing group (a cycle)"))
            }
            // Groups are opened directly (a dataset here fails to open as a group and is skipped):
            // cheaper than asking libhdf5 for each object's kind first.
            guard let child = openedOrNil({ try group.group(name) }) else { continue }
            if name == "vars" {
                let weights = try v3Weights(child)
                let stored = try Self.optionalString(child, "name", at: 64 << 10, storedAtMost: limits.maximumAttributeBytes)
                let layer = LayerEntry(name: stored ?? String(group.path.split(separator: "/").last ?? ""), path: group.path,
                                       weights: weights, hasStoredName: stored != nil)
                switch section {
                case .model where group.path == "/": index.topLevelWeights = weights
                case .model: index.layers.append(layer)
                case .optimizer:
                    index.optimizerWeights += weights
                    index.optimizerName = index.optimizerName ?? stored
                case .metrics: index.metricLayers.append(layer)
                }
            } else {
                let childSection: V3Section = group.path != "/" ? section : name == "optimizer" ? .optimizer : name == "metrics" ? .metrics : .model
                try walkV3(child, ancestors: ancestors + [table[name]?.objectAddress ?? 0], section: childSection, into: &index)
            }
        }
        linkTables[group.path] = nil   // listed once: not needed again
    }

    /// Keras 3 files do not record the model's layer order, but Keras (and Heft) write objects in
    /// that order and HDF5 allocates datasets as they are created: ordering objects by their first
    /// dataset's address (their subtree's, for containers) restores the model's order. A container
    /// comes before its sublayers; objects without any dataset go last; ties keep path order.
    private func inWritingOrder(_ layers: [LayerEntry]) -> [LayerEntry] {
        var firstAddress: [String: UInt64] = [:]
        for layer in layers {
            guard let own = layer.weights.map(\.objectAddress).min() else { continue }
            var path = Substring(layer.path)
            while !path.isEmpty {
                firstAddress[String(path)] = min(firstAddress[String(path)] ?? .max, own)
                path = path[..<(path.utf8.lastIndex(of: UInt8(ascii: "/")) ?? path.startIndex)]
            }
        }
        let keyed = layers.enumerated().map { position, layer in
            (address: firstAddress[layer.path] ?? .max, depth: layer.path.utf8.count { $0 == UInt8(ascii: "/") }, position: position, layer: layer)
        }
        return keyed.sorted { ($0.address, $0.depth, $0.position) < ($1.address, $1.depth, $1.position) }.map(\.layer)
    }

    /// The datasets `vars/0`, `vars/1`, … in index order. Keras 3 writes exactly those, so a gap
    /// in the numbering, an index that is not a dataset or any other link is an error, not
    /// something to skip.
    private func v3Weights(_ vars: Group) throws -> [WeightEntry] {
        let table = try links(of: vars)
        let indices = table.keys.compactMap { name in Int(name).flatMap { $0 >= 0 && String($0) == name ? $0 : nil } }.sorted()
        if let stray = table.keys.sorted().first(where: { name in !indices.contains { String($0) == name } }) {
            throw CheckpointError(file: file.path, .corruptObject(path: join(vars.path, stray),
                detail: "not a variable index (a Keras 3 vars group holds only the datasets 0, 1, …)"))
        }
        if indices != Array(0..<indices.count) {
            throw CheckpointError(file: file.path, .corruptObject(path: vars.path,
                detail: "variables are numbered \(indices.prefix(8).map(String.init).joined(separator: ", "))"
                    + "\(indices.count > 8 ? ", …" : "") instead of 0 to \(indices.count - 1)"))
        }
        return try indices.map { index in
            let name = String(index)
            try requireHardLink(table[name], name, in: vars)
            ObjectTracker.reading(join(vars.path, name), in: file.path)
            guard let dataset = openedOrNil({ try vars.dataset(name) }) else {
                throw CheckpointError(file: file.path, .corruptObject(path: join(vars.path, name),
                    detail: "not a dataset (Keras 3 stores each variable as one)"))
            }
            return try entry(dataset, name: name, link: table[name])
        }
    }

    // MARK: - Datasets

    /// The entry for `dataset`, reached through the hard link `link` (which gives its address),
    /// after every check that needs no data: storage that stays in this file, an allowed type and
    /// filter pipeline, a consistent extent within ``ReadLimits``, and stored bytes that can hold
    /// the declared tensor (no decompression bomb).
    private func entry(_ dataset: Dataset, name: String, link: Link?) throws -> WeightEntry {
        // libhdf5 gives an offset only for one allocated contiguous block in this file (not for
        // external storage, chunked, compact or virtual data), which runs no filters: the creation
        // properties, which libhdf5 copies on every query, are read only for the other layouts.
        let offset = dataset.fileOffset
        let storage = offset == nil ? try dataset.storageProperties : StorageProperties(layout: .contiguous, externalFileCount: 0)
        try requireLocalStorage(storage, of: dataset)
        let dtype: DType
        do { dtype = DType(try dataset.elementType) } catch let error as HDF5Error {
            throw CheckpointError(file: file.path, .unsupportedData(path: dataset.path, detail: error.messages.last ?? "\(error)"))
        }
        let extent = try dataset.extent
        let shape = extent.shape
        let bytes = try declaredBytes(of: dataset, extent: extent, dtype: dtype)
        let storageSize = try dataset.storageSize
        try requireConsistentStorage(storage, storageSize: storageSize, declared: bytes, dtype: dtype, of: dataset)
        let address = try link?.objectAddress ?? dataset.objectAddress
        if let prefetch, storageSize > 0, prefetched[address] == nil, prefetch.admits(bytes, after: prefetchedBytes) {
            readAhead(dataset, shape: shape, dtype: dtype, digest: prefetch.digests, address: address)
        }
        return WeightEntry(name: name, path: dataset.path, shape: shape, dtype: dtype,
                           storageSize: storageSize, sharedWith: nil, objectAddress: address,
                           dataOffset: offset)
    }

    /// Reads a checked dataset's values (and its digest text) while it is open (see ``Prefetch``).
    /// A failure leaves it unread: the read that needs it reports the error.
    private func readAhead(_ dataset: Dataset, shape: [Int], dtype: DType, digest: Bool, address: UInt64) {
        do {
            let value = try Tensor(shape: shape, dtype: dtype) { try dataset.read(into: $0, as: dtype.elementType) }
            prefetched[address] = PrefetchedTensor(value: value, digestText: digest ? try dataset.storedDigestText(maximumAttributeBytes: limits.maximumAttributeBytes) : nil)
            prefetchedBytes += value.byteCount
        } catch {
            return   // not read ahead; the later read reports this failure where the tensor is used
        }
    }

    // MARK: - Links

    /// Forgets the link tables and open groups of `path` and below: a layer's are needed only
    /// while it is indexed, and keeping every one costs memory in proportion to the file's layers.
    private func release(below path: String) {
        let prefix = path + "/"
        openedGroups = openedGroups.filter { $0.key != path && !$0.key.hasPrefix(prefix) }
        linkTables = linkTables.filter { $0.key != path && !$0.key.hasPrefix(prefix) }
    }

    private func links(of group: Group) throws -> [String: Link] {
        if let table = linkTables[group.path] { return table }
        ObjectTracker.reading(group.path, in: file.path)
        let list = try group.links()
        linkCount += list.count
        guard linkCount <= limits.maximumObjects else {
            throw CheckpointError(file: file.path, .limitExceeded(path: group.path,
                detail: "more than \(limits.maximumObjects) objects (ReadLimits.maximumObjects)"))
        }
        let table = Dictionary(list.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        linkTables[group.path] = table
        return table
    }

    /// The link `name` in `group`, from the group's listing (one `H5Literate` per group costs less
    /// than two lookups by name, measured).
    private func link(_ name: String, in group: Group) throws -> Link? {
        try links(of: group)[name]
    }

    /// Throws unless `link` (called `name` in `group`), when there is one, is a hard link.
    private func requireHardLink(_ link: Link?, _ name: String, in group: Group) throws {
        let path = join(group.path, name)
        switch link?.kind {
        case .hard?, nil: return
        case .soft(let target)?: throw CheckpointError(file: file.path, .unsafeObject(path: path, kind: "a soft link to \(target)"))
        case let .external(otherFile, otherPath)?:
            throw CheckpointError(file: file.path, .unsafeObject(path: path, kind: "an external link to \(otherFile):\(otherPath)"))
        case .other?: throw CheckpointError(file: file.path, .unsafeObject(path: path, kind: "a user-defined link"))
        }
    }

    private func join(_ groupPath: String, _ name: String) -> String {
        groupPath == "/" ? "/\(name)" : "\(groupPath)/\(name)"
    }

    /// The group at the relative `path` from `group`, reached through hard links only (a soft,
    /// external or user-defined link on the way throws); `nil` if a part is missing or not a group.
    private func hardGroup(_ path: String, in group: Group) throws -> Group? {
        if let opened = openedGroups[join(group.path, path)] { return opened }
        var current = group
        for part in path.split(separator: "/").map(String.init) {
            if let opened = openedGroups[join(current.path, part)] {
                current = opened
                continue
            }
            let link = try link(part, in: current)
            guard link != nil else { return nil }
            try requireHardLink(link, part, in: current)
            guard let next = openedOrNil({ try current.group(part) }) else { return nil }
            openedGroups[next.path] = next
            current = next
        }
        return current === group ? nil : current
    }

    /// The dataset at the relative `path` from `group`, reached through hard links only; `nil` if a
    /// part is missing, an intermediate part is not a group or the last part is not a dataset.
    private func hardDataset(_ path: String, in group: Group) throws -> (Dataset, Link)? {
        let last: String
        let parent: Group
        if let slash = path.lastIndex(of: "/") {
            last = String(path[path.index(after: slash)...])
            guard let found = try hardGroup(String(path[..<slash]), in: group) else { return nil }
            parent = found
        } else {
            last = path
            parent = group
        }
        guard let link = try link(last, in: parent) else { return nil }
        try requireHardLink(link, last, in: parent)
        ObjectTracker.reading(join(parent.path, last), in: file.path)
        return openedOrNil { try parent.dataset(last) }.map { ($0, link) }
    }

    /// The object `open` returns, or `nil` when libhdf5 cannot open it as that kind of object. The
    /// link was checked to exist just before, so a failure here means "not a group" or "not a dataset".
    private func openedOrNil<Object>(_ open: () throws -> Object) -> Object? {
        do { return try open() } catch { return nil }
    }

    // MARK: - Attributes

    /// A Keras name list (`layer_names`, `weight_names`, possibly chunked as `name0`, `name1`, …):
    /// an array, each name once; `nil` when the group has none.
    private func nameList(_ group: Group, _ name: String) throws -> [String]? {
        try group.requireAttributeStorage(atMost: limits.maximumAttributeBytes)
        guard let (names, isScalar) = try group.readChunkedStringsIfPresent(name, maximumBytes: limits.maximumAttributeBytes) else { return nil }
        if isScalar {
            throw CheckpointError(file: file.path, .corruptObject(path: group.path,
                detail: "\(name) is a single string, not a list of names (Keras cannot read it either)"))
        }
        var seen = Set<String>()
        if let repeated = names.first(where: { !seen.insert($0).inserted }) {
            throw CheckpointError(file: file.path, .corruptObject(path: group.path, detail: "\(name) lists '\(repeated)' twice"))
        }
        return names
    }

    /// Whether `container` has the string list `name` (or its first chunk), its attributes measured
    /// first: libhdf5 loads a densely stored value whole even to say that it exists.
    private func hasStrings(_ container: some AttributeContainer, _ name: String) throws -> Bool {
        try container.requireAttributeStorage(atMost: limits.maximumAttributeBytes)
        return try container.hasAttribute(name) || container.hasAttribute("\(name)0")
    }

    /// The string attribute `name`, if present: at most `limit` bytes, cut there with `truncating`
    /// (an attribute shown for information), else refused past it (``ReadLimits``). The object's
    /// attributes are measured first and refused past `storedAtMost` bytes of storage (default
    /// `limit`), since libhdf5 loads a stored value whole when it opens the attribute or
    /// only asks whether it exists.
    static func optionalString(_ container: some AttributeContainer, _ name: String, at limit: Int,
                                truncating: Bool = false, storedAtMost storage: Int? = nil) throws -> String? {
        try container.requireAttributeStorage(atMost: storage ?? limit)
        guard try container.hasAttribute(name) else { return nil }
        return try container.readString(name, maximumBytes: limit, truncating: truncating)
    }
}
