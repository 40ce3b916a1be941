import NeuralNet

/// Keras variable names by class, in the order Keras creates them.
enum KerasVariables {
    static func names(forClass className: String) -> [String]? {
        switch className {
        case "Dense", "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose": ["kernel", "bias"]
        case "BatchNormalization": ["gamma", "beta", "moving_mean", "moving_variance"]
        case "LayerNormalization": ["gamma", "beta"]
        case "Embedding": ["embeddings"]
        default: nil
        }
    }

    /// The Keras class a set of variables (names without `:0`, in order) and shapes belongs to.
    static func inferClass(names: [String], shapes: [[Int]]) -> String? {
        switch names {
        case ["kernel", "bias"], ["kernel"]:
            return [2: "Dense", 3: "Conv1D", 4: "Conv2D", 5: "Conv3D"][shapes[0].count]
        case ["gamma", "beta", "moving_mean", "moving_variance"]: return "BatchNormalization"
        case ["gamma", "beta"]: return "LayerNormalization"
        case ["embeddings"]: return "Embedding"
        default: return nil
        }
    }
}

/// Legacy layers → Keras 3 object paths.
enum LegacyToV3 {
    /// A legacy weight name split into its owner (sublayer) and variable: `dense/kernel:0` →
    /// (`dense`, `kernel`); `sequential/dense/kernel` → (`dense`, `kernel`).
    static func split(_ weightName: String, layer: String) -> (owner: String, variable: String) {
        let trimmed = weightName.hasSuffix(":0") ? String(weightName.dropLast(2)) : weightName
        let parts = trimmed.split(separator: "/").map(String.init)
        return (parts.count >= 2 ? parts[parts.count - 2] : layer, parts.last ?? trimmed)
    }

    /// Places `layer` in `container`, recursing into a nested model's sublayers.
    static func place(_ layer: LayerEntry, file: WeightFile, classes: ModelConfigClasses, container: String,
                      counters: inout [String: Int], into objects: inout [SavePlan.V3Object]) throws {
        let parts = layer.weights.map { split($0.name, layer: layer.name) }
        let owners = parts.map(\.owner).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let isNested = classes.classes[layer.name].map { ["Sequential", "Functional", "Model"].contains($0) }
            ?? (owners.count > 1 && !owners.contains(layer.name))
        let className = try isNested ? "Sequential" : layerClass(layer, parts.map(\.variable), classes, file: file)
        let path = "\(container)/\(counted(kerasSnakeCase(className), &counters))"
        guard isNested else {
            objects.append(.init(path: path, layerName: layer.name,
                                 weights: layer.weights.map { SavePlan.weight($0, named: $0.name, in: file) }))
            return
        }
        objects.append(.init(path: path, layerName: layer.name, weights: []))
        var innerCounters: [String: Int] = [:]
        for owner in owners {
            let weights = zip(layer.weights, parts).filter { $0.1.owner == owner }.map(\.0)
            let sublayer = LayerEntry(name: owner, path: layer.path, weights: weights)
            try place(sublayer, file: file, classes: classes, container: "\(path)/layers", counters: &innerCounters, into: &objects)
        }
    }

    private static func layerClass(_ layer: LayerEntry, _ variables: [String], _ classes: ModelConfigClasses, file: WeightFile) throws -> String {
        if let known = classes.classes[layer.name] { return known }
        guard let inferred = KerasVariables.inferClass(names: variables, shapes: layer.weights.map(\.shape)) else {
            throw CheckpointError(file: file.path, .unsupportedModel(
                "cannot tell the Keras class of layer '\(layer.name)' (weights \(variables)) to name its Keras 3 path; "
                + "convert a full-model file with model_config instead"))
        }
        return inferred
    }

    private static func counted(_ base: String, _ counters: inout [String: Int]) -> String {
        let count = counters[base, default: -1] + 1
        counters[base] = count
        return count == 0 ? base : "\(base)_\(count)"
    }
}

/// Keras 3 objects → legacy layers.
enum V3ToLegacy {
    /// Top-level objects (those below no other object) in file order, each with the weights of its
    /// nested objects.
    static func layers(of file: WeightFile) -> [SavePlan.LegacyLayer] {
        let topLevel = file.layers.filter { layer in !file.layers.contains { $0.path != layer.path && layer.path.hasPrefix($0.path + "/") } }
        return topLevel.map { top in
            let members = file.layers.filter { $0.path == top.path || $0.path.hasPrefix(top.path + "/") }
            let weights = members.flatMap { member in
                let variables = KerasVariables.names(forClass: className(ofPath: member.path)) ?? []
                return member.weights.enumerated().map { index, entry in
                    let variable = index < variables.count ? variables[index] : "variable_\(index)"
                    return SavePlan.weight(entry, named: "\(member.name)/\(variable):0", in: file)
                }
            }
            return SavePlan.LegacyLayer(name: top.name, weights: weights)
        }
    }

    /// The Keras class a Keras 3 path component names: `dense_2` → Dense, `batch_normalization` →
    /// BatchNormalization (unknown names give a class without known variable names).
    static func className(ofPath path: String) -> String {
        var component = String(path.split(separator: "/").last ?? "")
        if let underscore = component.lastIndex(of: "_"), Int(component[component.index(after: underscore)...]) != nil {
            component = String(component[..<underscore])
        }
        let known = ["dense": "Dense", "conv1d": "Conv1D", "conv2d": "Conv2D", "conv3d": "Conv3D",
                     "batch_normalization": "BatchNormalization", "layer_normalization": "LayerNormalization",
                     "embedding": "Embedding"]
        return known[component] ?? component
    }
}
