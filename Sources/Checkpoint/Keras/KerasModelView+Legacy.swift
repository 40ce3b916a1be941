extension KerasModelView {
    /// The view of a legacy file (`layer_names`, `weight_names`).
    init(legacy file: WeightFile, hints: ClassHints) {
        var builder = LegacyViewBuilder(file: file, hints: hints)
        self = builder.build()
    }
}

/// Builds the view of a legacy file: each layer's class, then each weight's place from its
/// legacy name, then the Keras 3 path names from the classes (Keras 3 counts per class in the
/// model's layer order).
private struct LegacyViewBuilder {
    let file: WeightFile
    let hints: ClassHints
    let config: KerasLayerConfig?
    /// tf-keras writes a subclassed model's weights under the model's name scope
    /// (`mlp_model/dense/kernel:0`); Keras 3 puts a Sequential's name there too. tf-keras's weight
    /// names end in `:0`, Keras 3's do not.
    let writtenByTfKeras: Bool

    init(file: WeightFile, hints: ClassHints) {
        self.file = file
        self.hints = hints
        config = file.modelConfig.flatMap(KerasLayerConfig.init(json:))
        writtenByTfKeras = file.weights.allSatisfy { $0.name.hasSuffix(":0") }
    }

    /// A weight placed in its layer: element names below the layer (nested models), their
    /// classes, then the attribute path and variable inside the innermost layer.
    struct Placed {
        var elements: [(name: String, layerClass: KerasLayerClass?)]
        var attributes: [String]
        var variable: String
        var spec: KerasVariableSpec?
        /// The variable's position among its object's variables in creation order (catalog).
        var order: Int = 0
        /// The names of the objects on `attributes`.
        var objectNames: [String] = []
    }

    mutating func build() -> KerasModelView {
        var position: [String: Int] = [:]
        for layer in file.layers where !layer.weights.isEmpty && position[layer.name] == nil { position[layer.name] = position.count }
        let resolved = file.layers.map { resolve($0, position: position[$0.name]) }
        let pathNames = containerNames(resolved.map { ($0.entry.name, $0.layerClass) })
        let subclassed = isSubclassed
        var layers: [KerasModelView.Layer] = []
        for (index, layer) in resolved.enumerated() {
            let top = pathNames?[index]
            var variables: [KerasModelView.Variable] = []
            var unplaceable = layer.unplaceable ?? (subclassed ? "the model is subclassed: Keras 3 stores its layers under attribute names, which a legacy file does not record" : nil)
            let innerNames = innerPathNames(layer)
            for (entry, placed) in zip(layer.entry.weights, layer.placements) {
                let names = [layer.entry.name] + placed.elements.map(\.name)
                let path: [String]? = top.flatMap { top in innerNames.map { inner in [top] + placed.elements.map { inner[$0.name] ?? $0.name } } }
                let identity = (names + placed.attributes + [placed.variable]).joined(separator: "/")
                let pathIdentity = (subclassed ? nil : path).map { ($0 + placed.attributes + [placed.variable]).joined(separator: "/") }
                variables.append(KerasModelView.Variable(entry: entry, identity: identity, pathIdentity: pathIdentity,
                                                         variable: placed.spec?.name ?? placed.variable, v3Location: nil,
                                                         legacyName: entry.name, trainable: placed.spec?.trainable))
            }
            if unplaceable == nil, top == nil || innerNames == nil {
                let culprit = resolved.first { !$0.entry.weights.isEmpty && $0.layerClass == nil }?.entry.name
                    ?? layer.inner.first { $0.layerClass == nil }?.name ?? "?"
                unplaceable = "the Keras 3 path of layer '\(layer.entry.name)' counts the layers of its class before it, and the class "
                    + "of layer '\(culprit)' is not recorded (a weights-only file and a custom layer name)"
            }
            let located = unplaceable == nil ? withV3Locations(variables, layer: layer, top: top!, inner: innerNames!) : variables
            if unplaceable == nil, located.contains(where: { $0.v3Location == nil }) {
                unplaceable = "the class of a layer that '\(layer.entry.name)' (\(layer.layerClass?.name ?? "unknown class")) wraps is not recorded"
            }
            layers.append(KerasModelView.Layer(name: layer.entry.name, path: layer.entry.path, className: layer.layerClass?.name, classSource: layer.source,
                                               v3Path: top.map { "layers/\($0)" }, variables: located, unplaceable: unplaceable))
        }
        let modelVariables = file.topLevelWeights.map { entry in
            let variable = trimmed(entry.name).split(separator: "/").last.map(String.init) ?? entry.name
            return KerasModelView.Variable(entry: entry, identity: "top_level_model_weights/" + trimmed(entry.name), pathIdentity: nil,
                                           variable: variable, v3Location: nil, legacyName: entry.name, trainable: nil)
        }
        let partial = KerasModelView(format: .kerasLegacy, layers: layers, modelVariables: modelVariables, optimizer: nil,
                                     metrics: [], hasLayerNames: true)
        return partial.with(optimizer: LegacyOptimizerNames(file: file, model: partial).state())
    }

    // MARK: - Classes

