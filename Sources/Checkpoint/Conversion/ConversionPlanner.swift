/// Decides where each tensor of a file goes in another layout, from the file's ``KerasModelView``.
///
/// - Same layout: every path, name and order is kept.
/// - To Keras 3: each variable goes to the object path and `vars` index the catalog gives for its
///   layer's class, or, with a reference, to where the reference keeps the variable of the same
///   identity (which also places a subclassed model's attributes).
/// - To legacy: each top-level layer becomes a layer group with its variables in Keras's legacy
///   order under tf-keras-style names, or, with a reference, the reference's layers, names and order.
///
/// A layer whose class, structure or order is not known is refused, naming the layer and the remedy.
struct ConversionPlanner {
    let source: WeightFile
    let view: KerasModelView
    let format: WeightFileFormat
    let reference: WeightFile?
    let dropOptimizer: Bool

    /// What the planner decided: the plan, the source identity each written path must show when
    /// the output is read back, and what was left out.
    struct Outcome {
        let plan: SavePlan
        /// Output dataset path → identity of the source tensor written there.
        let expected: [String: String]
        let notes: [String]
    }

    init(source: WeightFile, format: WeightFileFormat, reference: WeightFile?, dropOptimizer: Bool) {
        self.source = source
        self.format = format
        self.reference = reference
        self.dropOptimizer = dropOptimizer
        view = source.kerasView(hints: reference.map { ClassHints($0.kerasView()) })
    }

    func outcome() throws -> Outcome {
        switch (source.format, format) {
        case (.kerasLegacy, .kerasLegacy): return try legacyToLegacy()
        case (.kerasV3, .kerasV3): return try v3ToV3()
        case (.kerasLegacy, .kerasV3): return try toV3()
        case (.kerasV3, .kerasLegacy): return try toLegacy()
        }
    }

    // MARK: - Same layout

    private func legacyToLegacy() throws -> Outcome {
        var expected: [String: String] = [:]
        let layers = view.layers.map { layer in
            SavePlan.LegacyLayer(name: layer.name, weights: layer.variables.map { variable in
                expected["/\(layer.name)/\(variable.entry.name)"] = variable.identity
                return weight(variable.entry, named: variable.entry.name)
            })
        }
        var plan = SavePlan(modelName: modelName, legacyLayers: layers, v3Objects: [])
        plan.legacyTopLevel = view.modelVariables.map { weight($0.entry, named: $0.entry.name) }
        var notes = stateNotes(carried: false)
        if source.modelConfig != nil { notes.append("the model config is not carried: the output holds weights only") }
        return Outcome(plan: plan, expected: expected, notes: notes)
    }

    private func v3ToV3() throws -> Outcome {
        var expected: [String: String] = [:]
        let identities = Dictionary(view.variables.map { ($0.entry.path, $0.identity) }, uniquingKeysWith: { first, _ in first })
        var objects = source.layers.map { layer in
            SavePlan.V3Object(path: String(layer.path.dropFirst()), layerName: layer.hasStoredName ? layer.name : nil,
                              weights: layer.weights.map { entry in
                                  expected[entry.path] = identities[entry.path]
                                  return weight(entry, named: entry.name)
                              })
        }
        if !source.topLevelWeights.isEmpty {
            objects.append(.init(path: "", layerName: nil, weights: source.topLevelWeights.map { weight($0, named: $0.name) }))
        }
        if !dropOptimizer {
            objects += source.metricLayers.map { layer in
                SavePlan.V3Object(path: String(layer.path.dropFirst()), layerName: layer.hasStoredName ? layer.name : nil,
                                  weights: layer.weights.map { weight($0, named: $0.name) })
            }
            if !source.optimizerWeights.isEmpty {
                objects.append(.init(path: "optimizer", layerName: source.optimizerName,
                                     weights: source.optimizerWeights.map { weight($0, named: $0.name) }))
            }
        }
        return Outcome(plan: SavePlan(modelName: modelName, legacyLayers: [], v3Objects: objects), expected: expected,
                       notes: stateNotes(carried: true))
    }

