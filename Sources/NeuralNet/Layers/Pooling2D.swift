/// What `MaxPooling2D` and `AveragePooling2D` share: a window over `[batch, height, width,
/// channels]` reduced per channel to its maximum or mean. With `same` padding a window's mean
/// counts only its elements inside the input (TensorFlow's rule), and its maximum ignores padding.
public protocol Pooling2D: StatelessLayer {
    /// The window's size, step and padding.
    var window: PoolingWindow { get }
    /// Whether the window's maximum (else its mean) is taken.
    var takesMaximum: Bool { get }
}

extension Pooling2D {
    /// `(height, width)` of the window.
    public var poolSize: (Int, Int) { window.poolSize }
    /// The step between windows (Keras's default: the pool size).
    public var strides: (Int, Int) { window.strides }
    public var padding: Padding { window.padding }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] {
        let geometry = Window(input: inputShape, size: poolSize, strides: strides, padding: padding)
        return [geometry.outputRows, geometry.outputColumns, inputShape[2]]
    }

    /// - Precondition: `input` is `[batch, height, width, channels]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4, "\(className) layer '\(name)': expected input [batch, height, width, channels], found \(formatShape(input.shape))")
        return pooled(input, size: poolSize, strides: strides, padding: padding, takesMaximum: takesMaximum)
    }
}

/// Each window of `input` (`[batch, height, width, channels]`) reduced per channel to its maximum
/// or the mean of its elements inside the input.
func pooled(_ input: Tensor, size: (Int, Int), strides: (Int, Int), padding: Padding, takesMaximum: Bool) -> Tensor {
    let geometry = Window(input: Array(input.shape.dropFirst()), size: size, strides: strides, padding: padding)
    let (batch, channels) = (input.shape[0], input.shape[3])
    let x = input.scalars
    var output = [Float](repeating: 0, count: batch * geometry.outputRows * geometry.outputColumns * channels)
    var at = 0
    for sample in 0..<batch {
        let base = sample * geometry.sampleCount
        for i in 0..<geometry.outputRows {
            for j in 0..<geometry.outputColumns {
                for c in 0..<channels {
                    var result: Float = takesMaximum ? -.infinity : 0
                    var count = 0
                    for di in 0..<size.0 {
                        for dj in 0..<size.1 {
                            guard let (row, column) = geometry.source(i, j, di, dj) else { continue }
                            let value = x[base + (row * geometry.width + column) * channels + c]
                            result = takesMaximum ? max(result, value) : result + value
                            count += 1
                        }
                    }
                    output[at] = takesMaximum ? result : result / Float(max(count, 1))
                    at += 1
                }
            }
        }
    }
    return Tensor(shape: [batch, geometry.outputRows, geometry.outputColumns, channels], scalars: output)
}

/// The window of a pooling layer: its size, step and padding, checked once.
public struct PoolingWindow: Sendable {
    public let poolSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: Padding

    /// `strides` default to the pool size, as in Keras.
    ///
    /// - Precondition: the pool size and strides are positive.
    public init(poolSize: (Int, Int), strides: (Int, Int)?, padding: Padding) {
        precondition(poolSize.0 > 0 && poolSize.1 > 0 && (strides.map { $0.0 > 0 && $0.1 > 0 } ?? true),
                     "pooling: pool size and strides must be positive")
        (self.poolSize, self.strides, self.padding) = (poolSize, strides ?? poolSize, padding)
    }
}

/// Keras's `MaxPooling2D`: the maximum of each window, per channel.
public final class MaxPooling2D: Pooling2D {
    public let window: PoolingWindow
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    public var takesMaximum: Bool { true }

    /// - Precondition: the pool size and strides are positive.
    public init(poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid,
                inputShape: [Int]? = nil, name: String? = nil) {
        window = PoolingWindow(poolSize: poolSize, strides: strides, padding: padding)
        self.inputShape = inputShape
        self.name = name ?? LayerNaming.uniqueName(prefix: "max_pooling2d")
    }

    public var className: String { "MaxPooling2D" }
}

/// Keras's `AveragePooling2D`: the mean of each window, per channel.
public final class AveragePooling2D: Pooling2D {
    public let window: PoolingWindow
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    public var takesMaximum: Bool { false }

    /// - Precondition: the pool size and strides are positive.
    public init(poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid,
                inputShape: [Int]? = nil, name: String? = nil) {
        window = PoolingWindow(poolSize: poolSize, strides: strides, padding: padding)
        self.inputShape = inputShape
        self.name = name ?? LayerNaming.uniqueName(prefix: "average_pooling2d")
    }

    public var className: String { "AveragePooling2D" }
}
