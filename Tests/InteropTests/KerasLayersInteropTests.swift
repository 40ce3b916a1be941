import Checkpoint
import Foundation
import NeuralNet
import Testing
import TestSupport

/// Each layer Heft builds creates its weights as Keras does and computes Keras's forward pass:
/// Heft builds a model, gives it random weights, saves them in both layouts and runs an input;
/// Keras 3 (from both layouts) and tf-keras 2 (from the legacy file) build the same model from
/// Keras's own layer classes and arguments, load Heft's weights and must give Heft's output
/// (within 1e-5 relative to the output's scale; 1e-4 for recurrent layers).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["HEFT_PYTHON"] != nil, "needs HEFT_PYTHON (run tools/test)"))
struct KerasLayersInteropTests {
    /// A layer as Heft builds it and as Keras's constructor is called.
    struct Spec: Encodable {
        let `class`: String
        let config: [String: KerasArgument]
    }

    enum KerasArgument: Encodable {
        case int(Int), double(Double), string(String), bool(Bool), ints([Int]), intPairs([[Int]])
        /// A wrapped layer: built in Python from its class and (JSON) arguments.
        case layer(class: String, config: [String: JSONScalar])

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .int(let value): try container.encode(value)
            case .double(let value): try container.encode(value)
            case .string(let value): try container.encode(value)
            case .bool(let value): try container.encode(value)
            case .ints(let value): try container.encode(value)
            case .intPairs(let value): try container.encode(value)
            case let .layer(name, config): try container.encode(["__layer__": JSONScalar.string(name), "config": .object(config)])
            }
        }
    }

    /// Plain JSON values for a wrapped layer's arguments.
    indirect enum JSONScalar: Encodable, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
        case int(Int), bool(Bool), string(String), object([String: JSONScalar])

        init(integerLiteral value: Int) { self = .int(value) }
        init(booleanLiteral value: Bool) { self = .bool(value) }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .int(let value): try container.encode(value)
            case .bool(let value): try container.encode(value)
            case .string(let value): try container.encode(value)
            case .object(let value): try container.encode(value)
            }
        }
    }

    struct Case {
        let id: String
        let inputShape: [Int]
        let layers: [(heft: any Layer, keras: Spec)]
        /// Input values are integers in 0..<n when set (for Embedding).
        var indicesBelow: Int? = nil
        /// The largest difference allowed, relative to the output's scale (recurrent layers: 1e-4,
        /// as the issue allows; float32 gates accumulate rounding over the steps).
        var tolerance = 1e-5
    }

    struct Manifest: Encodable {
        struct Entry: Encodable {
            let id: String
            let layers: [Spec]
            let input: Input
            let v3: String
            let legacy: String
        }
        struct Input: Encodable { let shape: [Int]; let values: [Double] }
        let cases: [Entry]
    }

    struct Output: Decodable { let values: [Double]?; let summary: String?; let error: String? }

    /// The cases, each built in a fresh naming session so its layers get the automatic names a
    /// fresh Keras session gives them (`conv2d`, `max_pooling2d`, …), as `summary()` shows them.
    static func cases() -> [Case] {
        [
            withNamingSession { Case(id: "conv_valid", inputShape: [7, 6, 3], layers: [
                (Conv2D(4, kernelSize: (3, 2), activation: .relu), Spec(class: "Conv2D", config: [
                    "filters": .int(4), "kernel_size": .ints([3, 2]), "activation": .string("relu")])),
                (Flatten(), Spec(class: "Flatten", config: [:])),
            ]) },
            withNamingSession { Case(id: "conv_same_strided", inputShape: [9, 8, 2], layers: [
                (Conv2D(5, kernelSize: (3, 3), strides: (2, 2), padding: .same), Spec(class: "Conv2D", config: [
                    "filters": .int(5), "kernel_size": .ints([3, 3]), "strides": .ints([2, 2]), "padding": .string("same")])),
                (Conv2D(3, kernelSize: (1, 1), useBias: false), Spec(class: "Conv2D", config: [
                    "filters": .int(3), "kernel_size": .ints([1, 1]), "use_bias": .bool(false)])),
            ]) },
            withNamingSession { Case(id: "pooling", inputShape: [9, 7, 3], layers: [
                (MaxPooling2D(), Spec(class: "MaxPooling2D", config: [:])),
                (AveragePooling2D(poolSize: (2, 2), strides: (1, 1), padding: .same), Spec(class: "AveragePooling2D", config: [
                    "pool_size": .ints([2, 2]), "strides": .ints([1, 1]), "padding": .string("same")])),
                (MaxPooling2D(poolSize: (3, 3), strides: (2, 2), padding: .same), Spec(class: "MaxPooling2D", config: [
                    "pool_size": .ints([3, 3]), "strides": .ints([2, 2]), "padding": .string("same")])),
                (GlobalAveragePooling2D(), Spec(class: "GlobalAveragePooling2D", config: [:])),
            ]) },
            withNamingSession { Case(id: "global_max_softmax", inputShape: [5, 4, 6], layers: [
                (GlobalMaxPooling2D(), Spec(class: "GlobalMaxPooling2D", config: [:])),
                (Softmax(), Spec(class: "Softmax", config: [:])),
            ]) },
            withNamingSession { Case(id: "normalization", inputShape: [6, 5, 4], layers: [
                (BatchNormalization(), Spec(class: "BatchNormalization", config: [:])),
                (ReLU(), Spec(class: "ReLU", config: [:])),
                (LayerNormalization(epsilon: 1e-5), Spec(class: "LayerNormalization", config: ["epsilon": .double(1e-5)])),
                (Reshape([-1, 8]), Spec(class: "Reshape", config: ["target_shape": .ints([-1, 8])])),
                (Dropout(0.5), Spec(class: "Dropout", config: ["rate": .double(0.5)])),
                (ActivationLayer(.tanh), Spec(class: "Activation", config: ["activation": .string("tanh")])),
            ]) },
            withNamingSession { Case(id: "batch_norm_no_center", inputShape: [7], layers: [
                (BatchNormalization(epsilon: 0.01, center: false), Spec(class: "BatchNormalization", config: [
                    "epsilon": .double(0.01), "center": .bool(false)])),
                (Dense(3), Spec(class: "Dense", config: ["units": .int(3)])),
            ]) },
            withNamingSession { Case(id: "embedding", inputShape: [5], layers: [
                (Embedding(inputDim: 11, outputDim: 4), Spec(class: "Embedding", config: ["input_dim": .int(11), "output_dim": .int(4)])),
                (Flatten(), Spec(class: "Flatten", config: [:])),
                (Dense(2), Spec(class: "Dense", config: ["units": .int(2)])),
            ], indicesBelow: 11) },
            withNamingSession { Case(id: "conv1d", inputShape: [11, 3], layers: [
                (Conv1D(4, kernelSize: 3, strides: 2, padding: .same, activation: .relu), Spec(class: "Conv1D", config: [
                    "filters": .int(4), "kernel_size": .int(3), "strides": .int(2), "padding": .string("same"), "activation": .string("relu")])),
                (MaxPooling1D(), Spec(class: "MaxPooling1D", config: [:])),
                (Conv1D(5, kernelSize: 2), Spec(class: "Conv1D", config: ["filters": .int(5), "kernel_size": .int(2)])),
                (AveragePooling1D(poolSize: 2, strides: 1, padding: .same), Spec(class: "AveragePooling1D", config: [
                    "pool_size": .int(2), "strides": .int(1), "padding": .string("same")])),
                (GlobalAveragePooling1D(), Spec(class: "GlobalAveragePooling1D", config: [:])),
            ]) },
            withNamingSession { Case(id: "padding_global_max_1d", inputShape: [4, 5, 2], layers: [
                (ZeroPadding2D(padding: ((1, 2), (0, 3))), Spec(class: "ZeroPadding2D", config: ["padding": .intPairs([[1, 2], [0, 3]])])),
                (Conv2D(3, kernelSize: 2), Spec(class: "Conv2D", config: ["filters": .int(3), "kernel_size": .int(2)])),
                (Reshape([-1, 3]), Spec(class: "Reshape", config: ["target_shape": .ints([-1, 3])])),
                (GlobalMaxPooling1D(), Spec(class: "GlobalMaxPooling1D", config: [:])),
            ]) },
            withNamingSession { Case(id: "wrappers", inputShape: [6, 4], layers: [
                (Bidirectional(LSTM(3, returnSequences: true)), Spec(class: "Bidirectional", config: [
                    "layer": .layer(class: "LSTM", config: ["units": 3, "return_sequences": true])])),
                (TimeDistributed(Dense(2)), Spec(class: "TimeDistributed", config: [
                    "layer": .layer(class: "Dense", config: ["units": 2])])),
                (Bidirectional(SimpleRNN(3, returnSequences: true), mergeMode: .sum), Spec(class: "Bidirectional", config: [
                    "layer": .layer(class: "SimpleRNN", config: ["units": 3, "return_sequences": true]), "merge_mode": .string("sum")])),
                (Bidirectional(LSTM(3, returnSequences: true), mergeMode: .mul), Spec(class: "Bidirectional", config: [
                    "layer": .layer(class: "LSTM", config: ["units": 3, "return_sequences": true]), "merge_mode": .string("mul")])),
                (Bidirectional(GRU(2, returnSequences: true), mergeMode: .ave), Spec(class: "Bidirectional", config: [
                    "layer": .layer(class: "GRU", config: ["units": 2, "return_sequences": true]), "merge_mode": .string("ave")])),
                (Bidirectional(GRU(2)), Spec(class: "Bidirectional", config: [
                    "layer": .layer(class: "GRU", config: ["units": 2])])),
            ], tolerance: 1e-4) },
            withNamingSession { Case(id: "depthwise_separable", inputShape: [8, 7, 3], layers: [
                (DepthwiseConv2D(kernelSize: (3, 3), padding: .same, depthMultiplier: 2, activation: .relu), Spec(class: "DepthwiseConv2D", config: [
                    "kernel_size": .ints([3, 3]), "padding": .string("same"), "depth_multiplier": .int(2), "activation": .string("relu")])),
                (SeparableConv2D(4, kernelSize: (2, 3), strides: (2, 1)), Spec(class: "SeparableConv2D", config: [
                    "filters": .int(4), "kernel_size": .ints([2, 3]), "strides": .ints([2, 1])])),
            ]) },
            withNamingSession { Case(id: "transpose", inputShape: [4, 5, 3], layers: [
                (Conv2DTranspose(2, kernelSize: (3, 3), strides: (2, 2), padding: .same), Spec(class: "Conv2DTranspose", config: [
                    "filters": .int(2), "kernel_size": .ints([3, 3]), "strides": .ints([2, 2]), "padding": .string("same")])),
                (Conv2DTranspose(3, kernelSize: (2, 3), strides: (3, 1)), Spec(class: "Conv2DTranspose", config: [
                    "filters": .int(3), "kernel_size": .ints([2, 3]), "strides": .ints([3, 1])])),
                (Conv2DTranspose(2, kernelSize: (4, 4), strides: (2, 2), padding: .same, useBias: false), Spec(class: "Conv2DTranspose", config: [
                    "filters": .int(2), "kernel_size": .ints([4, 4]), "strides": .ints([2, 2]), "padding": .string("same"), "use_bias": .bool(false)])),
            ]) },
            withNamingSession { Case(id: "lstm", inputShape: [6, 5], layers: [
                (LSTM(8, returnSequences: true), Spec(class: "LSTM", config: ["units": .int(8), "return_sequences": .bool(true)])),
                (LSTM(4), Spec(class: "LSTM", config: ["units": .int(4)])),
            ], tolerance: 1e-4) },
            withNamingSession { Case(id: "gru_reset_after", inputShape: [7, 3], layers: [
                (GRU(6, returnSequences: true), Spec(class: "GRU", config: ["units": .int(6), "return_sequences": .bool(true)])),
                (SimpleRNN(5), Spec(class: "SimpleRNN", config: ["units": .int(5)])),
            ], tolerance: 1e-4) },
            withNamingSession { Case(id: "einsum_prelu", inputShape: [6, 4], layers: [
                (EinsumDense("abc,cd->abd", outputShape: [6, 5], biasAxes: "d"), Spec(class: "EinsumDense", config: [
                    "equation": .string("abc,cd->abd"), "output_shape": .ints([6, 5]), "bias_axes": .string("d")])),
                (PReLU(sharedAxes: [1]), Spec(class: "PReLU", config: ["shared_axes": .ints([1])])),
                (EinsumDense("abc,cde->abde", outputShape: [6, 2, 3], activation: .tanh, biasAxes: "de"), Spec(class: "EinsumDense", config: [
                    "equation": .string("abc,cde->abde"), "output_shape": .ints([6, 2, 3]), "activation": .string("tanh"), "bias_axes": .string("de")])),
                (EinsumDense("abcd,cde->abe", outputShape: [6, 4], biasAxes: "e"), Spec(class: "EinsumDense", config: [
                    "equation": .string("abcd,cde->abe"), "output_shape": .ints([6, 4]), "bias_axes": .string("e")])),
                (PReLU(), Spec(class: "PReLU", config: [:])),
                (EinsumDense("...b,bc->...c", outputShape: [3]), Spec(class: "EinsumDense", config: [
                    "equation": .string("...b,bc->...c"), "output_shape": .ints([3])])),
            ]) },
            withNamingSession { Case(id: "gru_reset_before", inputShape: [5, 4], layers: [
                (GRU(3, resetAfter: false), Spec(class: "GRU", config: ["units": .int(3), "reset_after": .bool(false)])),
            ], tolerance: 1e-4) },
        ]
    }

    @Test func everyLayerMatchesKerasInBothLines() throws {
        try withTemporaryDirectory { (dir: String) throws in
            var entries: [Manifest.Entry] = []
            var expected: [String: [Double]] = [:]
            var tolerances: [String: Double] = [:]
            var summaries: [String: String] = [:]
            for (testCase, model) in try Self.cases().map({ testCase in
                try withNamingSession { (testCase, try Sequential(testCase.layers.map(\.heft))) }
            }) {
                model.build(inputShape: testCase.inputShape)
                try randomizeWeights(model)
                let shape = [2] + testCase.inputShape
                let input: Tensor = testCase.indicesBelow.map { bound in
                    Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float(($0 * 7 + 3) % bound) })
                } ?? .randomUniform(shape, minval: -2, maxval: 2, seed: 99)
                let v3 = "\(dir)/\(testCase.id).weights.h5", legacy = "\(dir)/\(testCase.id).h5"
                try model.saveWeights(to: v3)
                try model.saveWeights(to: legacy)
                entries.append(.init(id: testCase.id, layers: testCase.layers.map(\.keras),
                                     input: .init(shape: shape, values: input.scalars.map(Double.init)), v3: v3, legacy: legacy))
                expected[testCase.id] = model(input).scalars.map(Double.init)
                summaries[testCase.id] = model.summary()
                tolerances[testCase.id] = testCase.tolerance
            }
            let results: [String: [String: Output]] = try runKerasCheck("layers", manifest: Manifest(cases: entries), in: dir)
            for (id, values) in expected.sorted(by: { $0.key < $1.key }) {
                let outputs = try #require(results[id], "no result for \(id)")
                #expect(Set(outputs.keys) == ["keras3_v3", "keras3_legacy", "tfkeras_legacy"])
                #expect(outputs["tfkeras_legacy"]?.summary != nil, "\(id): tf-keras gave no summary")
                if let summary = outputs["tfkeras_legacy"]?.summary {
                    #expect(summaries[id]! == String(summary.dropLast(summary.hasSuffix("\n") ? 1 : 0)), "\(id): summary differs from tf-keras's\n\(summaries[id]!)\n\(summary)")
                }
                for (loader, output) in outputs.sorted(by: { $0.key < $1.key }) {
                    #expect(output.error == nil, "\(id) \(loader): \(output.error ?? "")")
                    guard let found = output.values else { continue }
                    let scale = max(1, values.map(abs).max() ?? 0)
                    let largest = zip(found, values).map { abs($0 - $1) }.max() ?? 0
                    #expect(found.count == values.count && largest <= tolerances[id]! * scale, "\(id) \(loader): max |Δ| \(largest)")
                }
            }
        }
    }
}
