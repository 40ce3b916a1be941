extension WeightFile {
    /// The file as the Keras model it holds (see ``KerasModelView``): top-level layers with their
    /// classes, and every tensor's Keras identity. `hints` give classes that another file of the
    /// same model knows (the other side of a diff, a `--like` reference).
    package func kerasView(hints: ClassHints? = nil) -> KerasModelView {
        if hints == nil, let cachedKerasView { return cachedKerasView }
        let view: KerasModelView
        switch format {
        case .kerasLegacy: view = KerasModelView(legacy: self, hints: hints ?? ClassHints())
        case .kerasV3: view = KerasModelView(v3: self, hints: hints ?? ClassHints())
        }
        if hints == nil { cachedKerasView = view }
        return view
    }

    /// ``kerasView(hints:)`` with what `other` (another file of the same model) knows, when this
    /// file leaves something it could tell open: a layer of unknown class or variables without
    /// names. Otherwise the plain view (built once).
    package func kerasView(tellingFrom other: KerasModelView) -> KerasModelView {
        let plain = kerasView()
        let open = plain.layers.contains { !$0.variables.isEmpty && $0.unplaceable != nil }
        return open ? kerasView(hints: ClassHints(other)) : plain
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
