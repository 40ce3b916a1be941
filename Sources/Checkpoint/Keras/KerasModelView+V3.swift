extension KerasModelView {
    /// The view of a Keras 3 file (`layers/<path>/vars/<i>`), with the model config when one
    /// comes with it (a `.keras` archive).
    init(v3 file: WeightFile, hints: ClassHints, config: KerasLayerConfig? = nil) {
        var builder = V3ViewBuilder(file: file, hints: hints, config: config)
        self = builder.build()
    }
}

/// Builds the view of a Keras 3 file by walking each object's path: the `layers` container of a
/// model holds layers under class-based names (their stored `name` is the layer's name), a model's
/// other attributes hold layers too (subclassed models), and a built-in layer's attributes hold its
/// sublayers (the catalog's attributes).
private struct V3ViewBuilder {
    let file: WeightFile
    let hints: ClassHints
    let config: KerasLayerConfig?
    /// Each object by its path (without the leading `/`), with its position in the file's
    /// (writing) order.
    let objects: [String: (entry: LayerEntry, position: Int)]
    /// The walk's memo of the objects' parents; emptied once every object is placed.
    private var nodes: [String: Node] = [:]

    init(file: WeightFile, hints: ClassHints, config: KerasLayerConfig?) {
        self.file = file
        self.hints = hints
        self.config = config
        objects = Dictionary(file.layers.enumerated().map { (String($1.path.dropFirst()), ($1, $0)) }, uniquingKeysWith: { first, _ in first })
    }

    /// What the walk knows of one object path.
    struct Node {
        /// Identity components: layer names, then attributes.
        var identity: [String]
        /// The same with Keras 3 path names instead of layer names.
        var pathNames: [String]
        /// Legacy weight-name components from the innermost layer down (tf-keras style).
        var legacy: [String]
        var layerClass: KerasLayerClass?
        var source: KerasModelView.ClassSource
        var config: KerasLayerConfig?
        /// A model's `layers` container (not an object).
        var isContainer = false
        var isModel: Bool
        /// The path of the top-level layer this object belongs to ("" for the root).
        var top: String
        /// Where the object comes among its top-level layer's objects (creation order).
        var orderKey: [Int]
        /// Whether the names and order of the object's variables are known (the class, or a rule).
        var isKnown: Bool
        /// Whether the object is a recurrent layer's cell (its variables are kernel,
        /// recurrent_kernel, bias whatever the cell's class).
        var isCell = false
    }

    /// What a top-level layer of the view takes from its node.
    struct TopLayer {
        let name: String?
        let className: String?
        let source: KerasModelView.ClassSource

        init(_ node: Node) {
            (name, className, source) = (node.identity.first, node.layerClass?.name, node.source)
        }
    }

