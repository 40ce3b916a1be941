import Foundation
import NeuralNet

/// Builds a ``Sequential`` or ``Functional`` model from a Keras model config: a `.keras`
/// archive's `config.json` (Keras 3) or a full-model `.h5`'s `model_config` (tf-keras 2 or Keras 3).
/// Layers come from ``KerasLayerFactory``; a functional graph is replayed from each layer's
/// `inbound_nodes` (Keras 3's `{"args": […]}` and tf-keras's `[[name, node, tensor, kwargs]]` alike).
struct KerasModelBuilder {
    let file: String

    func refusal(_ text: String) -> CheckpointError {
        CheckpointError(file: file, .unsupportedModel(text))
    }

    /// - Throws: ``CheckpointError`` for a config that is no Sequential or functional model (a
    ///   subclassed model has no config Heft can build from), or a layer it cannot build.
    func model(_ config: JSONValue) throws -> Model {
        guard case .object(let top) = config, case .string(let className)? = top["class_name"],
              case .object(let body)? = top["config"] else {
            throw refusal("the model config is not a Keras model config")
        }
        switch className {
        case "Sequential": return try checked(try sequential(body))
        case "Functional", "Model": return try checked(try functional(body))
        default:
            throw refusal("the model is a \(className) (a subclassed model): its config does not describe its layers and "
                + "their connections, so Heft cannot build it; build it in Swift and use loadWeights")
        }
    }

    /// Throws if a layer, now built, needs what Heft does not implement (a normalization of an
    /// axis other than the last).
    private func checked(_ model: Model) throws -> Model {
        func all(_ layer: any Layer) -> [any Layer] { [layer] + layer.layers.flatMap(all) }
        for layer in model.layers.flatMap(all) {
            let lastAxis = (layer as? BatchNormalization)?.normalizesLastAxis ?? (layer as? LayerNormalization)?.normalizesLastAxis ?? true
            guard lastAxis else {
                throw refusal("layer '\(layer.name)' (\(layer.className)): axis is not the input's last axis, the only one Heft normalizes")
            }
        }
        return model
    }

    private func layerConfigs(_ body: [String: JSONValue]) throws -> [[String: JSONValue]] {
        guard case .array(let list)? = body["layers"] else { throw refusal("the model config lists no layers") }
        return try list.map {
            guard case .object(let layer) = $0 else { throw refusal("a layer of the model config is not an object") }
            return layer
        }
    }

    private func modelName(_ body: [String: JSONValue]) -> String? {
        if case .string(let name)? = body["name"] { return name }
        return nil
    }

    /// The per-sample shape of an `InputLayer` config or a first layer's `batch_input_shape`.
    private func inputShape(_ values: [String: JSONValue]) -> [Int]? {
        for key in ["batch_shape", "batch_input_shape"] {
            guard case .array(let dimensions)? = values[key] else { continue }
            let shape = dimensions.dropFirst().compactMap { value -> Int? in
                if case .number(let size) = value { return Int(size) }
                return nil
            }
            if shape.count == dimensions.count - 1 { return shape }
        }
        return nil
    }

    private func sequential(_ body: [String: JSONValue]) throws -> Model {
        var shape: [Int]?
        var layers: [any Layer] = []
        var byName: [String: any Layer] = [:]
        for config in try layerConfigs(body) {
            let values: [String: JSONValue]
            if case .object(let inner)? = config["config"] { values = inner } else { values = [:] }
            if shape == nil { shape = inputShape(values) }
            if case .string("InputLayer")? = config["class_name"] { continue }
            // A layer listed twice under one name is one layer applied twice (Keras 3 lists each use).
            if case .string(let name)? = values["name"], let earlier = byName[name] {
                layers.append(earlier)
                continue
            }
            let layer = try KerasLayerFactory.layer(config, file: file)
            byName[layer.name] = layer
            layers.append(layer)
        }
        if shape == nil, case .array(let dimensions)? = body["build_input_shape"] {
            shape = dimensions.dropFirst().compactMap { if case .number(let size) = $0 { Int(size) } else { nil } }
        }
        guard let shape else { throw refusal("the Sequential model's config gives no input shape") }
        let model = try Sequential(layers, name: modelName(body))
        model.build(inputShape: shape)
        return model
    }

