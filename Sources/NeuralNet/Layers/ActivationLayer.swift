/// Keras's `Activation` layer: applies an ``Activation`` (softmax over the last axis).
public final class ActivationLayer: StatelessLayer {
    public let activation: Activation
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?

    /// - Parameter name: an explicit name; by default `activation`, `activation_1`, ….
    public init(_ activation: Activation, inputShape: [Int]? = nil, name: String? = nil) {
        self.activation = activation
        self.inputShape = inputShape
        self.name = name ?? LayerNaming.uniqueName(prefix: "activation")
    }

    public var className: String { "Activation" }
    public func outputShape(forInputShape inputShape: [Int]) -> [Int] { inputShape }
    public func callAsFunction(_ input: Tensor) -> Tensor { activation(input) }
}

/// Keras's `ReLU` layer with its defaults (`max(x, 0)`; no cap, slope or threshold).
public final class ReLU: StatelessLayer {
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?

    /// - Parameter name: an explicit name; by default `re_lu`, `re_lu_1`, … (Keras's snake case).
    public init(inputShape: [Int]? = nil, name: String? = nil) {
        self.inputShape = inputShape
        self.name = name ?? LayerNaming.uniqueName(prefix: "re_lu")
    }

    public var className: String { "ReLU" }
    public func outputShape(forInputShape inputShape: [Int]) -> [Int] { inputShape }
    public func callAsFunction(_ input: Tensor) -> Tensor { Activation.relu(input) }
}

/// Keras's `Softmax` layer over the last axis: `exp(x_i − max x) / Σ_j exp(x_j − max x)`.
public final class Softmax: StatelessLayer {
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?

    /// - Parameter name: an explicit name; by default `softmax`, `softmax_1`, ….
    public init(inputShape: [Int]? = nil, name: String? = nil) {
        self.inputShape = inputShape
        self.name = name ?? LayerNaming.uniqueName(prefix: "softmax")
    }

    public var className: String { "Softmax" }
    public func outputShape(forInputShape inputShape: [Int]) -> [Int] { inputShape }
    public func callAsFunction(_ input: Tensor) -> Tensor { Activation.softmax(input) }
}
