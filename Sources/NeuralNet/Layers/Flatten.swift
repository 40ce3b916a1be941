/// Flattens each sample to one axis, like Keras's `Flatten`: `[batch, d1, d2, …] → [batch, d1·d2·…]`.
public final class Flatten: StatelessLayer {
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?

    /// - Parameter name: an explicit name; by default `flatten`, `flatten_1`, ….
    public init(inputShape: [Int]? = nil, name: String? = nil) {
        self.inputShape = inputShape
        self.name = name ?? LayerNaming.uniqueName(prefix: "flatten")
    }

    public var className: String { "Flatten" }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] {
        [inputShape.reduce(1, *)]
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 1, "Flatten layer '\(name)': input must have a batch axis")
        return Tensor(shape: [input.shape[0], input.shape.dropFirst().reduce(1, *)], storage: input.storage)
    }
}
