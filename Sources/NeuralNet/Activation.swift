/// An element-wise (or, for softmax, per-row) function applied after a layer, named as in Keras.
///
/// Use the static values (`.relu`, `.elu(alpha: 0.5)`) or the Keras identifier string
/// (`Dense(10, activation: "softmax")`). Each is applied in one pass over the output buffer.
public struct Activation: Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The Keras identifier, e.g. `relu`.
    public let name: String
    /// Whether ``name`` alone recreates this activation in Keras: `false` when a parameter differs
    /// from Keras's default (`.elu(alpha: 0.5)`, `.gelu(approximate: true)`), which a Keras layer
    /// config's activation string cannot carry.
    public let hasKerasDefaults: Bool
    private let body: @Sendable (_ values: UnsafeMutableBufferPointer<Float>, _ rowWidth: Int) -> Void

    init(name: String, hasKerasDefaults: Bool = true, elementwise: @escaping @Sendable (Float) -> Float) {
        self.name = name
        self.hasKerasDefaults = hasKerasDefaults
        self.body = { values, _ in
            for i in values.indices { values[i] = elementwise(values[i]) }
        }
    }

    init(name: String, rows: @escaping @Sendable (UnsafeMutableBufferPointer<Float>, Int) -> Void) {
        self.name = name
        self.hasKerasDefaults = true
        self.body = rows
    }

    /// Creates an activation from a Keras identifier literal, e.g. `"relu"`.
    ///
    /// - Precondition: the literal is a known identifier (see ``init(identifier:)``); a typo in
    ///   source code is a programmer error and traps.
    public init(stringLiteral value: String) {
        do { self = try Activation(identifier: value) } catch { preconditionFailure("\(error)") }
    }

    /// Applies the activation in place to row-major values whose last axis has `rowWidth` elements.
    public func apply(to values: UnsafeMutableBufferPointer<Float>, rowWidth: Int) {
        guard name != "linear" else { return }
        body(values, rowWidth)
    }

    /// Returns `activation(x)` for a `float32` view of `x` (softmax over the last axis).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var values = x.scalars
        values.withUnsafeMutableBufferPointer { apply(to: $0, rowWidth: x.shape.last ?? 1) }
        return Tensor(shape: x.shape, scalars: values)
    }

    public var description: String { name }
}

// MARK: - The Keras activations

extension Activation {
    /// `linear(x) = x` (the Dense default).
    public static let linear = Activation(name: "linear") { $0 }
    /// `relu(x) = max(x, 0)`.
    public static let relu = Activation(name: "relu") { $0 > 0 ? $0 : 0 }
    /// `sigmoid(x) = 1 / (1 + exp(−x))`.
    public static let sigmoid = Activation(name: "sigmoid", elementwise: sigmoidValue)
    /// `tanh(x)`.
    public static let tanh = Activation(name: "tanh") { _tanh($0) }
    /// `softmax(x)_i = exp(x_i − max x) / Σ_j exp(x_j − max x)` over the last axis.
    public static let softmax = Activation(name: "softmax", rows: softmaxRows)
    /// `selu(x) = 1.0507009873554805 · (x if x > 0 else 1.6732632423543772 · (exp(x) − 1))`.
    public static let selu = Activation(name: "selu") {
        1.0507009873554805 * ($0 > 0 ? $0 : 1.6732632423543772 * _expm1($0))
    }
    /// `swish(x) = x · sigmoid(x)` (Keras id `swish`).
    public static let swish = Activation(name: "swish") { $0 * sigmoidValue($0) }
    /// `silu(x) = x · sigmoid(x)` (Keras 3 id `silu`, the same function as ``swish``).
    public static let silu = Activation(name: "silu") { $0 * sigmoidValue($0) }
    /// `softplus(x) = log(1 + exp(x))`, computed as `max(x, 0) + log1p(exp(−|x|))` to avoid overflow.
    public static let softplus = Activation(name: "softplus") { max($0, 0) + _log1p(_exp(-abs($0))) }
    /// `leaky_relu` with Keras 3's default `negative_slope = 0.2`.
    public static let leakyReLU = leakyReLU(negativeSlope: 0.2)
    /// `gelu` with Keras's default `approximate = false`.
    public static let gelu = gelu(approximate: false)
    /// `elu` with Keras's default `alpha = 1`.
    public static let elu = elu(alpha: 1)

    /// `elu(x) = x if x > 0 else alpha · (exp(x) − 1)`.
    public static func elu(alpha: Float) -> Activation {
        Activation(name: "elu", hasKerasDefaults: alpha == 1) { $0 > 0 ? $0 : alpha * _expm1($0) }
    }

    /// `leaky_relu(x) = x if x ≥ 0 else negativeSlope · x`.
    public static func leakyReLU(negativeSlope: Float) -> Activation {
        Activation(name: "leaky_relu", hasKerasDefaults: negativeSlope == 0.2) { $0 >= 0 ? $0 : negativeSlope * $0 }
    }

    /// `gelu(x) = 0.5 · x · (1 + erf(x / √2))`, or with `approximate`
    /// `0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))`.
    public static func gelu(approximate: Bool) -> Activation {
        if approximate {
            return Activation(name: "gelu", hasKerasDefaults: false) { x in
                0.5 * x * (1 + _tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))
            }
        }
        return Activation(name: "gelu") { x in 0.5 * x * (1 + _erf(x * 0.7071067811865476)) }
    }

    /// The activation for a Keras identifier: `linear`, `relu`, `sigmoid`, `tanh`, `softmax`, `elu`,
    /// `selu`, `gelu`, `swish`, `silu`, `softplus`, `leaky_relu` (Keras defaults for parameters).
    /// - Throws: ``NeuralNetError/unknownIdentifier(kind:name:)`` for any other string.
    public init(identifier: String) throws {
        let all: [Activation] = [.linear, .relu, .sigmoid, .tanh, .softmax, .elu, .selu, .gelu,
                                 .swish, .silu, .softplus, .leakyReLU]
        guard let match = all.first(where: { $0.name == identifier }) else {
            throw NeuralNetError.unknownIdentifier(kind: "activation", name: identifier)
        }
        self = match
    }
}

@Sendable func sigmoidValue(_ x: Float) -> Float {
    x >= 0 ? 1 / (1 + _exp(-x)) : _exp(x) / (1 + _exp(x))
}

@Sendable private func softmaxRows(_ values: UnsafeMutableBufferPointer<Float>, _ width: Int) {
    guard width > 0 else { return }
    for start in stride(from: 0, to: values.count, by: width) {
        let row = UnsafeMutableBufferPointer(rebasing: values[start..<(start + width)])
        let peak = row.max() ?? 0
        var sum: Float = 0
        for i in row.indices {
            row[i] = _exp(row[i] - peak)
            sum += row[i]
        }
        for i in row.indices { row[i] /= sum }
    }
}
