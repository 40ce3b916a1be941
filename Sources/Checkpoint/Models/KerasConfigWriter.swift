import NeuralNet

/// The Keras model config of a Heft model, as `model.get_config()` serializes it: a `.keras`
/// archive's `config.json` (``KerasLine/keras3``) or a full-model `.h5`'s `model_config`
/// (``KerasLine/tfKeras2``). It is the inverse of ``KerasLayerFactory`` and
/// ``KerasModelBuilder``: each layer's class, name, dtype and the arguments Heft implements;
/// arguments Heft does not implement hold Keras's defaults, so they are left out and Keras fills
/// them in. Initializers are not recorded (the file carries the weights; Keras's defaults apply to
/// a layer re-initialized in Keras).
struct KerasConfigWriter {
    /// Which Keras line's serialization to write.
    enum KerasLine {
        /// Keras 3: `module`/`registered_name`, `batch_shape`, `{"args": …}` nodes.
        case keras3
        /// tf-keras 2: `batch_input_shape`, `[[layer, node, tensor, kwargs]]` nodes (Keras 3's
        /// legacy `.h5` loader reads these too).
        case tfKeras2
    }

    let line: KerasLine
    /// The file being written, named in errors.
    let file: String

    private func refusal(_ text: String) -> CheckpointError {
        CheckpointError(file: file, .unsupportedModel(text))
    }

    /// The config of `model` (`{"class_name": "Sequential" | "Functional", "config": {…}}`).
    ///
    /// - Throws: ``CheckpointError`` naming the file: a subclassed model (its structure is code,
    ///   not config), a Sequential model whose input shape is unknown or that applies one layer
    ///   twice (Keras's Sequential config would rebuild two layers), a layer class Heft cannot
    ///   describe, or an activation whose parameters a Keras activation string cannot carry.
    func modelConfig(_ model: Model) throws -> JSONValue {
        switch model {
        case let sequential as Sequential: return try sequentialConfig(sequential)
        case let functional as Functional: return try functionalConfig(functional)
        default:
            throw refusal("model '\(model.name)' is a subclassed \(model.className): Keras cannot rebuild it from a config; "
                + "save its weights with saveWeights(to:) and build it in code on both sides")
        }
    }

    // MARK: - Models

    private func sequentialConfig(_ model: Sequential) throws -> JSONValue {
        guard let shape = model.inputShape, model.isBuilt else {
            throw refusal("Sequential model '\(model.name)' is not built: give its first layer an inputShape or call build(inputShape:) before saving")
        }
        let stack = model.trackedAttributes.first?.layers ?? model.layers
        if stack.count != model.layers.count {
            throw refusal("Sequential model '\(model.name)' applies a layer twice, which a Keras Sequential config cannot express "
                + "(Keras would build two layers); build it as a Functional model to save it")
        }
        let input = inputLayerConfig(name: line == .keras3 ? "input_layer" : "\(model.name)_input", shape: shape)
        var layers = [input], layerInput = shape
        for layer in stack {
            layers.append(try layerConfig(layer, inputShapes: [layerInput]))
            layerInput = layer.outputShape(forInputShape: layerInput)
        }
        var body: [String: JSONValue] = ["name": .string(model.name), "trainable": .bool(model.trainable), "layers": .array(layers)]
        if line == .keras3 { body["build_input_shape"] = batchShape(shape) }
        return wrap("Sequential", module: "keras", body)
    }

    private func functionalConfig(_ model: Functional) throws -> JSONValue {
        let applications = model.applications
        let layers = try model.layers.map { layer -> JSONValue in
            let calls = (applications[ObjectIdentifier(layer)] ?? []).filter { !$0.inputs.isEmpty }
            let base = layer is InputLayer
                ? inputLayerConfig(name: layer.name, shape: layer.inputShape ?? [])
                : try layerConfig(layer, inputShapes: calls.first?.inputs.map(\.shape))
            guard case .object(var entry) = base else { return base }
            entry["name"] = .string(layer.name)
            entry["inbound_nodes"] = .array(calls.map { node($0, of: layer) })
            return .object(entry)
        }
        let body: [String: JSONValue] = [
            "name": .string(model.name), "trainable": .bool(model.trainable), "layers": .array(layers),
            "input_layers": .array(model.inputReferences.map { history($0, endpoint: true) }),
            "output_layers": .array(model.outputReferences.map { history($0, endpoint: true) }),
        ]
        return wrap("Functional", module: "keras.src.models.functional", registeredName: "Functional", body)
    }

