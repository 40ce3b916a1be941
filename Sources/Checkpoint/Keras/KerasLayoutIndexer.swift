/// The two Keras layouts as naming schemes over a ``WeightTree``: detects which one a container
/// holds and lists its layers and weights, following only hard links.
///
/// - Legacy (`layer_names` at the root or in `model_weights`): read the way Keras reads it, from
///   `layer_names` to each layer's group and from its `weight_names` to each dataset; nothing else
///   in the tree is opened.
/// - Keras 3 (`…/vars/<i>`): Keras finds variables by walking the tree, so the whole tree is
///   walked, and any soft or external link, cycle or nesting beyond ``ReadLimits/maximumDepth``
///   is refused.
package final class KerasLayoutIndexer<Tree: WeightTree> {
    private let tree: Tree
    private var limits: ReadLimits { tree.limits }
    /// Groups opened through ``hardGroup(_:in:)``, by path: a legacy layer's weights all sit in
    /// one subgroup, which is opened once.
    private var openedGroups: [String: Tree.Node] = [:]

    package init(_ tree: Tree) {
        self.tree = tree
    }

    /// The layout found and everything it lists, with hard-linked tensors marked.
    ///
    /// - Throws: ``CheckpointError`` for a tree that is neither layout, a listed object that is
    ///   missing or reached through a link that is not hard, a damaged structure, or anything
    ///   beyond the limits.
    package func index() throws -> WeightIndex {
        var index = try layoutIndex()
        markSharedTensors(&index)
        return index
    }

    private var file: String { tree.path }

    private func layoutIndex() throws -> WeightIndex {
        let root = try tree.root()
        if try tree.hasNameList("layer_names", in: root) { return try legacyIndex(root, root: root, isFullModel: false) }
        if let modelWeights = try hardGroup("model_weights", in: root), try tree.hasNameList("layer_names", in: modelWeights) {
            return try legacyIndex(modelWeights, root: root, isFullModel: true)
        }
        var index = WeightIndex(format: .kerasV3)
        try walkV3(root, ancestors: [try tree.objectID(of: root)], into: &index)
        index.layers = inWritingOrder(index.layers)
        index.metricLayers = inWritingOrder(index.metricLayers)
        guard !index.layers.isEmpty || !index.topLevelWeights.isEmpty || !index.optimizerWeights.isEmpty else {
            throw CheckpointError(file: file, .notAWeightsFile(
                "an HDF5 file with no layer_names attribute, no model_weights group and no …/vars groups"))
        }
        return index
    }

    /// Sets `sharedWith` on every weight whose tensor was listed before under another path.
    private func markSharedTensors(_ index: inout WeightIndex) {
        var firstPath: [UInt64: String] = [:]
        func mark(_ weight: WeightEntry) -> WeightEntry {
            guard let first = firstPath[weight.storageID] else {
                firstPath[weight.storageID] = weight.path
                return weight
            }
            var shared = weight
            shared.sharedWith = first
            return shared
        }
        func marked(_ layers: [LayerEntry]) -> [LayerEntry] {
            layers.map { LayerEntry(name: $0.name, path: $0.path, weights: $0.weights.map(mark), hasStoredName: $0.hasStoredName) }
        }
        index.layers = marked(index.layers)
        index.topLevelWeights = index.topLevelWeights.map(mark)
        index.optimizerWeights = index.optimizerWeights.map(mark)
        index.metricLayers = marked(index.metricLayers)
    }

    // MARK: - Legacy layout

    private func legacyIndex(_ group: Tree.Node, root: Tree.Node, isFullModel: Bool) throws -> WeightIndex {
        var index = WeightIndex(format: .kerasLegacy, isFullModel: isFullModel)
        tree.noteReading("the attributes of \(tree.path(of: group))")
        index.modelConfig = try tree.text("model_config", in: root, limit: limits.maximumAttributeBytes, truncating: false)
        for name in try nameList(group, "layer_names") ?? [] {
            guard let layerGroup = try hardGroup(name, in: group) else {
                throw CheckpointError(file: file, .missingLayerGroup(layer: name))
            }
            let layerPath = tree.path(of: layerGroup)
            index.layers.append(LayerEntry(name: name, path: layerPath, weights: try legacyWeights(of: layerGroup, layer: name)))
            release(below: layerPath)
        }
        if let topLevel = try hardGroup("top_level_model_weights", in: group) {
            index.topLevelWeights = try legacyWeights(of: topLevel, layer: "top_level_model_weights")
        }
        if isFullModel, let optimizer = try hardGroup("optimizer_weights", in: root) {
            index.optimizerWeights = try legacyWeights(of: optimizer, layer: "optimizer_weights")
        }
        return index
    }

    private func legacyWeights(of group: Tree.Node, layer: String) throws -> [WeightEntry] {
        try (nameList(group, "weight_names") ?? []).map { weightName in
            guard let entry = try hardTensor(weightName, in: group) else {
                throw CheckpointError(file: file, .missingWeight(layer: layer, weight: weightName))
            }
            return entry
        }
    }

    /// A Keras name list (`layer_names`, `weight_names`): an array, each name once; `nil` when
    /// the group has none.
    private func nameList(_ group: Tree.Node, _ name: String) throws -> [String]? {
        guard let (names, isScalar) = try tree.nameList(name, in: group) else { return nil }
        if isScalar {
            throw CheckpointError(file: file, .corruptObject(path: tree.path(of: group),
                detail: "\(name) is a single string, not a list of names (Keras cannot read it either)"))
        }
        var seen = Set<String>()
        if let repeated = names.first(where: { !seen.insert($0).inserted }) {
            throw CheckpointError(file: file, .corruptObject(path: tree.path(of: group), detail: "\(name) lists '\(repeated)' twice"))
        }
        return names
    }

    // MARK: - Keras 3 layout

    /// The part of a Keras 3 file a walk is in: the model, the optimizer (`/optimizer`) or metric
    /// state (`/metrics`).
    private enum V3Section { case model, optimizer, metrics }

    /// Walks the groups below `group` depth-first in natural name order; `ancestors` are the
    /// identities of the groups on the way down, so a hard-link cycle is recognised, not followed.
    private func walkV3(_ group: Tree.Node, ancestors: [UInt64], section: V3Section = .model, into index: inout WeightIndex) throws {
        let groupPath = tree.path(of: group)
        guard ancestors.count <= limits.maximumDepth else {
            throw CheckpointError(file: file, .limitExceeded(path: groupPath,
                detail: "groups nested deeper than \(limits.maximumDepth) levels (ReadLimits.maximumDepth)"))
        }
        let table = try tree.links(of: group)
        for name in naturallySorted(table.keys) {
            let link = table[name]!
            try requireHardLink(link, name, in: groupPath)
            if let id = link.objectID, ancestors.contains(id) {
                throw CheckpointError(file: file, .corruptObject(path: join(groupPath, name),
                    detail: "a hard link back to an enclosing group (a cycle)"))
            }
            // Groups are opened directly (a dataset here is not a group and is skipped).
            guard let child = try tree.group(name, in: group) else { continue }
            if name == "vars" {
                let weights = try v3Weights(child)
                let stored = try tree.text("name", in: child, limit: 64 << 10, truncating: false)
                let layer = LayerEntry(name: stored ?? String(groupPath.split(separator: "/").last ?? ""), path: groupPath,
                                       weights: weights, hasStoredName: stored != nil)
                switch section {
                case .model where groupPath == "/": index.topLevelWeights = weights
                case .model: index.layers.append(layer)
                case .optimizer:
                    index.optimizerWeights += weights
                    index.optimizerName = index.optimizerName ?? stored
                case .metrics: index.metricLayers.append(layer)
                }
            } else {
                let childSection: V3Section = groupPath != "/" ? section : name == "optimizer" ? .optimizer : name == "metrics" ? .metrics : .model
                try walkV3(child, ancestors: ancestors + [link.objectID ?? 0], section: childSection, into: &index)
            }
        }
        tree.release(below: groupPath)
    }

    /// Keras 3 files do not record the model's layer order, but Keras (and Heft) write objects in
    /// that order and storage is allocated as tensors are created: ordering objects by their
    /// first tensor's identity (their subtree's, for containers) restores the model's order. A
    /// container comes before its sublayers; objects without any tensor go last; ties keep path order.
    private func inWritingOrder(_ layers: [LayerEntry]) -> [LayerEntry] {
        var firstAddress: [String: UInt64] = [:]
        for layer in layers {
            guard let own = layer.weights.map(\.storageID).min() else { continue }
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

    /// The tensors `vars/0`, `vars/1`, … in index order. Keras 3 writes exactly those, so a gap
    /// in the numbering, an index that is not a dataset or any other link is an error, not
    /// something to skip.
    private func v3Weights(_ vars: Tree.Node) throws -> [WeightEntry] {
        let varsPath = tree.path(of: vars)
        let table = try tree.links(of: vars)
        let indices = table.keys.compactMap { name in Int(name).flatMap { $0 >= 0 && String($0) == name ? $0 : nil } }.sorted()
        if let stray = table.keys.sorted().first(where: { name in !indices.contains { String($0) == name } }) {
            throw CheckpointError(file: file, .corruptObject(path: join(varsPath, stray),
                detail: "not a variable index (a Keras 3 vars group holds only the datasets 0, 1, …)"))
        }
        if indices != Array(0..<indices.count) {
            throw CheckpointError(file: file, .corruptObject(path: varsPath,
                detail: "variables are numbered \(indices.prefix(8).map(String.init).joined(separator: ", "))"
                    + "\(indices.count > 8 ? ", …" : "") instead of 0 to \(indices.count - 1)"))
        }
        return try indices.map { index in
            let name = String(index)
            let link = table[name]!
            try requireHardLink(link, name, in: varsPath)
            tree.noteReading(join(varsPath, name))
            guard let entry = try tree.tensor(name, in: vars, link: link, entryName: name) else {
                throw CheckpointError(file: file, .corruptObject(path: join(varsPath, name),
                    detail: "not a dataset (Keras 3 stores each variable as one)"))
            }
            return entry
        }
    }

    // MARK: - Links

    private func release(below path: String) {
        let prefix = path + "/"
        openedGroups = openedGroups.filter { $0.key != path && !$0.key.hasPrefix(prefix) }
        tree.release(below: path)
    }

    /// Throws unless `link` (called `name` in the group at `groupPath`) is a hard link.
    private func requireHardLink(_ link: TreeLink, _ name: String, in groupPath: String) throws {
        let path = join(groupPath, name)
        switch link {
        case .hard: return
        case .soft(let target): throw CheckpointError(file: file, .unsafeObject(path: path, kind: "a soft link to \(target)"))
        case let .external(otherFile, otherPath):
            throw CheckpointError(file: file, .unsafeObject(path: path, kind: "an external link to \(otherFile):\(otherPath)"))
        case .other: throw CheckpointError(file: file, .unsafeObject(path: path, kind: "a user-defined link"))
        }
    }

    private func join(_ groupPath: String, _ name: String) -> String {
        groupPath == "/" ? "/\(name)" : "\(groupPath)/\(name)"
    }

    /// The group at the relative `path` from `group`, reached through hard links only (a soft,
    /// external or user-defined link on the way throws); `nil` if a part is missing or not a group.
    private func hardGroup(_ path: String, in group: Tree.Node) throws -> Tree.Node? {
        let start = tree.path(of: group)
        if let opened = openedGroups[join(start, path)] { return opened }
        var current = group
        var currentPath = start
        for part in path.split(separator: "/").map(String.init) {
            let nextPath = join(currentPath, part)
            if let opened = openedGroups[nextPath] {
                (current, currentPath) = (opened, nextPath)
                continue
            }
            guard let link = try tree.links(of: current)[part] else { return nil }
            try requireHardLink(link, part, in: currentPath)
            guard let next = try tree.group(part, in: current) else { return nil }
            openedGroups[nextPath] = next
            (current, currentPath) = (next, nextPath)
        }
        return currentPath == start ? nil : current
    }

    /// The tensor at the relative `path` from `group`, reached through hard links only; `nil` if a
    /// part is missing, an intermediate part is not a group or the last part is not a dataset.
    private func hardTensor(_ path: String, in group: Tree.Node) throws -> WeightEntry? {
        let last: String
        let parent: Tree.Node
        if let slash = path.lastIndex(of: "/") {
            last = String(path[path.index(after: slash)...])
            guard let found = try hardGroup(String(path[..<slash]), in: group) else { return nil }
            parent = found
        } else {
            last = path
            parent = group
        }
        let parentPath = tree.path(of: parent)
        guard let link = try tree.links(of: parent)[last] else { return nil }
        try requireHardLink(link, last, in: parentPath)
        tree.noteReading(join(parentPath, last))
        return try tree.tensor(last, in: parent, link: link, entryName: path)
    }
}
