extension WeightFile {
    /// The file as the Keras model it holds (see ``KerasModelView``): top-level layers with their
    /// classes, and every tensor's Keras identity. `hints` give classes that another file of the
    /// same model knows (the other side of a diff, a `--like` reference).
    package func kerasView(hints: ClassHints? = nil) -> KerasModelView {
        if hints == nil, let cachedKerasView { return cachedKerasView }
        let view: KerasModelView
        switch format {
        case .kerasLegacy: view = KerasModelView(legacy: self, hints: hints ?? ClassHints())
        case .kerasV3: view = KerasModelView(v3: self, hints: hints ?? ClassHints(), config: modelConfig.flatMap(KerasLayerConfig.init(json:)))
        }
        if hints == nil { cachedKerasView = view }
        return view
    }

    /// ``kerasView(hints:)`` with what `other` (another file of the same model) knows, when this
    /// file leaves something it could tell open: a layer of unknown class or variables without
    /// names. Otherwise the plain view (built once).
    package func kerasView(tellingFrom other: KerasModelView) -> KerasModelView {
        let plain = kerasView()
        guard plain.layers.contains(where: { !$0.variables.isEmpty && $0.unplaceable != nil }) else { return plain }
        let told = ClassHints(other)
        // Nothing the other file knows that this view does not (a file compared with itself, or
        // two files that leave the same layers open): the view built with it would be this one.
        let known = ClassHints(plain)
        let adds = told.classes.contains { known.classes[$0.key] != $0.value } || !told.identities.isSubset(of: known.identities)
            || (!told.ordered.isEmpty && told.ordered != known.ordered)
        return adds ? kerasView(hints: told) : plain
    }

    /// The Keras identity of a weight, e.g. `bidirectional/forward_layer/cell/kernel` (see
    /// ``KerasModelView``): the same for the same variable in a legacy file and a `.weights.h5`.
    /// Optimizer state is `optimizer/…`.
    public func identity(of weight: WeightEntry) -> String {
        let view = kerasView()
        let all = view.variables + (view.optimizer?.variables ?? []) + view.metrics
        // A path the view leaves out (a second spelling of an attribute) is the variable of its dataset.
        return all.first { $0.entry.path == weight.path }?.identity
            ?? all.first { $0.entry.storageID == weight.storageID }?.identity ?? String(weight.path.dropFirst())
    }
}
