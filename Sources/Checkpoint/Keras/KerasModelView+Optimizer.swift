/// Names an optimizer's state as `optimizer/<variable identity>/<slot>` (`optimizer/dense/kernel/momentum`),
/// `optimizer/iteration` and `optimizer/learning_rate`.
///
/// Legacy full-model files name every variable: Keras 3 `adam/sequential_dense_kernel_momentum`
/// (the variable's path with `_`), tf-keras `Adam/m/dense/kernel:0`. A `.weights.h5` stores only
/// positions: the catalog's layouts for the optimizer (Keras 3 stores its name) are tried against
/// the model's trainable variables, and used when exactly one fits every count and shape; otherwise
/// the state keeps positional identities (`optimizer/vars/<i>`).
struct V3OptimizerNames {
    let file: WeightFile
    let model: KerasModelView

    func state() -> KerasModelView.OptimizerState? {
        let entries = file.optimizerWeights
        guard !entries.isEmpty else { return nil }
        let trainable = model.layers.flatMap(\.variables).filter { $0.trainable != false }
        let stored = file.optimizerName
        let known = stored.flatMap(KerasCatalog.optimizerClass(named:))
        let candidates = known.map { [$0] } ?? (stored == nil ? KerasCatalog.optimizers : [])
        var fits: [(className: String, names: [String], pathNames: [String?])] = []
        for optimizer in candidates {
            for keras3 in stored == nil ? [false, true] : [true] {
                for layout in optimizer.layouts(trainableVariables: trainable.count, keras3: keras3)
                    where layout.count == entries.count && fitsShapes(layout, entries, trainable) {
                    fits.append((optimizer.name, layout.map { name($0, trainable, \.identity) },
                                 layout.map { pathName($0, trainable) }))
                }
            }
        }
        let distinct = Set(fits.map(\.names))
        let chosen = distinct.count == 1 ? fits.first : nil
        let variables = entries.enumerated().map { index, entry in
            KerasModelView.Variable(entry: entry, identity: chosen?.names[index] ?? "optimizer/vars/\(index)",
                                    pathIdentity: chosen.map { $0.pathNames[index] } ?? "optimizer/vars/\(index)",
                                    variable: nil,
                                    v3Location: KerasModelView.V3Location(object: "optimizer", index: index, objectNames: []),
                                    legacyName: "\(stored ?? "optimizer")/vars_\(index):0", trainable: nil)
        }
        let className = known?.name ?? (Set(fits.map(\.className)).count == 1 ? fits.first?.className : nil)
        return KerasModelView.OptimizerState(className: className, storedName: stored, variables: variables)
    }

    private func fitsShapes(_ layout: [OptimizerStateSlot], _ entries: [WeightEntry], _ trainable: [KerasModelView.Variable]) -> Bool {
        zip(layout, entries).allSatisfy { slot, entry in
            switch slot {
            case .scalar: entry.shape.isEmpty
            case .slot(let variable, _): entry.shape == trainable[variable].entry.shape
            }
        }
    }

    private func name(_ slot: OptimizerStateSlot, _ trainable: [KerasModelView.Variable],
                      _ identity: KeyPath<KerasModelView.Variable, String>) -> String {
        switch slot {
        case .scalar(let name): "optimizer/\(name)"
        case .slot(let variable, let name): "optimizer/\(trainable[variable][keyPath: identity])/\(name)"
        }
    }

    private func pathName(_ slot: OptimizerStateSlot, _ trainable: [KerasModelView.Variable]) -> String? {
        switch slot {
        case .scalar(let name): "optimizer/\(name)"
        case .slot(let variable, let name): trainable[variable].pathIdentity.map { "optimizer/\($0)/\(name)" }
        }
    }
}

/// Names the `optimizer_weights` of a legacy full-model file (see ``V3OptimizerNames``).
struct LegacyOptimizerNames {
    let file: WeightFile
    let model: KerasModelView

    func state() -> KerasModelView.OptimizerState? {
        let entries = file.optimizerWeights
        guard !entries.isEmpty else { return nil }
        let modelVariables = Array(model.variables)
        let byLegacyName = Dictionary(modelVariables.map { ($0.legacyName, $0) }, uniquingKeysWith: { first, _ in first })
        var className: String?
        let variables = entries.map { entry -> KerasModelView.Variable in
            let text = entry.name.hasSuffix(":0") ? String(entry.name.dropLast(2)) : entry.name
            let (optimizer, identity, pathIdentity) = name(text, modelVariables, byLegacyName)
            if let optimizer { className = className ?? optimizer.name }
            return KerasModelView.Variable(entry: entry, identity: identity, pathIdentity: pathIdentity, variable: nil,
                                           v3Location: nil, legacyName: entry.name, trainable: nil)
        }
        return KerasModelView.OptimizerState(className: className, storedName: nil, variables: variables)
    }

    /// The optimizer class and identities of one legacy optimizer weight name.
    private func name(_ text: String, _ modelVariables: [KerasModelView.Variable],
                      _ byLegacyName: [String: KerasModelView.Variable]) -> (KerasOptimizerClass?, String, String?) {
        let parts = text.split(separator: "/").map(String.init)
        if text == "iteration" { return (nil, "optimizer/iteration", "optimizer/iteration") }
        guard parts.count >= 2, let optimizer = KerasCatalog.optimizerClass(named: parts[0]) else {
            return (nil, "optimizer/\(text)", "optimizer/\(text)")
        }
        if parts.count >= 3, let slot = optimizer.slotName(legacy: parts[1]) {   // tf-keras: Adam/m/dense/kernel:0
            let variableName = parts.dropFirst(2).joined(separator: "/") + ":0"
            if let variable = byLegacyName[variableName] {
                return (optimizer, "optimizer/\(variable.identity)/\(slot)", variable.pathIdentity.map { "optimizer/\($0)/\(slot)" })
            }
        }
        let rest = parts.dropFirst().joined(separator: "/")
        if ["iteration", "learning_rate"].contains(rest) { return (optimizer, "optimizer/\(rest)", "optimizer/\(rest)") }
        if rest == "variable", let extra = optimizer.extraKeras3.first {   // Keras 3 names Nadam's u_product so
            return (optimizer, "optimizer/\(extra)", "optimizer/\(extra)")
        }
        // Keras 3: adam/sequential_dense_kernel_momentum, the variable's path with `_` then the slot.
        let keyed = modelVariables.map { (key: $0.legacyName.replacingOccurrences(of: "/", with: "_") + "_", variable: $0) }
        if let match = keyed.filter({ rest.hasPrefix($0.key) }).max(by: { $0.key.count < $1.key.count }) {
            let slot = String(rest.dropFirst(match.key.count))
            return (optimizer, "optimizer/\(match.variable.identity)/\(slot)", match.variable.pathIdentity.map { "optimizer/\($0)/\(slot)" })
        }
        return (optimizer, "optimizer/\(rest)", "optimizer/\(rest)")
    }
}