    // MARK: - To Keras 3

    private func toV3() throws -> Outcome {
        let locations = try v3Locations()
        var objects: [String: (name: String?, weights: [(index: Int, weight: SavePlan.Weight)])] = [:]
        var order: [String] = []
        var expected: [String: String] = [:]
        func add(_ object: String, name: String?) {
            if objects[object] == nil { order.append(object); objects[object] = (name, []) }
        }
        for variable in view.layers.flatMap(\.variables) {
            guard let location = locations[variable.entry.path] else { continue }
            for (object, name) in zip(objectPrefixes(location.object), location.objectNames) { add(object, name: name) }
            objects[location.object]?.weights.append((location.index, weight(variable.entry, named: variable.entry.name)))
            expected["/\(location.object)/vars/\(location.index)"] = variable.identity
        }
        var v3Objects = try order.map { path in
            let object = objects[path]!
            let indices = object.weights.map(\.index).sorted()
            guard indices == Array(0..<indices.count) else {
                throw CheckpointError(file: source.path, .unsupportedModel(
                    "cannot convert: the variables of \(path) would not be numbered 0 to \(indices.count - 1) in Keras 3 "
                    + "(the file's weights do not fit the layer's class)"))
            }
            return SavePlan.V3Object(path: path, layerName: object.name, weights: object.weights.sorted { $0.index < $1.index }.map(\.weight))
        }
        if !view.modelVariables.isEmpty {
            v3Objects.append(.init(path: "", layerName: nil, weights: view.modelVariables.map { weight($0.entry, named: $0.entry.name) }))
        }
        let carried = !dropOptimizer && !source.optimizerWeights.isEmpty
        if carried {
            let keras3 = source.optimizerWeights.contains { !$0.name.hasSuffix(":0") }   // tf-keras names end in :0
            let name = keras3 ? view.optimizer?.className.flatMap(KerasCatalog.optimizerClass(named:))?.snakeName : nil
            v3Objects.append(.init(path: "optimizer", layerName: name, weights: source.optimizerWeights.map { weight($0, named: $0.name) }))
        }
        return Outcome(plan: SavePlan(modelName: modelName, legacyLayers: [], v3Objects: v3Objects), expected: expected,
                       notes: stateNotes(carried: carried))
    }