    private func functional(_ body: [String: JSONValue]) throws -> Model {
        var layers: [String: any Layer] = [:]
        var outputs: [String: [KerasTensor]] = [:]   // layer name → its applications' outputs
        for config in try layerConfigs(body) {
            guard case .object(let values)? = config["config"], case .string(let name)? = values["name"] ?? config["name"] else {
                throw refusal("a layer of the functional config has no name")
            }
            if case .string("InputLayer")? = config["class_name"] {
                guard let shape = inputShape(values) else { throw refusal("input '\(name)' has no shape") }
                outputs[name] = [Input(shape: shape, name: name)]
                continue
            }
            let layer = try KerasLayerFactory.layer(config, file: file)
            layers[name] = layer
            for arguments in try inboundNodes(config["inbound_nodes"], layer: name) {
                let inputs = try arguments.map { reference in
                    guard let tensor = tensor(reference, outputs: outputs, layers: layers) else {
                        throw refusal("layer '\(name)' is connected to '\(reference.layer)'[\(reference.node)], which comes later or does not exist")
                    }
                    return tensor
                }
                let output: KerasTensor
                if let multi = layer as? any MultiInputLayer, inputs.count > 1 || layer is any Merge {
                    output = multi(inputs)
                } else {
                    output = layer(inputs[0])
                }
                outputs[name, default: []].append(output)
            }
        }
        func tensors(_ key: String) throws -> [KerasTensor] {
            try references(body[key], context: key).map { reference in
                guard let tensor = outputs[reference.layer]?[safe: reference.node] else { throw refusal("\(key) names an unknown layer '\(reference.layer)'") }
                return tensor
            }
        }
        return try Functional(inputs: try tensors("input_layers"), outputs: try tensors("output_layers"), name: modelName(body))
    }

    /// The tensor a reference names. A nested model's node numbers in a tf-keras config count the
    /// node of its own graph first (its node 0), so its applications here are numbered from 1.
    private func tensor(_ reference: Reference, outputs: [String: [KerasTensor]], layers: [String: any Layer]) -> KerasTensor? {
        if let tensor = outputs[reference.layer]?[safe: reference.node] { return tensor }
        guard layers[reference.layer] is Model else { return nil }
        return outputs[reference.layer]?[safe: reference.node - 1]
    }

    /// A tensor reference: the layer that made it and which of its applications.
    struct Reference { let layer: String; let node: Int }

    /// The inputs of each application of a layer, from its `inbound_nodes`.
    private func inboundNodes(_ value: JSONValue?, layer: String) throws -> [[Reference]] {
        guard case .array(let nodes)? = value else { return [] }
        return try nodes.map { node in
            switch node {
            case .object(let call):   // Keras 3: {"args": [tensor or [tensors] …], "kwargs": {…}}
                guard case .array(let args)? = call["args"] else { throw refusal("layer '\(layer)' has an inbound node without args") }
                var found: [Reference] = []
                for argument in args { collect(argument, into: &found) }
                if case .object(let keywords)? = call["kwargs"] {
                    for key in ["value", "key"] { if let argument = keywords[key] { collect(argument, into: &found) } }
                }
                return found
            case .array(let entries):   // tf-keras: [[name, node, tensor, kwargs], …]
                return try entries.flatMap { entry in
                    guard case .array(let parts) = entry, parts.count >= 3, case .string(let name) = parts[0], case .number(let index) = parts[1] else {
                        throw refusal("layer '\(layer)' has an inbound node Heft cannot read")
                    }
                    // An attention layer's value and key arrive as keyword arguments: [name, node, tensor].
                    var found = [Reference(layer: name, node: Int(index))]
                    if parts.count > 3, case .object(let keywords) = parts[3] {
                        for key in ["value", "key"] {
                            guard case .array(let history)? = keywords[key], history.count >= 2,
                                  case .string(let source) = history[0], case .number(let node) = history[1] else { continue }
                            found.append(Reference(layer: source, node: Int(node)))
                        }
                    }
                    return found
                }
            default:
                throw refusal("layer '\(layer)' has an inbound node Heft cannot read")
            }
        }
    }

    /// Keras tensors inside a Keras 3 call argument (a tensor, or a list of them), in order.
    private func collect(_ value: JSONValue, into found: inout [Reference]) {
        switch value {
        case .array(let items): for item in items { collect(item, into: &found) }
        case .object(let object):
            if case .string("__keras_tensor__")? = object["class_name"], case .object(let config)? = object["config"],
               case .array(let history)? = config["keras_history"], history.count >= 2,
               case .string(let name) = history[0], case .number(let node) = history[1] {
                found.append(Reference(layer: name, node: Int(node)))
            }
        default: break
        }
    }

    /// `input_layers` / `output_layers`: `[name, node, tensor]` or a list of them.
    private func references(_ value: JSONValue?, context: String) throws -> [Reference] {
        guard case .array(let items)? = value, !items.isEmpty else { throw refusal("the functional config has no \(context)") }
        if case .string(let name) = items[0], items.count >= 2, case .number(let node) = items[1] {
            return [Reference(layer: name, node: Int(node))]
        }
        return try items.map { item in
            guard case .array(let parts) = item, parts.count >= 2, case .string(let name) = parts[0], case .number(let node) = parts[1] else {
                throw refusal("the functional config's \(context) are not [name, node, tensor]")
            }
            return Reference(layer: name, node: Int(node))
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
