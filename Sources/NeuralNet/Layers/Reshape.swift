/// Reshapes each sample to `targetShape`, like Keras's `Reshape` (one entry may be `-1`, inferred).
public final class Reshape: StatelessLayer {
    /// The per-sample output shape; `-1` marks the one inferred axis.
    public let targetShape: [Int]
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?

    /// - Precondition: at most one entry of `targetShape` is `-1`, the others positive.
    public init(_ targetShape: [Int], inputShape: [Int]? = nil, name: String? = nil) {
        precondition(targetShape.filter { $0 == -1 }.count <= 1 && targetShape.allSatisfy { $0 == -1 || $0 > 0 },
                     "Reshape: target shape \(formatShape(targetShape)) needs positive sizes and at most one -1")
        self.targetShape = targetShape
        self.inputShape = inputShape
        self.name = name ?? LayerNaming.uniqueName(prefix: "reshape")
    }

    public var className: String { "Reshape" }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] {
        let count = inputShape.reduce(1, *)
        let known = targetShape.filter { $0 != -1 }.reduce(1, *)
        precondition(count % known == 0 && (targetShape.contains(-1) || count == known),
                     "Reshape layer '\(name)': cannot reshape \(formatShape(inputShape)) to \(formatShape(targetShape))")
        return targetShape.map { $0 == -1 ? count / known : $0 }
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        Tensor(shape: [input.shape[0]] + outputShape(forInputShape: Array(input.shape.dropFirst())), storage: input.storage)
    }
}