    /// One application's inputs as a config's `inbound_nodes` entry.
    private func node(_ application: Functional.Application, of layer: any Layer) -> JSONValue {
        var inputs = application.inputs
        // An attention layer takes (query, value[, key]), not a list; applied to one tensor, it
        // attends to itself (query = value).
        let attention = layer is MultiHeadAttention
        if attention && inputs.count == 1 { inputs.append(inputs[0]) }
        switch line {
        case .keras3:
            let tensors = inputs.map(kerasTensor)
            if attention {
                var keywords: [String: JSONValue] = [:]
                if inputs.count > 2 { keywords["key"] = tensors[2] }
                return .object(["args": .array(Array(tensors.prefix(2))), "kwargs": .object(keywords)])
            }
            return .object(["args": .array(application.takesList ? [.array(tensors)] : tensors), "kwargs": .object([:])])
        case .tfKeras2:
            if attention {
                var keywords: [String: JSONValue] = ["value": history(inputs[1])]
                if inputs.count > 2 { keywords["key"] = history(inputs[2]) }
                return .array([.array(Array(history(inputs[0]).arrayValue.prefix(3)) + [.object(keywords)])])
            }
            return .array(inputs.map { .array(history($0).arrayValue + [.object([:])]) })
        }
    }

    /// `[layer, node, tensor]`. A nested model's own graph counts as its first node in tf-keras,
    /// so its applications are numbered from 1. Keras 3 numbers them from 0 in `inbound_nodes`, and
    /// from 1 for a nested functional model in `input_layers`/`output_layers` (its loader's
    /// `get_tensor` takes one off).
    private func history(_ reference: Functional.TensorReference, endpoint: Bool = false) -> JSONValue {
        let nested = reference.layer is Functional || reference.layer is Sequential
        let offset = switch line {
        case .tfKeras2: nested ? 1 : 0
        case .keras3: endpoint && reference.layer is Functional ? 1 : 0
        }
        return .array([.string(reference.layer.name), .number(Double(reference.node + offset)), .number(0)])
    }

    private func kerasTensor(_ reference: Functional.TensorReference) -> JSONValue {
        .object(["class_name": .string("__keras_tensor__"), "config": .object([
            "shape": batchShape(reference.shape), "dtype": .string("float32"), "keras_history": history(reference),
        ])])
    }

    // MARK: - Layers

    private func inputLayerConfig(name: String, shape: [Int]) -> JSONValue {
        let key = line == .keras3 ? "batch_shape" : "batch_input_shape"
        return wrap("InputLayer", module: "keras.layers", [
            key: batchShape(shape), "dtype": .string("float32"), "sparse": .bool(false), "name": .string(name),
        ])
    }

    /// One layer's `{"class_name", "config"}` (a nested model's full config). `inputShapes` are the
    /// per-sample shapes of its first application's inputs, when known; `wrapped` marks a layer
    /// inside a wrapper, which tf-keras also serializes with its module.
    private func layerConfig(_ layer: any Layer, inputShapes: [[Int]]?, wrapped: Bool = false) throws -> JSONValue {
        if let model = layer as? Model { return try modelConfig(model) }
        var body = try arguments(of: layer)
        body["name"] = .string(layer.name)
        body["trainable"] = .bool(layer.trainable)
        body["dtype"] = .string(layer.ownWeights.first.map { "\($0.dtype)" } ?? "float32")
        if layer is MultiHeadAttention, line == .tfKeras2 {
            // tf-keras builds the attention from these when it reads the config.
            let query = inputShapes?.first, value = inputShapes.flatMap { $0.count > 1 ? $0[1] : $0.first }
            let key = inputShapes.flatMap { $0.count > 2 ? $0[2] : nil } ?? value
            body["query_shape"] = query.map(batchShape) ?? .null
            body["value_shape"] = value.map(batchShape) ?? .null
            body["key_shape"] = key.map(batchShape) ?? .null
        }
        return wrap(layer.className, module: "keras.layers", withModule: wrapped, body)
    }

