import NeuralNet

/// Heft's layer for one layer of a Keras config (`{"class_name": "Conv2D", "config": {…}}`), with
/// the config's name and arguments. Arguments Heft implements are read; the others must hold
/// Keras's default, or the layer is refused naming the argument.
enum KerasLayerFactory {
    /// The classes Heft builds from a config.
    static let classes = ["InputLayer", "Dense", "Conv1D", "Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D",
                          "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D", "GlobalAveragePooling1D",
                          "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "ZeroPadding2D", "Flatten",
                          "Reshape", "Dropout", "Activation", "ReLU", "Softmax", "BatchNormalization", "LayerNormalization",
                          "Embedding", "SimpleRNN", "LSTM", "GRU", "Bidirectional", "TimeDistributed", "MultiHeadAttention", "EinsumDense", "PReLU",
                          "Add", "Subtract", "Multiply", "Average", "Concatenate"]

    /// - Throws: ``CheckpointError`` naming the layer: a class Heft does not build, or an argument it
    ///   does not implement.
    static func layer(_ config: [String: JSONValue], file: String) throws -> any Layer {
        guard case .string(let className)? = config["class_name"] else {
            throw CheckpointError(file: file, .unsupportedModel("a layer of the model config has no class_name"))
        }
        guard case .object(let values)? = config["config"] else {
            throw CheckpointError(file: file, .unsupportedModel("the \(className) layer of the model config has no config"))
        }
        guard case .string(let name)? = values["name"] else {
            throw CheckpointError(file: file, .unsupportedModel("a \(className) layer of the model config has no name"))
        }
        let a = KerasArguments(file: file, layer: name, className: className, values: values)
        if ["Sequential", "Functional", "Model"].contains(className) {   // a model used as a layer
            return try KerasModelBuilder(file: file).model(.object(config))
        }
        guard classes.contains(className) else {
            throw CheckpointError(file: file, .unsupportedModel(
                "layer '\(name)' is a \(className), which Heft cannot build yet (it builds \(classes.joined(separator: ", ")))"))
        }
        try a.require("data_format", in: [.null, .string("channels_last")])
        try a.require("dilation_rate", in: [.null, .number(1), .array([.number(1)]), .array([.number(1), .number(1)])])
        switch className {
        case "Dense":
            return Dense(try a.int("units"), activation: try a.activation(), useBias: try a.bool("use_bias", default: true), name: name)
        case "Conv1D":
            try a.require("groups", in: [.number(1)])
            return Conv1D(try a.int("filters"), kernelSize: try a.ints("kernel_size", count: 1)[0], strides: try a.ints("strides", count: 1, default: [1])[0],
                          padding: try a.padding(), activation: try a.activation(), useBias: try a.bool("use_bias", default: true), name: name)
        case "Conv2D":
            try a.require("groups", in: [.number(1)])
            let (k, s) = (try a.ints("kernel_size", count: 2), try a.ints("strides", count: 2, default: [1, 1]))
            return Conv2D(try a.int("filters"), kernelSize: (k[0], k[1]), strides: (s[0], s[1]), padding: try a.padding(),
                          activation: try a.activation(), useBias: try a.bool("use_bias", default: true), name: name)
        case "Conv2DTranspose":
            try a.require("output_padding", in: [.null])
            let (k, s) = (try a.ints("kernel_size", count: 2), try a.ints("strides", count: 2, default: [1, 1]))
            return Conv2DTranspose(try a.int("filters"), kernelSize: (k[0], k[1]), strides: (s[0], s[1]), padding: try a.padding(),
                                   activation: try a.activation(), useBias: try a.bool("use_bias", default: true), name: name)
        case "DepthwiseConv2D":
            let (k, s) = (try a.ints("kernel_size", count: 2), try a.ints("strides", count: 2, default: [1, 1]))
            return DepthwiseConv2D(kernelSize: (k[0], k[1]), strides: (s[0], s[1]), padding: try a.padding(),
                                   depthMultiplier: try a.int("depth_multiplier", default: 1), activation: try a.activation(),
                                   useBias: try a.bool("use_bias", default: true), name: name)
        case "SeparableConv2D":
            let (k, s) = (try a.ints("kernel_size", count: 2), try a.ints("strides", count: 2, default: [1, 1]))
            return SeparableConv2D(try a.int("filters"), kernelSize: (k[0], k[1]), strides: (s[0], s[1]), padding: try a.padding(),
                                   depthMultiplier: try a.int("depth_multiplier", default: 1), activation: try a.activation(),
                                   useBias: try a.bool("use_bias", default: true), name: name)
        case "MaxPooling2D", "AveragePooling2D":
            let pool = try a.ints("pool_size", count: 2, default: [2, 2])
            let strides = try a.values["strides"].flatMap { $0 == .null ? nil : $0 }.map { _ in try a.ints("strides", count: 2) }
            let size = (pool[0], pool[1]), step = strides.map { ($0[0], $0[1]) }
            return className == "MaxPooling2D"
                ? MaxPooling2D(poolSize: size, strides: step, padding: try a.padding(), name: name)
                : AveragePooling2D(poolSize: size, strides: step, padding: try a.padding(), name: name)
        case "MaxPooling1D", "AveragePooling1D":
            let pool = try a.ints("pool_size", count: 1, default: [2])[0]
            let strides = try a.values["strides"].flatMap { $0 == .null ? nil : $0 }.map { _ in try a.ints("strides", count: 1)[0] }
            return className == "MaxPooling1D"
                ? MaxPooling1D(poolSize: pool, strides: strides, padding: try a.padding(), name: name)
                : AveragePooling1D(poolSize: pool, strides: strides, padding: try a.padding(), name: name)
        case "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D":
            try a.require("keepdims", in: [.bool(false)])
            switch className {
            case "GlobalAveragePooling1D": return GlobalAveragePooling1D(name: name)
            case "GlobalAveragePooling2D": return GlobalAveragePooling2D(name: name)
            case "GlobalMaxPooling1D": return GlobalMaxPooling1D(name: name)
            default: return GlobalMaxPooling2D(name: name)
            }
        case "ZeroPadding2D":
            guard case .array(let pairs)? = a.values["padding"], pairs.count == 2,
                  case .array(let rows) = pairs[0], case .array(let columns) = pairs[1], rows.count == 2, columns.count == 2,
                  case .number(let top) = rows[0], case .number(let bottom) = rows[1],
                  case .number(let left) = columns[0], case .number(let right) = columns[1] else {
                throw a.refusal("padding", "is not ((top, bottom), (left, right))")
            }
            return ZeroPadding2D(padding: ((Int(top), Int(bottom)), (Int(left), Int(right))), name: name)
        case "Flatten": return Flatten(name: name)
        case "Reshape": return Reshape(try a.ints("target_shape", count: (a.values["target_shape"].map { if case .array(let l) = $0 { l.count } else { 1 } }) ?? 1), name: name)
        case "Dropout": return Dropout(Float(try a.double("rate", default: 0)), name: name)
        case "Activation": return ActivationLayer(try a.activation(), name: name)
        case "ReLU":
            try a.require("max_value", in: [.null])
            try a.require("negative_slope", in: [.number(0)])
            try a.require("threshold", in: [.number(0)])
            return ReLU(name: name)
        case "Softmax":
            try a.require("axis", in: [.number(-1)])
            return Softmax(name: name)
        case "BatchNormalization":
            return BatchNormalization(axis: try a.axis(), epsilon: Float(try a.double("epsilon", default: 1e-3)), momentum: Float(try a.double("momentum", default: 0.99)),
                                      center: try a.bool("center", default: true), scale: try a.bool("scale", default: true), name: name)
        case "LayerNormalization":
            try a.require("rms_scaling", in: [.bool(false)])
            return LayerNormalization(axis: try a.axis(), epsilon: Float(try a.double("epsilon", default: 1e-3)), center: try a.bool("center", default: true),
                                      scale: try a.bool("scale", default: true), name: name)
        case "Embedding":
            try a.require("mask_zero", in: [.bool(false)])
            return Embedding(inputDim: try a.int("input_dim"), outputDim: try a.int("output_dim"), name: name)
        case "SimpleRNN", "LSTM", "GRU":
            return try recurrent(a, name: name)
        case "Bidirectional":
            let modeName = try a.string("merge_mode", default: "concat")
            guard let mode = Bidirectional.MergeMode(rawValue: modeName) else {
                throw a.refusal("merge_mode", "= '\(modeName)' is not supported (concat, sum, mul or ave)")
            }
            guard case .object(let inner)? = a.values["layer"], let wrapped = try layer(inner, file: file) as? any Recurrent else {
                throw a.refusal("layer", "is not a recurrent layer Heft builds")
            }
            return Bidirectional(wrapped, mergeMode: mode, name: name)
        case "TimeDistributed":
            guard case .object(let inner)? = a.values["layer"] else { throw a.refusal("layer", "is missing") }
            return TimeDistributed(try layer(inner, file: file), name: name)
        case "MultiHeadAttention":
            try a.require("output_shape", in: [.null])
            try a.require("attention_axes", in: [.null, .array([.number(1)])])   // Keras's default for [batch, time, features]
            try a.require("dropout", in: [.number(0)])
            let valueDim = a.values["value_dim"] == .null ? nil : try a.int("value_dim", default: try a.int("key_dim"))
            return MultiHeadAttention(numHeads: try a.int("num_heads"), keyDim: try a.int("key_dim"), valueDim: valueDim,
                                      useBias: try a.bool("use_bias", default: true), name: name)
        case "EinsumDense": return try einsumDense(a, name: name)
        case "PReLU":
            let shared = a.values["shared_axes"] == .null ? [] : try a.ints("shared_axes", count: {
                if case .array(let list)? = a.values["shared_axes"] { return list.count } else { return 1 }
            }())
            return PReLU(sharedAxes: shared, name: name)
        case "Add": return Add(name: name)
        case "Subtract": return Subtract(name: name)
        case "Multiply": return Multiply(name: name)
        case "Average": return Average(name: name)
        case "Concatenate":
            try a.require("axis", in: [.number(-1)])
            return Concatenate(name: name)
        default:
            throw a.refusal("class", "is not built here")   // InputLayer is the graph's, handled by the model builder
        }
    }

