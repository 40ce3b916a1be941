/// What `MaxPooling1D` and `AveragePooling1D` share: ``Pooling2D``'s window on a height of one,
/// over `[batch, steps, channels]`.
public protocol Pooling1D: StatelessLayer {
    var poolSize: Int { get }
    /// The step between windows (Keras's default: the pool size).
    var strides: Int { get }
    var padding: Padding { get }
    var takesMaximum: Bool { get }
}

extension Pooling1D {
    public func outputShape(forInputShape inputShape: [Int]) -> [Int] {
        [padding.geometry(input: inputShape[0], window: poolSize, stride: strides).output, inputShape[1]]
    }

    /// - Precondition: `input` is `[batch, steps, channels]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank == 3, "\(className) layer '\(name)': expected input [batch, steps, channels], found \(formatShape(input.shape))")
        let image = Tensor(shape: [input.shape[0], 1, input.shape[1], input.shape[2]], storage: input.storage)
        let result = pooled(image, size: (1, poolSize), strides: (1, strides), padding: padding, takesMaximum: takesMaximum)
        return Tensor(shape: [input.shape[0], result.shape[2], input.shape[2]], storage: result.storage)
    }
}

/// Keras's `MaxPooling1D`.
public final class MaxPooling1D: Pooling1D {
    public let poolSize: Int, strides: Int
    public let padding: Padding
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    public var takesMaximum: Bool { true }

    /// - Precondition: the pool size and strides are positive.
    public init(poolSize: Int = 2, strides: Int? = nil, padding: Padding = .valid, inputShape: [Int]? = nil, name: String? = nil) {
        let window = PoolingWindow(poolSize: (1, poolSize), strides: strides.map { (1, $0) }, padding: padding)
        (self.poolSize, self.strides, self.padding, self.inputShape) = (poolSize, window.strides.1, padding, inputShape)
        self.name = name ?? LayerNaming.uniqueName(prefix: "max_pooling1d")
    }

    public var className: String { "MaxPooling1D" }
}

/// Keras's `AveragePooling1D`.
public final class AveragePooling1D: Pooling1D {
    public let poolSize: Int, strides: Int
    public let padding: Padding
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    public var takesMaximum: Bool { false }

    /// - Precondition: the pool size and strides are positive.
    public init(poolSize: Int = 2, strides: Int? = nil, padding: Padding = .valid, inputShape: [Int]? = nil, name: String? = nil) {
        let window = PoolingWindow(poolSize: (1, poolSize), strides: strides.map { (1, $0) }, padding: padding)
        (self.poolSize, self.strides, self.padding, self.inputShape) = (poolSize, window.strides.1, padding, inputShape)
        self.name = name ?? LayerNaming.uniqueName(prefix: "average_pooling1d")
    }

    public var className: String { "AveragePooling1D" }
}