    /// The arguments of `layer` that Heft implements, under Keras's names.
    private func arguments(of layer: any Layer) throws -> [String: JSONValue] {
        switch layer {
        case let l as Dense: return ["units": int(l.units), "activation": try activation(l.activation, of: l), "use_bias": .bool(l.useBias)]
        case let l as Conv1D:
            return convolution(filters: l.filters, kernel: [l.kernelSize], strides: [l.strides], padding: l.padding, useBias: l.useBias)
                .merging(["activation": try activation(l.activation, of: l)]) { $1 }
        case let l as Conv2D:
            return convolution(filters: l.filters, kernel: pair(l.kernelSize), strides: pair(l.strides), padding: l.padding, useBias: l.useBias)
                .merging(["activation": try activation(l.activation, of: l)]) { $1 }
        case let l as Conv2DTranspose:
            return convolution(filters: l.filters, kernel: pair(l.kernelSize), strides: pair(l.strides), padding: l.padding, useBias: l.useBias)
                .merging(["activation": try activation(l.activation, of: l), "output_padding": .null]) { $1 }
        case let l as DepthwiseConv2D:
            return convolution(filters: nil, kernel: pair(l.kernelSize), strides: pair(l.strides), padding: l.padding, useBias: l.useBias)
                .merging(["activation": try activation(l.activation, of: l), "depth_multiplier": int(l.depthMultiplier)]) { $1 }
        case let l as SeparableConv2D:
            return convolution(filters: l.filters, kernel: pair(l.kernelSize), strides: pair(l.strides), padding: l.padding, useBias: l.useBias)
                .merging(["activation": try activation(l.activation, of: l), "depth_multiplier": int(l.depthMultiplier)]) { $1 }
        case let l as MaxPooling1D: return pooling(size: [l.poolSize], strides: [l.strides], padding: l.padding)
        case let l as AveragePooling1D: return pooling(size: [l.poolSize], strides: [l.strides], padding: l.padding)
        case let l as any Pooling2D: return pooling(size: pair(l.poolSize), strides: pair(l.strides), padding: l.padding)
        case is GlobalAveragePooling1D, is GlobalMaxPooling1D, is GlobalAveragePooling2D, is GlobalMaxPooling2D:
            return ["data_format": .string("channels_last"), "keepdims": .bool(false)]
        case let l as ZeroPadding2D:
            return ["padding": .array([ints(pair(l.padding.0)), ints(pair(l.padding.1))]), "data_format": .string("channels_last")]
        case is Flatten: return ["data_format": .string("channels_last")]
        case let l as Reshape: return ["target_shape": ints(l.targetShape)]
        case let l as Dropout: return ["rate": .number(Double(l.rate))]
        case let l as ActivationLayer: return ["activation": try activation(l.activation, of: l)]
        case is ReLU: return [:]
        case is Softmax: return ["axis": .number(-1)]
        case let l as BatchNormalization:
            return ["axis": int(l.axis), "epsilon": float(l.epsilon), "momentum": float(l.momentum), "center": .bool(l.center), "scale": .bool(l.scale)]
        case let l as LayerNormalization:
            return ["axis": int(l.axis), "epsilon": float(l.epsilon), "center": .bool(l.center), "scale": .bool(l.scale)]
        case let l as Embedding: return ["input_dim": int(l.inputDim), "output_dim": int(l.outputDim)]
        case let l as any Recurrent: return recurrent(l)
        case let l as Bidirectional:
            var inner = try layerConfig(l.forwardLayer, inputShapes: nil, wrapped: true)
            if case .object(var wrapped) = inner, case .object(var body)? = wrapped["config"] {
                body["name"] = .string(String(l.forwardLayer.name.dropFirst("forward_".count)))   // Keras adds the prefix again
                wrapped["config"] = .object(body)
                inner = .object(wrapped)
            }
            return ["layer": inner, "merge_mode": .string(l.mergeMode.rawValue)]
        case let l as TimeDistributed: return ["layer": try layerConfig(l.layer, inputShapes: nil, wrapped: true)]
        case let l as MultiHeadAttention:
            return ["num_heads": int(l.numHeads), "key_dim": int(l.keyDim), "value_dim": int(l.valueDim), "use_bias": .bool(l.useBias),
                    "dropout": .number(0), "output_shape": .null, "attention_axes": .null]
        case let l as EinsumDense:
            return ["equation": .string(l.equation), "output_shape": .array(l.outputShape.map { $0.map(int) ?? .null }),
                    "activation": try activation(l.activation, of: l), "bias_axes": l.biasAxes.map(JSONValue.string) ?? .null]
        case let l as PReLU: return ["shared_axes": l.sharedAxes.isEmpty ? .null : ints(l.sharedAxes)]
        case is Add, is Subtract, is Multiply, is Average: return [:]
        case is Concatenate: return ["axis": .number(-1)]
        default:
            throw refusal("layer '\(layer.name)' is a \(layer.className), which Heft cannot describe in a Keras config "
                + "(it describes \(KerasLayerFactory.classes.joined(separator: ", ")))")
        }
    }