    struct ResolvedLayer {
        let entry: LayerEntry
        let layerClass: KerasLayerClass?
        let source: KerasModelView.ClassSource
        let config: KerasLayerConfig?
        let placements: [Placed]
        let unplaceable: String?
        /// Inner layers of a nested model in their order, with classes.
        let inner: [(name: String, layerClass: KerasLayerClass?)]
    }

    /// The layer's class and each weight's place: the class from the config, a reference, or the
    /// layer's automatic name (kept only if every weight fits it); else each weight's own name.
    func resolve(_ entry: LayerEntry, position: Int?) -> ResolvedLayer {
        let names = entry.weights.map { components(of: $0.name, below: entry.name) }
        let layerConfig = config?.layer(named: entry.name)
        var candidates: [(KerasLayerClass, KerasModelView.ClassSource)] = []
        if let layerConfig, let known = KerasCatalog.layerClass(named: layerConfig.className) { candidates.append((known, .config)) }
        if layerConfig == nil, let hinted = hints.classes[entry.name].flatMap(KerasCatalog.layerClass(named:)) { candidates.append((hinted, .reference)) }
        if layerConfig == nil, let named = KerasCatalog.layerClass(automaticName: entry.name) { candidates.append((named, .automaticName)) }
        if layerConfig == nil, let position, position < hints.ordered.count,
           let ordered = hints.ordered[position].flatMap(KerasCatalog.layerClass(named:)) { candidates.append((ordered, .reference)) }
        for (layerClass, source) in candidates {
            if let placed = place(names, in: layerClass, config: layerConfig) {
                let nested = layerClass.role == .model
                let unplaceable = nested && layerConfig == nil
                    ? "layer '\(entry.name)' is a nested model: a weights-only file does not record the order of its layers" : nil
                return ResolvedLayer(entry: entry, layerClass: layerClass, source: source, config: layerConfig, placements: placed.weights,
                                     unplaceable: unplaceable, inner: placed.inner)
            }
            if source == .config {
                return generic(entry, names, layerConfig, why: "its weights do not fit a \(layerClass.name)")
            }
        }
        let why = layerConfig.map { "its class \($0.className) is not in Heft's catalog" }
            ?? "its class is not recorded (a weights-only file and a custom layer name)"
        return generic(entry, names, layerConfig, why: why)
    }

    /// A layer of unknown class: each weight keeps the path its legacy name gives.
    private func generic(_ entry: LayerEntry, _ names: [[String]], _ layerConfig: KerasLayerConfig?, why: String) -> ResolvedLayer {
        let placed = names.map { parts in
            Placed(elements: [], attributes: Array(parts.dropLast()), variable: parts.last ?? "", spec: nil)
        }
        let unplaceable = entry.weights.isEmpty ? nil : "the class of layer '\(entry.name)' is unknown: \(why)"
        return ResolvedLayer(entry: entry, layerClass: nil, source: .unknown, config: layerConfig, placements: placed,
                             unplaceable: unplaceable, inner: [])
    }

    /// Places every weight of a layer of `layerClass`, or `nil` if one does not fit.
    private func place(_ names: [[String]], in layerClass: KerasLayerClass, config layerConfig: KerasLayerConfig?)
        -> (weights: [Placed], inner: [(name: String, layerClass: KerasLayerClass?)])? {
        if layerClass.role == .model { return placeNested(names, config: layerConfig) }
        let placement = CatalogPlacement(config: layerConfig)
        var seen = Set<[String]>()
        var weights: [Placed] = []
        for parts in names {
            guard let slot = placement.slot(of: parts, in: layerClass),
                  seen.insert(slot.attributes + [slot.variable.name]).inserted else { return nil }
            weights.append(Placed(elements: [], attributes: slot.attributes, variable: slot.variable.name,
                                  spec: slot.order < 0 ? nil : slot.variable, order: slot.order, objectNames: slot.objectNames))
        }
        return (weights, [])
    }

    /// The weights of a nested model: the first name component is the inner layer.
    private func placeNested(_ names: [[String]], config modelConfig: KerasLayerConfig?)
        -> (weights: [Placed], inner: [(name: String, layerClass: KerasLayerClass?)])? {
        var order: [String] = modelConfig?.layers.map(\.name) ?? []
        var listed = Set(order)
        var weights: [Placed] = []
        var classes: [String: KerasLayerClass?] = [:]
        for parts in names {
            guard parts.count >= 2 else { return nil }
            let innerName = parts[0], rest = Array(parts.dropFirst())
            if !listed.contains(innerName) {
                guard modelConfig == nil else { return nil }   // a config lists every layer
                order.append(innerName)
                listed.insert(innerName)
            }
            let innerConfig = modelConfig?.layer(named: innerName)
            let innerClass = innerConfig.map { KerasCatalog.layerClass(named: $0.className) } ?? KerasCatalog.layerClass(automaticName: innerName)
            classes[innerName] = innerClass
            var placed: Placed
            if let innerClass, let inner = place([rest], in: innerClass, config: innerConfig)?.weights.first {
                placed = inner
            } else {
                placed = Placed(elements: [], attributes: Array(rest.dropLast()), variable: rest.last ?? "", spec: nil)
                classes[innerName] = .some(nil)
            }
            placed.elements.insert((innerName, classes[innerName] ?? nil), at: 0)
            weights.append(placed)
        }
        let inner = order.map { name in
            (name: name, layerClass: classes[name] ?? modelConfig?.layer(named: name).flatMap { KerasCatalog.layerClass(named: $0.className) })
        }
        return (weights, inner)
    }

