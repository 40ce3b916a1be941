/// Keras's `ZeroPadding2D`: zero rows above and below, zero columns left and right of each
/// `[height, width, channels]` sample.
public final class ZeroPadding2D: StatelessLayer {
    /// `((top, bottom), (left, right))`.
    public let padding: ((Int, Int), (Int, Int))
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?

    /// - Precondition: every amount is ≥ 0.
    public init(padding: ((Int, Int), (Int, Int)) = ((1, 1), (1, 1)), inputShape: [Int]? = nil, name: String? = nil) {
        precondition([padding.0.0, padding.0.1, padding.1.0, padding.1.1].allSatisfy { $0 >= 0 }, "ZeroPadding2D: padding must be ≥ 0")
        (self.padding, self.inputShape) = (padding, inputShape)
        self.name = name ?? LayerNaming.uniqueName(prefix: "zero_padding2d")
    }

    /// The same amount on every side: `ZeroPadding2D(padding: 2)`.
    public convenience init(padding: Int, inputShape: [Int]? = nil, name: String? = nil) {
        self.init(padding: ((padding, padding), (padding, padding)), inputShape: inputShape, name: name)
    }

    public var className: String { "ZeroPadding2D" }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] {
        [inputShape[0] + padding.0.0 + padding.0.1, inputShape[1] + padding.1.0 + padding.1.1, inputShape[2]]
    }

    /// - Precondition: `input` is `[batch, height, width, channels]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4, "ZeroPadding2D layer '\(name)': expected input [batch, height, width, channels], found \(formatShape(input.shape))")
        let (batch, height, width, channels) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let shape = outputShape(forInputShape: [height, width, channels])
        let x = input.scalars
        var output = [Float](repeating: 0, count: batch * shape.reduce(1, *))
        for sample in 0..<batch {
            for row in 0..<height {
                let from = ((sample * height + row) * width) * channels
                let to = ((sample * shape[0] + row + padding.0.0) * shape[1] + padding.1.0) * channels
                output.replaceSubrange(to..<(to + width * channels), with: x[from..<(from + width * channels)])
            }
        }
        return Tensor(shape: [batch] + shape, scalars: output)
    }
}