    private func recurrent(_ layer: any Recurrent) -> [String: JSONValue] {
        var values: [String: JSONValue] = [
            "units": int(layer.units), "return_sequences": .bool(layer.returnSequences), "use_bias": .bool(layer.cell.useBias),
            "activation": .string("tanh"),
        ]
        switch layer.cell.kind {
        case .simpleRNN: break
        case .lstm: values["recurrent_activation"] = .string("sigmoid")
        case .gru(let resetAfter):
            values["recurrent_activation"] = .string("sigmoid")
            values["reset_after"] = .bool(resetAfter)
        }
        return values
    }

    private func convolution(filters: Int?, kernel: [Int], strides: [Int], padding: Padding, useBias: Bool) -> [String: JSONValue] {
        var values: [String: JSONValue] = [
            "kernel_size": ints(kernel), "strides": ints(strides), "padding": .string(padding.rawValue), "use_bias": .bool(useBias),
            "data_format": .string("channels_last"), "dilation_rate": ints(kernel.map { _ in 1 }),
        ]
        if let filters { values["filters"] = int(filters) }
        return values
    }

    private func pooling(size: [Int], strides: [Int], padding: Padding) -> [String: JSONValue] {
        ["pool_size": ints(size), "strides": ints(strides), "padding": .string(padding.rawValue), "data_format": .string("channels_last")]
    }

    /// The activation's Keras identifier.
    ///
    /// - Throws: for parameters other than Keras's defaults, which the identifier cannot carry.
    private func activation(_ activation: Activation, of layer: any Layer) throws -> JSONValue {
        guard activation.hasKerasDefaults else {
            throw refusal("layer '\(layer.name)' (\(layer.className)): its \(activation.name) activation has parameters other than "
                + "Keras's defaults, which a Keras config's activation string cannot carry; use a separate activation layer in Keras")
        }
        return .string(activation.name)
    }

    // MARK: - Values

    /// `{"class_name", "config"}`, with `module` and `registered_name` in Keras 3 (and in tf-keras
    /// for a layer inside a wrapper, `withModule`).
    private func wrap(_ className: String, module: String, registeredName: String? = nil, withModule: Bool = false,
                      _ body: [String: JSONValue]) -> JSONValue {
        var object: [String: JSONValue] = ["class_name": .string(className), "config": .object(body)]
        if line == .keras3 || withModule {
            object["module"] = .string(module)
            object["registered_name"] = registeredName.map(JSONValue.string) ?? .null
        }
        return .object(object)
    }

    private func batchShape(_ shape: [Int]) -> JSONValue { .array([.null] + shape.map(int)) }
    private func int(_ value: Int) -> JSONValue { .number(Double(value)) }
    private func ints(_ values: [Int]) -> JSONValue { .array(values.map(int)) }
    private func pair(_ value: (Int, Int)) -> [Int] { [value.0, value.1] }

    /// A float32 argument as the shortest decimal that reads back as the same float32 (`0.001`,
    /// not `0.0010000000474974513`), as Keras's Python floats print.
    private func float(_ value: Float) -> JSONValue { .number(Double("\(value)") ?? Double(value)) }
}

extension JSONValue {
    /// The elements of an array (`[]` for any other value).
    var arrayValue: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }
}
