import Checkpoint
import NeuralNet

/// Heft's side of the interop model zoo: the Swift equivalents of `tools/python/keras_models.py`, with the
/// same layer names, order and shapes, so that weight files move between Heft and Keras.
public enum Zoo {
    /// The zoo's model names, as in `keras_models.NAMES`.
    public static let names = ["seed_mlp", "mlp_model", "shared_twice", "nested", "float16", "float64"]

    /// The per-sample input shape of each model.
    public static func inputWidth(_ name: String) -> Int {
        ["seed_mlp": 20, "mlp_model": 2, "shared_twice": 4, "nested": 4, "float16": 5, "float64": 5][name]!
    }

    /// A freshly built model `name` with automatic names as Keras gives them after `clear_session()`.
    public static func build(_ name: String) throws -> Model {
        try withNamingSession {
            switch name {
            case "seed_mlp":
                return try Sequential([Dense(256, activation: .relu, inputShape: [20]), Dense(10)])
            case "mlp_model":
                let model = MLPModel(name: "mlp_model")
                model.build(inputShape: [2])
                return model
            case "shared_twice":
                return SharedTwice()
            case "nested":
                let inner = try Sequential([Dense(5, activation: .tanh, name: "inner_d1"), Dense(3, name: "inner_d2")], name: "inner")
                return try Sequential([Dense(8, activation: .relu, inputShape: [4], name: "d0"), inner, Dense(1, name: "head")],
                                      name: "nested")
            case "float16", "float64":
                let dtype: DType = name == "float16" ? .float16 : .float64
                return try Sequential([Dense(6, activation: .relu, inputShape: [5], dtype: dtype), Dense(2, dtype: dtype)], name: name)
            default:
                preconditionFailure("unknown zoo model \(name)")
            }
        }
    }
}

extension Zoo {
    /// The zoo model `name` with random (non-default) weights, reproducible from `seed`.
    public static func randomized(_ name: String, seed: UInt64 = 1) throws -> Model {
        let model = try build(name)
        try model.setWeights(model.weights.enumerated().map { index, parameter in
            Tensor.randomUniform(parameter.shape, minval: -1, maxval: 1, dtype: parameter.dtype, seed: seed + UInt64(index))
        })
        return model
    }

    /// enc → dec with dec's kernel tied to enc's kernel (one parameter in two layers), random weights.
    public static func tiedModel(seed: UInt64 = 0) throws -> (model: Sequential, encoder: Dense, decoder: Dense) {
        let encoder = Dense(3, inputShape: [3], name: "enc"), decoder = Dense(3, name: "dec")
        decoder.tie(kernel: encoder.kernel!)
        let model = try Sequential([encoder, decoder], name: "tied")
        try model.setWeights(model.weights.enumerated().map { .randomUniform($1.shape, seed: seed + UInt64($0)) })
        return (model, encoder, decoder)
    }
}

/// The seed's user-defined model (the one every test, the fixtures and the walkthrough use): three
/// Dense layers, and `call` copies `hidden`'s weights into `hidden1` (copy-sharing, as in the Keras
/// seed's `self.hidden1.set_weights(self.hidden.get_weights())`).
public final class MLPModel: Model {
    public let hidden = Dense(2, activation: .relu)
    public let hidden1 = Dense(2, activation: .relu)
    public let out = Dense(2)

    public override func call(_ x: Tensor) -> Tensor {
        let h = hidden(x)
        // Both layers are Dense(2) on width 2: a shape mismatch here would be a programmer error.
        try! hidden1.setWeights(hidden.getWeights())
        return out(hidden1(h))
    }
}

/// A Keras functional model in Swift: one Dense layer `shared` applied twice, then `head`.
public final class SharedTwice: Model {
    public let shared = Dense(4, activation: .relu, inputShape: [4], name: "shared")
    public let head = Dense(1, inputShape: [4], name: "head")

    public init() { super.init(name: "shared_twice") }

    /// Saved like a functional model: `layers/dense`, `layers/dense_1`.
    public override var tracksLayersAsList: Bool { true }

    public override func call(_ x: Tensor) -> Tensor { head(shared(shared(x))) }
}