    /// Whether the file is a subclassed model's: its config says so, or (tf-keras) its weights
    /// carry a name scope before their layer's name.
    var isSubclassed: Bool {
        if let config { return KerasCatalog.layerClass(named: config.className)?.role != .model }
        guard writtenByTfKeras else { return false }
        return file.layers.contains { layer in
            layer.weights.contains { weight in
                let parts = trimmed(weight.name).split(separator: "/").map(String.init)
                return parts.count >= 2 && parts[0] != layer.name && parts.contains(layer.name)
            }
        }
    }

    // MARK: - Keras 3 paths

    /// Keras 3's name for each layer in a container, `snake_case(class)` with a per-class counter
    /// over every layer in order; `nil` if a layer with weights has no known class.
    func containerNames(_ layers: [(name: String, layerClass: KerasLayerClass?)]) -> [String]? {
        var counters: [String: Int] = [:]
        var names: [String] = []
        for (_, layerClass) in layers {
            guard let layerClass else { names.append(""); continue }
            let base = layerClass.snakeName
            let count = counters[base, default: -1] + 1
            counters[base] = count
            names.append(count == 0 ? base : "\(base)_\(count)")
        }
        let weighted = Set(file.layers.enumerated().filter { !$0.element.weights.isEmpty }.map(\.offset))
        return weighted.allSatisfy { !names[$0].isEmpty } ? names : nil
    }

    /// The Keras 3 path names of a nested model's layers, by name; `[:]` for a plain layer.
    private func innerPathNames(_ layer: ResolvedLayer) -> [String: String]? {
        guard !layer.inner.isEmpty else { return [:] }
        let weighted = Set(layer.placements.compactMap { $0.elements.first?.name })
        var counters: [String: Int] = [:]
        var names: [String: String] = [:]
        for (name, layerClass) in layer.inner {
            guard let layerClass else {
                if weighted.contains(name) { return nil }
                continue   // a layer without weights (an InputLayer) does not change the counters of those with
            }
            let count = counters[layerClass.snakeName, default: -1] + 1
            counters[layerClass.snakeName] = count
            names[name] = count == 0 ? layerClass.snakeName : "\(layerClass.snakeName)_\(count)"
        }
        return names
    }

    /// The variables with their Keras 3 object paths and indices (each object's variables in
    /// the catalog's creation order).
    private func withV3Locations(_ variables: [KerasModelView.Variable], layer: ResolvedLayer, top: String,
                                 inner: [String: String]) -> [KerasModelView.Variable] {
        var objects: [String: [(position: Int, order: Int)]] = [:]
        var paths: [(object: String, names: [String])?] = []
        for (position, placed) in layer.placements.enumerated() {
            guard placed.spec != nil else { paths.append(nil); continue }
            let elementPath = placed.elements.map { "layers/\(inner[$0.name] ?? $0.name)" }
            let object = (["layers/\(top)"] + elementPath + placed.attributes).joined(separator: "/")
            objects[object, default: []].append((position, placed.order))
            paths.append((object, [layer.entry.name] + placed.elements.map(\.name) + placed.objectNames))
        }
        var index: [Int: Int] = [:]
        for (_, members) in objects {
            for (rank, member) in members.sorted(by: { $0.order < $1.order }).enumerated() { index[member.position] = rank }
        }
        return variables.enumerated().map { position, variable in
            guard let located = paths[position], let rank = index[position] else { return variable }
            let location = KerasModelView.V3Location(object: located.object, index: rank, objectNames: located.names)
            return KerasModelView.Variable(entry: variable.entry, identity: variable.identity, pathIdentity: variable.pathIdentity,
                                           variable: variable.variable, v3Location: location, legacyName: variable.legacyName,
                                           trainable: variable.trainable)
        }
    }

    private func trimmed(_ name: String) -> String {
        name.hasSuffix(":0") ? String(name.dropLast(2)) : name
    }

    /// A legacy weight name's components below its layer: after the layer's own name when the
    /// name contains it (`sequential/dense/kernel` → `kernel` for layer `dense`), else all of
    /// them (`inner_d1/kernel:0` in nested model `inner`); `:0` dropped.
    func components(of weightName: String, below layer: String) -> [String] {
        let parts = trimmed(weightName).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if let position = parts.firstIndex(of: layer), position < parts.count - 1 { return Array(parts[(position + 1)...]) }
        return parts
    }
}

extension KerasModelView {
    /// The view with `optimizer` as its optimizer state.
    func with(optimizer: OptimizerState?) -> KerasModelView {
        KerasModelView(format: format, layers: layers, modelVariables: modelVariables, optimizer: optimizer, metrics: metrics,
                       hasLayerNames: hasLayerNames)
    }
}