    /// An `EinsumDense` whose equation, output shape and bias axes Heft computes (checked here, so
    /// that building it cannot fail).
    private static func einsumDense(_ a: KerasArguments, name: String) throws -> any Layer {
        let text = try a.string("equation", default: "")
        let biasAxes: String? = a.values["bias_axes"] == .null || a.values["bias_axes"] == nil ? nil : try a.string("bias_axes", default: "")
        let equation: EinsumDense.Equation
        do {
            equation = try EinsumDense.Equation(text, biasAxes: biasAxes)
        } catch {
            throw a.refusal("equation", "is not supported: \(error)")
        }
        let outputShape: [Int?]
        switch a.values["output_shape"] {
        case .number(let size)?: outputShape = [Int(size)]
        case .array(let sizes)?:
            outputShape = try sizes.map { size in
                switch size {
                case .null: return nil
                case .number(let value) where value == value.rounded() && value > 0 && value < 1e9: return Int(value)
                default: throw a.refusal("output_shape", "holds \(KerasArguments.text(size)), not a positive size or null")
                }
            }
        default: throw a.refusal("output_shape", "is not a size or a list of sizes")
        }
        guard equation.acceptsOutputShape(outputShape) else {
            throw a.refusal("output_shape", "= \(KerasArguments.text(a.values["output_shape"]!)) does not fit equation '\(text)'")
        }
        return EinsumDense(text, outputShape: outputShape, activation: try a.activation(), biasAxes: biasAxes, name: name)
    }

    private static func recurrent(_ a: KerasArguments, name: String) throws -> any Layer {
        try a.require("activation", in: [.string("tanh")])
        try a.require("recurrent_activation", in: [.string("sigmoid")])
        try a.require("go_backwards", in: [.bool(false)])
        try a.require("return_state", in: [.bool(false)])
        try a.require("stateful", in: [.bool(false)])
        try a.require("unroll", in: [.bool(false)])
        let units = try a.int("units"), sequences = try a.bool("return_sequences", default: false)
        let useBias = try a.bool("use_bias", default: true)
        switch a.className {
        case "SimpleRNN": return SimpleRNN(units, returnSequences: sequences, useBias: useBias, name: name)
        case "LSTM": return LSTM(units, returnSequences: sequences, useBias: useBias, name: name)
        default: return GRU(units, returnSequences: sequences, resetAfter: try a.bool("reset_after", default: true), useBias: useBias, name: name)
        }
    }
}
