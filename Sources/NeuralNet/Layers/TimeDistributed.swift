/// Keras's `TimeDistributed`: applies `layer` to every time step of `[batch, time, …]`, the steps
/// folded into the batch (`[batch·time, …] → layer → [batch, time, …]`). Keras 3 saves the inner
/// layer's variables under the `layer` attribute.
public final class TimeDistributed: ComposedLayer {
    public let layer: any Layer
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?

    public init(_ layer: any Layer, inputShape: [Int]? = nil, name: String? = nil) {
        self.layer = layer
        self.name = name ?? LayerNaming.uniqueName(prefix: "time_distributed")
        self.inputShape = inputShape
        if let inputShape { build(inputShape: inputShape) }
    }

    public var className: String { "TimeDistributed" }
    public var isBuilt: Bool { layer.isBuilt }
    public var ownWeights: [Parameter] { [] }
    public var layers: [any Layer] { [layer] }
    public var trackedAttributes: [TrackedAttribute] { [TrackedAttribute(name: "layer", layers: [layer], isList: false)] }

    public func build(inputShape: [Int]) {
        precondition(inputShape.count >= 2, "TimeDistributed layer '\(name)': needs inputs [time, …], got \(formatShape(inputShape))")
        layer.build(inputShape: Array(inputShape.dropFirst()))
    }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] {
        [inputShape[0]] + layer.outputShape(forInputShape: Array(inputShape.dropFirst()))
    }

    /// - Precondition: `input` has a batch and a time axis.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 3, "TimeDistributed layer '\(name)': expected input [batch, time, …], found \(formatShape(input.shape))")
        let (batch, steps) = (input.shape[0], input.shape[1])
        let folded = Tensor(shape: [batch * steps] + input.shape.dropFirst(2), storage: input.storage)
        let result = layer(folded)
        return Tensor(shape: [batch, steps] + result.shape.dropFirst(), storage: result.storage)
    }
}