    mutating func build() -> KerasModelView {
        var layerOrder: [String] = []
        var listed = Set<String>()
        var variablesByTop: [String: [(key: [Int], variable: KerasModelView.Variable)]] = [:]
        var unknownObjects: [String: String] = [:]
        var topLayers: [String: TopLayer] = [:]
        var seen: [String: UInt64] = [:]
        var named = true   // every top-level layer's name is stored
        // Objects under the primary spelling of an attribute first, so a hard-linked second spelling is the one dropped.
        let secondSpellings = Set(KerasCatalog.attributeAliases.values.joined())
        let spelledSecond = { (object: LayerEntry) in object.path.split(separator: "/").contains { secondSpellings.contains(String($0)) } }
        for object in file.layers.filter({ !spelledSecond($0) }) + file.layers.filter(spelledSecond) {
            // Made, not memoized: only the objects' parents are asked for again (a flat model of
            // 50 000 layers would otherwise keep a node for each).
            let node = makeNode(object.path.split(separator: "/").map(String.init))
            let objectPath = String(object.path.dropFirst())
            if objectPath == node.top && !object.hasStoredName { named = false }
            guard !node.top.isEmpty else { continue }
            if listed.insert(node.top).inserted { layerOrder.append(node.top) }
            if objectPath == node.top { topLayers[node.top] = TopLayer(node) }
            let names = variableNames(of: object, node: node)
            if !object.weights.isEmpty && (names == nil || !node.isKnown) && unknownObjects[node.top] == nil {
                unknownObjects[node.top] = node.layerClass.map { layerClass in
                    "the layer at \(object.path) (\(layerClass.name)) holds \(object.weights.count) of its variables, and a .weights.h5 "
                        + "does not say which of the optional ones (use_bias, center, scale, …) are on"
                } ?? "the class of the layer at \(object.path) is not recorded (tf-keras's .weights.h5 stores no layer names) or not in "
                    + "Heft's catalog, so the names and order of its variables are unknown"
            }
            for (index, entry) in object.weights.enumerated() {
                let spec = names?[index]
                let variable = spec?.name ?? "vars/\(index)"
                // A hard link under another spelling of the same attribute (Heft writes MultiHeadAttention's
                // `query_dense` also as `_query_dense`, which tf-keras reads) is the same variable.
                let identity = (node.identity + [variable]).joined(separator: "/")
                if let address = seen[identity], address == entry.storageID { continue }
                seen[identity] = entry.storageID
                let legacyLeaf = spec?.name ?? "vars_\(index)"
                variablesByTop[node.top, default: []].append((node.orderKey + [index], KerasModelView.Variable(
                    entry: entry, identity: identity,
                    pathIdentity: (node.pathNames + [variable]).joined(separator: "/"), variable: spec?.name,
                    v3Location: KerasModelView.V3Location(object: objectPath, index: index, objectNames: []),
                    legacyName: (node.legacy + [legacyLeaf]).joined(separator: "/") + ":0",
                    trainable: spec?.trainable)))
            }
        }
        seen = [:]
        // Only what the layers need stays: the memo and each layer's sort keys go as the layers are made.
        nodes = [:]
        let layers = layerOrder.map { top -> KerasModelView.Layer in
            let layer = topLayers.removeValue(forKey: top) ?? TopLayer(node(top.split(separator: "/").map(String.init)))
            let ordered = (variablesByTop.removeValue(forKey: top) ?? []).sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.variable)
            let legacyOrder = ordered.filter { $0.trainable != false } + ordered.filter { $0.trainable == false }
            let unplaceable = unknownObjects[top]
            return KerasModelView.Layer(name: layer.name ?? top, path: "/" + top, className: layer.className, classSource: layer.source,
                                        v3Path: top, variables: legacyOrder, unplaceable: unplaceable)
        }
        let modelVariables = file.topLevelWeights.enumerated().map { index, entry in
            KerasModelView.Variable(entry: entry, identity: "vars/\(index)", pathIdentity: "vars/\(index)", variable: nil,
                                    v3Location: KerasModelView.V3Location(object: "", index: index, objectNames: []),
                                    legacyName: "vars_\(index):0", trainable: nil)
        }
        let partial = KerasModelView(format: .kerasV3, layers: layers, modelVariables: modelVariables, optimizer: nil,
                                     metrics: metricVariables(), hasLayerNames: named)
        return partial.with(optimizer: V3OptimizerNames(file: file, model: partial).state())
    }

    // MARK: - Walk

    mutating func node(_ parts: [String]) -> Node {
        let key = parts.joined(separator: "/")
        if let known = nodes[key] { return known }
        let made = makeNode(parts)
        nodes[key] = made
        return made
    }

    private mutating func makeNode(_ parts: [String]) -> Node {
        guard let component = parts.last else {
            return Node(identity: [], pathNames: [], legacy: [], layerClass: nil, source: .config, config: config,
                        isModel: true, top: "", orderKey: [], isKnown: true)
        }
        let parent = node(Array(parts.dropLast()))
        let path = parts.joined(separator: "/")
        let stored = objects[path].flatMap { $0.entry.hasStoredName ? $0.entry.name : nil }
        if component == "layers" && parent.isModel {
            var container = parent
            container.isContainer = true
            return container
        }
        let position = objects[path]?.position ?? file.layers.count
        if parent.isContainer || parent.isModel {
            return element(component, stored: stored, path: path, parent: parent, position: position)
        }
        if let parentClass = parent.layerClass, let sublayer = parentClass.sublayer(attribute: component) {
            let placement = CatalogPlacement(config: parent.config)
            var innerClass = placement.innerClass(of: sublayer, evidence: stored)
            if innerClass == nil, parentClass.name == "Bidirectional" { innerClass = KerasCatalog.layerClass(named: "RNN") }
            let innerConfig: KerasLayerConfig? = {
                guard case .configured(let keys) = sublayer.layerClass else { return nil }
                return keys.lazy.compactMap { parent.config?.wrapped($0) }.first
            }()
            let index = parentClass.sublayers.firstIndex { $0.attribute == sublayer.attribute } ?? 0
            return Node(identity: parent.identity + [sublayer.attribute], pathNames: parent.pathNames + [sublayer.attribute],
                        legacy: parent.legacy + [LegacyComponents.name(of: sublayer.attribute, in: parentClass, storedName: stored,
                                                                         innerClass: innerClass)],
                        layerClass: innerClass, source: parent.source, config: innerConfig, isModel: innerClass?.role == .model,
                        top: parent.top, orderKey: parent.orderKey + [index], isKnown: innerClass != nil || component == "cell",
                        isCell: component == "cell")
        }
        // An attribute of a class the catalog does not know: its stored name, else the attribute.
        let name = stored ?? component
        return Node(identity: parent.identity + [name], pathNames: parent.pathNames + [component], legacy: parent.legacy + [name],
                    layerClass: stored.flatMap(KerasCatalog.layerClass(automaticName:)), source: .unknown, config: nil,
                    isModel: false, top: parent.top, orderKey: parent.orderKey + [1000 + position], isKnown: false)
    }

    /// A layer held by a model: in its `layers` container (named after its class) or in an
    /// attribute of a subclassed model.
    private func element(_ component: String, stored: String?, path: String, parent: Node, position: Int) -> Node {
        let name = stored ?? component
        let layerConfig = parent.config?.layer(named: name)
        var layerClass: KerasLayerClass?
        var source = KerasModelView.ClassSource.unknown
        if let layerConfig {
            layerClass = KerasCatalog.layerClass(named: layerConfig.className)
            source = .config
        } else if parent.isContainer, let byPath = KerasCatalog.layerClass(automaticName: component) {
            (layerClass, source) = (byPath, .path)
        } else if let hinted = hints.classes[name].flatMap(KerasCatalog.layerClass(named:)) {
            (layerClass, source) = (hinted, .reference)
        } else if let byName = KerasCatalog.layerClass(automaticName: name) {
            (layerClass, source) = (byName, .automaticName)
        }
        let isTop = parent.top.isEmpty
        return Node(identity: parent.identity + [name], pathNames: parent.pathNames + [component], legacy: [name],
                    layerClass: layerClass, source: source, config: layerConfig, isModel: layerClass?.role == .model,
                    top: isTop ? path : parent.top, orderKey: isTop ? [] : parent.orderKey + [position], isKnown: layerClass != nil)
    }

    // MARK: - Variables

    /// The catalog's variables of an object, in `vars` order: by its class (under its config, or
    /// fitting the count when optional ones are off), a recurrent cell's, or inferred from shapes.
    private func variableNames(of object: LayerEntry, node: Node) -> [KerasVariableSpec]? {
        let count = object.weights.count
        guard count > 0 else { return [] }
        if let layerClass = node.layerClass {
            let specs = node.config.map { layerClass.variables(config: $0) } ?? layerClass.variables(count: count)
            if let specs, specs.count == count { return specs }
            // Optional variables off: the other file of a diff (or a conversion's source) says which.
            let told = layerClass.variableCandidates(count: count).filter { candidate in
                candidate.allSatisfy { hints.identities.contains((node.identity + [$0.name]).joined(separator: "/"))
                    || hints.identities.contains((node.pathNames + [$0.name]).joined(separator: "/")) }
            }
            if told.count == 1 { return told[0] }
        }
        if node.isCell {
            let cell = [KerasVariableSpec("kernel", "(in, k * units)"), KerasVariableSpec("recurrent_kernel", "(units, k * units)"),
                        KerasVariableSpec("bias", "(k * units,)")]
            return count <= 3 ? Array(cell.prefix(count)) : nil
        }
        return inferredNames(object.weights.map(\.shape))
    }

    /// Variable names told by shapes alone, for the few signatures only one catalog family has
    /// (kernel and bias, the four BatchNormalization statistics); else `nil`.
    private func inferredNames(_ shapes: [[Int]]) -> [KerasVariableSpec]? {
        let ranks = shapes.map(\.count)
        switch ranks.count {
        case 2 where ranks[0] >= 2 && ranks[1] == 1:
            return [KerasVariableSpec("kernel", "?"), KerasVariableSpec("bias", "?")]
        case 4 where ranks.allSatisfy({ $0 == 1 }):
            return KerasCatalog.layerClass(named: "BatchNormalization")?.variables
        default:
            return nil
        }
    }

    /// Metric state: `metrics/<metric>/vars/<i>`.
    private func metricVariables() -> [KerasModelView.Variable] {
        file.metricLayers.flatMap { object in
            object.weights.enumerated().map { index, entry in
                let path = String(object.path.dropFirst())
                return KerasModelView.Variable(entry: entry, identity: "\(path)/vars/\(index)", pathIdentity: "\(path)/vars/\(index)",
                                               variable: nil, v3Location: KerasModelView.V3Location(object: path, index: index, objectNames: []),
                                               legacyName: "\(path)/vars_\(index):0",
                                               trainable: false)
            }
        }
    }
}