    /// Where each source tensor goes in Keras 3: where the reference keeps its identity, or
    /// where the catalog puts it.
    private func v3Locations() throws -> [String: KerasModelView.V3Location] {
        if let reference, reference.format == .kerasV3 {
            let target = reference.kerasView(hints: ClassHints(view))
            let key = matchingKey(view, target)
            let keyed = Dictionary(target.variables.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
            let names = Dictionary(reference.layers.map { ($0.path, $0.name) }, uniquingKeysWith: { first, _ in first })
            return try Dictionary(uniqueKeysWithValues: view.layers.flatMap(\.variables).map { variable in
                guard let match = keyed[key(variable)], let location = match.v3Location else {
                    throw CheckpointError(file: source.path, .conversionRefused(.referenceLacks(
                        reference: reference.path, identity: variable.identity, path: variable.entry.path)))
                }
                return (variable.entry.path, KerasModelView.V3Location(object: location.object, index: location.index,
                                                                       objectNames: referenceNames(location.object, in: names)))
            })
        }
        var result: [String: KerasModelView.V3Location] = [:]
        for layer in view.layers where !layer.variables.isEmpty {
            if let reason = layer.unplaceable { throw refusal(reason) }
            for variable in layer.variables { result[variable.entry.path] = variable.v3Location }
        }
        return result
    }

    /// The stored names of the objects on `object`'s path in the reference (its own where stored).
    private func referenceNames(_ object: String, in names: [String: String]) -> [String] {
        objectPrefixes(object).map { prefix in names["/" + prefix] ?? String(prefix.split(separator: "/").last ?? "") }
    }

    /// The object paths from the top-level layer down to `object` itself (container markers skipped).
    private func objectPrefixes(_ object: String) -> [String] {
        let parts = object.split(separator: "/").map(String.init)
        return parts.indices.compactMap { end in
            parts[end] == "layers" ? nil : parts[...end].joined(separator: "/")
        }
    }

    // MARK: - To legacy

    private func toLegacy() throws -> Outcome {
        var expected: [String: String] = [:]
        var layers: [SavePlan.LegacyLayer] = []
        if let reference, reference.format == .kerasLegacy {
            let target = reference.kerasView(hints: ClassHints(view))
            let key = matchingKey(view, target)
            let bySource = Dictionary(view.variables.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
            for layer in target.layers {
                layers.append(SavePlan.LegacyLayer(name: layer.name, weights: try layer.variables.map { variable in
                    guard let match = bySource[key(variable)] else {
                        throw CheckpointError(file: source.path, .conversionRefused(.fileLacks(
                            reference: reference.path, identity: variable.identity, path: variable.entry.path)))
                    }
                    expected["/\(layer.name)/\(variable.entry.name)"] = match.identity
                    return weight(match.entry, named: variable.entry.name)
                }))
            }
        } else {
            for layer in view.layers {
                if let reason = layer.unplaceable, !layer.variables.isEmpty { throw refusal(reason) }
                layers.append(SavePlan.LegacyLayer(name: layer.name, weights: layer.variables.map { variable in
                    expected["/\(layer.name)/\(variable.legacyName)"] = variable.identity
                    return weight(variable.entry, named: variable.legacyName)
                }))
            }
        }
        let written = Set(expected.values)
        if let missing = view.layers.flatMap(\.variables).first(where: { !written.contains($0.identity) }) {
            throw CheckpointError(file: source.path, .conversionRefused(.noPlace(
                reference: reference?.path ?? "", identity: missing.identity, path: missing.entry.path)))
        }
        var plan = SavePlan(modelName: modelName, legacyLayers: layers, v3Objects: [])
        plan.legacyTopLevel = view.modelVariables.map { weight($0.entry, named: $0.legacyName) }
        return Outcome(plan: plan, expected: expected, notes: stateNotes(carried: false))
    }

    // MARK: - Helpers

    /// The key that matches variables of two views: identities when both store layer names,
    /// Keras 3 path identities otherwise.
    private func matchingKey(_ a: KerasModelView, _ b: KerasModelView) -> (KerasModelView.Variable) -> String {
        let named = a.hasLayerNames && b.hasLayerNames
        return { named ? $0.identity : $0.pathIdentity ?? $0.identity }
    }

    private func refusal(_ reason: String) -> CheckpointError {
        CheckpointError(file: source.path, .unsupportedModel(
            "cannot convert to \(format): \(reason); convert a full-model file (with model_config) or give --like REF, "
            + "a Keras weights or model file of the same architecture"))
    }

    private var modelName: String {
        source.modelConfig.flatMap(KerasLayerConfig.init(json:))?.name ?? "model"
    }

    /// Notes on optimizer and metric state the output does not hold.
    private func stateNotes(carried: Bool) -> [String] {
        var notes: [String] = []
        let state = [("optimizer", source.optimizerWeights.count), ("metric", source.metricLayers.flatMap(\.weights).count)]
        for (kind, count) in state where count > 0 {
            if dropOptimizer {
                notes.append("\(kind) state dropped as asked (\(count) tensors)")
            } else if !carried || (kind == "metric" && format == .kerasLegacy) {
                notes.append("\(kind) state dropped (\(count) tensors): a \(format) weights file cannot hold it")
            }
        }
        return notes
    }

    /// The weight that copies `entry`, checking the digest the file stored for it (if any)
    /// against the bytes written: the dtype is kept, so they are the bytes the digest was
    /// computed over.
    private func weight(_ entry: WeightEntry, named name: String) -> SavePlan.Weight {
        let file = source
        return SavePlan.Weight(name: name, shape: entry.shape, dtype: entry.dtype, shareKey: .dataset(entry.storageID),
                               source: .file(file, entry), checksSourceDigest: true)
    }
}
