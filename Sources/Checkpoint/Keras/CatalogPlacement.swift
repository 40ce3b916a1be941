/// Where one variable sits inside a layer of a known class: the attribute path to the object that
/// owns it (`["forward_layer", "cell"]`, empty for the layer's own), the variable, and whether it
/// is trainable.
struct CatalogSlot: Equatable {
    var attributes: [String]
    var variable: KerasVariableSpec
    /// The variable's position among its owner's variables in the catalog (creation order).
    var order: Int
    /// The name of each object on `attributes` (`forward_lstm`, `lstm_cell`): as the legacy name
    /// gives it, else Keras's usual one.
    var objectNames: [String] = []
}

/// Places variables inside a layer of a known class by the catalog.
///
/// Legacy weight names carry the path from the layer to the variable in Keras's sublayer *names*
/// (`forward_lstm/lstm_cell/kernel`); Keras 3 paths carry *attributes* (`forward_layer/cell`). The
/// catalog says which attribute each legacy name means (``KerasSublayerSpec/LegacyName``).
struct CatalogPlacement {
    /// The layer's config, when the file has one: it names wrapped layers' classes.
    let config: KerasLayerConfig?

    /// The slot of a variable written as `names` below the layer (the components of its legacy
    /// weight name after the layer's own name, the last one the variable, without `:0`), or `nil`
    /// when the class has no such variable.
    func slot(of names: [String], in layerClass: KerasLayerClass) -> CatalogSlot? {
        guard let variableName = names.last else { return nil }
        let middle = Array(names.dropLast())
        // A class without sublayers owns every variable listed for it; the components before the
        // variable then name another layer whose variable it shares (tf-keras: `dec/enc/kernel:0`).
        if middle.isEmpty || layerClass.sublayers.isEmpty, let own = layerClass.variables.firstIndex(where: { $0.matches(variableName) }) {
            return CatalogSlot(attributes: [], variable: layerClass.variables[own], order: own)
        }
        guard let (sublayer, rest) = sublayer(for: middle, in: layerClass) else { return nil }
        let consumed = rest.count < middle.count ? middle.first : nil
        guard let inner = innerClass(of: sublayer, evidence: middle.first) else {
            // The wrapped layer's class is unknown (tf-keras's TimeDistributed names no sublayer):
            // the variable keeps the name the file gives it.
            guard rest.isEmpty else { return nil }
            return CatalogSlot(attributes: [sublayer.attribute], variable: KerasVariableSpec(variableName, "?"), order: -1,
                               objectNames: [consumed ?? sublayer.attribute])
        }
        let nested = CatalogPlacement(config: wrappedConfig(of: sublayer))
        guard var slot = nested.slot(of: rest + [variableName], in: inner) else { return nil }
        slot.attributes.insert(sublayer.attribute, at: 0)
        slot.objectNames.insert(consumed ?? LegacyComponents.name(of: sublayer.attribute, in: layerClass, storedName: nil, innerClass: inner), at: 0)
        return slot
    }

    /// The sublayer the first legacy name component means, and the components below it. A
    /// variable written with no sublayer component belongs to the class's only sublayer
    /// (tf-keras writes `conv_lstm2d/kernel:0` for the cell's kernel).
    private func sublayer(for middle: [String], in layerClass: KerasLayerClass) -> (KerasSublayerSpec, [String])? {
        guard let first = middle.first else {
            return layerClass.sublayers.count == 1 ? (layerClass.sublayers[0], []) : nil
        }
        for sublayer in layerClass.sublayers {
            switch sublayer.legacyName {
            case .fixed(let name) where name == first: return (sublayer, Array(middle.dropFirst()))
            case .prefixed(let prefix) where first.hasPrefix(prefix): return (sublayer, Array(middle.dropFirst()))
            default: continue
            }
        }
        // A Bidirectional's explicit backward layer keeps its own name (`gru_1`, not `backward_gru`).
        if let backward = layerClass.sublayers.first(where: { if case .prefixed("backward_") = $0.legacyName { true } else { false } }) {
            return (backward, Array(middle.dropFirst()))
        }
        if layerClass.sublayers.count == 1, case .inner = layerClass.sublayers[0].legacyName {
            return (layerClass.sublayers[0], Array(middle.dropFirst()))
        }
        if layerClass.sublayers.count == 1, case .fixed = layerClass.sublayers[0].legacyName {
            return (layerClass.sublayers[0], middle)   // tf-keras omits the cell's name for ConvLSTM
        }
        return nil
    }

    /// The class of a sublayer: fixed by the catalog, named by the config, or told by its legacy
    /// name (`forward_lstm_1` → LSTM, `dense` → Dense).
    func innerClass(of sublayer: KerasSublayerSpec, evidence: String?) -> KerasLayerClass? {
        switch sublayer.layerClass {
        case .fixed(let name):
            return KerasCatalog.layerClass(named: name)
        case .configured(let keys):
            if let configured = keys.lazy.compactMap({ config?.wrapped($0) }).first { return KerasCatalog.layerClass(named: configured.className) }
            guard var name = evidence else { return nil }
            if case .prefixed(let prefix) = sublayer.legacyName, name.hasPrefix(prefix) { name.removeFirst(prefix.count) }
            return KerasCatalog.layerClass(automaticName: name)
        }
    }

    private func wrappedConfig(of sublayer: KerasSublayerSpec) -> KerasLayerConfig? {
        guard case .configured(let keys) = sublayer.layerClass else { return nil }
        return keys.lazy.compactMap { config?.wrapped($0) }.first
    }

    /// Every slot of a class, in creation order, with the wrapped classes the config (or `nil`:
    /// the catalog's default for unknown wrapped layers, a recurrent layer) gives.
    func slots(of layerClass: KerasLayerClass) -> [CatalogSlot]? {
        let own = config.map { layerClass.variables(config: $0) } ?? layerClass.variables
        var result = own.enumerated().map { CatalogSlot(attributes: [], variable: $1, order: $0) }
        for sublayer in layerClass.sublayers {
            guard let inner = innerClass(of: sublayer, evidence: nil) else { return nil }
            guard let nested = CatalogPlacement(config: wrappedConfig(of: sublayer)).slots(of: inner) else { return nil }
            result += nested.map { CatalogSlot(attributes: [sublayer.attribute] + $0.attributes, variable: $0.variable, order: $0.order) }
        }
        return result
    }
}

/// The names Keras 3 gives a layer's objects in legacy weight names, tf-keras style: the cell of
/// an LSTM is `lstm_cell`, the forward layer of a Bidirectional `forward_<inner name>`.
enum LegacyComponents {
    /// The legacy name of the sublayer at `attribute` of `layerClass`, for an object whose stored
    /// name (if any) is `storedName` and whose class is `innerClass`.
    static func name(of attribute: String, in layerClass: KerasLayerClass?, storedName: String?, innerClass: KerasLayerClass?) -> String {
        if let storedName { return storedName }
        guard let sublayer = layerClass?.sublayer(attribute: attribute) else { return attribute }
        switch sublayer.legacyName {
        case .fixed(let name): return name
        case .prefixed(let prefix): return prefix + (innerClass?.snakeName ?? attribute)
        case .inner: return innerClass?.snakeName ?? attribute
        }
    }
}
