/// Keras's `Dropout`: the identity at inference, which is all Heft runs.
public final class Dropout: StatelessLayer {
    /// The fraction of inputs training would drop (kept for the config and `summary()`).
    public let rate: Float
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?

    /// - Precondition: `0 ≤ rate < 1`.
    public init(_ rate: Float, inputShape: [Int]? = nil, name: String? = nil) {
        precondition(rate >= 0 && rate < 1, "Dropout: rate must be in [0, 1), got \(rate)")
        self.rate = rate
        self.inputShape = inputShape
        self.name = name ?? LayerNaming.uniqueName(prefix: "dropout")
    }

    public var className: String { "Dropout" }
    public func outputShape(forInputShape inputShape: [Int]) -> [Int] { inputShape }
    public func callAsFunction(_ input: Tensor) -> Tensor { input }
}
