/// The layer classes: every built-in Keras layer that owns variables, in Keras 3.15 and tf-keras
/// 2.21, read from each class's `build` and checked against files both lines write
/// (`fixtures/world`). Shapes use the config's names; `in` is the size of the input's last axis
/// (channels for convolutions, features for recurrent layers).
extension KerasCatalog {
    package static let layers: [KerasLayerClass] = core + convolutions + normalization + recurrent + attention + models

    private typealias V = KerasVariableSpec
    private typealias S = KerasSublayerSpec

    private static let kernelAndBias = [V("kernel", "(in, units)"), V("bias", "(units,)", optionalOn: "use_bias")]

    private static let core: [KerasLayerClass] = [
        KerasLayerClass("Dense", variables: kernelAndBias),
        KerasLayerClass("EinsumDense", variables: [V("kernel", "from equation: (input axes, output axes)"),
                                                    V("bias", "from bias_axes", optionalOn: "bias_axes")]),
        KerasLayerClass("Embedding", variables: [V("embeddings", "(input_dim, output_dim)")]),
        KerasLayerClass("PReLU", python: "PReLU", variables: [V("alpha", "input shape without the batch axis, 1 on shared_axes")]),
        KerasLayerClass("Normalization", variables: [V("mean", "(features,)", trainable: false),
                                                      V("variance", "(features,)", trainable: false),
                                                      V("count", "()", trainable: false)]),
    ]

    private static let convolutions: [KerasLayerClass] = {
        let plain = ["Conv1D", "Conv2D", "Conv3D"].map { name in
            KerasLayerClass(name, variables: [V("kernel", "(*kernel_size, in / groups, filters)"),
                                              V("bias", "(filters,)", optionalOn: "use_bias")])
        }
        let transposed = ["Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"].map { name in
            KerasLayerClass(name, variables: [V("kernel", "(*kernel_size, filters, in)"),
                                              V("bias", "(filters,)", optionalOn: "use_bias")])
        }
        let depthwise = ["DepthwiseConv1D", "DepthwiseConv2D"].map { name in
            KerasLayerClass(name, variables: [V("kernel", "(*kernel_size, in, depth_multiplier)", aliases: ["depthwise_kernel"]),
                                              V("bias", "(in * depth_multiplier,)", optionalOn: "use_bias")])
        }
        let separable = ["SeparableConv1D", "SeparableConv2D"].map { name in
            KerasLayerClass(name, variables: [V("depthwise_kernel", "(*kernel_size, in, depth_multiplier)"),
                                              V("pointwise_kernel", "(1, …, in * depth_multiplier, filters)"),
                                              V("bias", "(filters,)", optionalOn: "use_bias")])
        }
        return plain + transposed + depthwise + separable
    }()

    private static let normalization: [KerasLayerClass] = {
        let scaleAndCenter = [V("gamma", "(axis size,)", optionalOn: "scale"), V("beta", "(axis size,)", optionalOn: "center")]
        return [
            KerasLayerClass("BatchNormalization", variables: scaleAndCenter + [
                V("moving_mean", "(axis size,)", trainable: false), V("moving_variance", "(axis size,)", trainable: false)]),
            KerasLayerClass("LayerNormalization", variables: scaleAndCenter),
            KerasLayerClass("GroupNormalization", variables: scaleAndCenter),
            KerasLayerClass("RMSNormalization", variables: [V("scale", "(axis size,)")], lines: .keras3),
            KerasLayerClass("SpectralNormalization", variables: [V("vector_u", "(1, kernel's last axis)", trainable: false)],
                            sublayers: [S("layer", .configured(keys: ["layer"]), legacy: .inner)]),
        ]
    }()

    /// A recurrent cell's variables, `gates` blocks wide (SimpleRNN 1, GRU 3, LSTM 4).
    private static func cellVariables(gates: String, bias: String? = nil) -> [V] {
        let width = gates == "1" ? "units" : "\(gates) * units"
        return [V("kernel", "(in, \(width))"), V("recurrent_kernel", "(units, \(width))"),
                V("bias", bias ?? "(\(width),)", optionalOn: "use_bias")]
    }

    private static let recurrent: [KerasLayerClass] = {
        let cells = [
            KerasLayerClass("SimpleRNNCell", variables: cellVariables(gates: "1")),
            KerasLayerClass("LSTMCell", variables: cellVariables(gates: "4")),
            KerasLayerClass("GRUCell", variables: cellVariables(gates: "3", bias: "(2, 3 * units) if reset_after, else (3 * units,)")),
            KerasLayerClass("ConvLSTMCell", variables: [V("kernel", "(*kernel_size, in, 4 * filters)"),
                                                         V("recurrent_kernel", "(*kernel_size, filters, 4 * filters)"),
                                                         V("bias", "(4 * filters,)", optionalOn: "use_bias")]),
        ]
        func rnn(_ name: String, cell: String, legacyCell: String) -> KerasLayerClass {
            KerasLayerClass(name, sublayers: [S("cell", .fixed(cell), legacy: .fixed(legacyCell))])
        }
        return cells + [
            rnn("SimpleRNN", cell: "SimpleRNNCell", legacyCell: "simple_rnn_cell"),
            rnn("LSTM", cell: "LSTMCell", legacyCell: "lstm_cell"),
            rnn("GRU", cell: "GRUCell", legacyCell: "gru_cell"),
            rnn("ConvLSTM1D", cell: "ConvLSTMCell", legacyCell: "conv_lstm_cell"),
            rnn("ConvLSTM2D", cell: "ConvLSTMCell", legacyCell: "conv_lstm_cell"),
            rnn("ConvLSTM3D", cell: "ConvLSTMCell", legacyCell: "conv_lstm_cell"),
            KerasLayerClass("RNN", sublayers: [S("cell", .configured(keys: ["cell"]), legacy: .inner)]),
            KerasLayerClass("Bidirectional", sublayers: [S("forward_layer", .configured(keys: ["layer"]), legacy: .prefixed("forward_")),
                                                         S("backward_layer", .configured(keys: ["backward_layer", "layer"]),
                                                           legacy: .prefixed("backward_"))]),
            KerasLayerClass("TimeDistributed", sublayers: [S("layer", .configured(keys: ["layer"]), legacy: .inner)]),
        ]
    }()

    private static let attention: [KerasLayerClass] = {
        let projections = [("query_dense", "query"), ("key_dense", "key"), ("value_dense", "value"), ("output_dense", "attention_output")]
            .map { attribute, legacy in S(attribute, aliases: ["_" + attribute], .fixed("EinsumDense"), legacy: .fixed(legacy)) }
        return [
            KerasLayerClass("MultiHeadAttention", sublayers: projections),
            KerasLayerClass("GroupQueryAttention", python: "GroupedQueryAttention", sublayers: projections, lines: .keras3),
            KerasLayerClass("Attention", variables: [V("scale", "()", optionalOn: "use_scale"),
                                                     V("concat_score_weight", "()", optionalOn: "score_mode == concat")]),
            KerasLayerClass("AdditiveAttention", variables: [V("scale", "(dim,)", optionalOn: "use_scale")]),
        ]
    }()

    private static let models: [KerasLayerClass] = [
        KerasLayerClass("Sequential", role: .model),
        KerasLayerClass("Functional", aliases: ["Model"], role: .model),
    ]
}
