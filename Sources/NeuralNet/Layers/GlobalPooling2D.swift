/// What `GlobalAveragePooling2D` and `GlobalMaxPooling2D` share: the mean or maximum over height
/// and width, per channel: `[batch, h, w, c] → [batch, c]`.
public protocol GlobalPooling2D: StatelessLayer {
    /// Whether the maximum (else the mean) is taken.
    var takesMaximum: Bool { get }
}

extension GlobalPooling2D {
    public func outputShape(forInputShape inputShape: [Int]) -> [Int] { [inputShape[2]] }

    /// - Precondition: `input` is `[batch, height, width, channels]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4, "\(className) layer '\(name)': expected input [batch, height, width, channels], found \(formatShape(input.shape))")
        return globallyPooled(input, positions: input.shape[1] * input.shape[2], takesMaximum: takesMaximum)
    }
}

/// What `GlobalAveragePooling1D` and `GlobalMaxPooling1D` share: the mean or maximum over the
/// steps, per channel: `[batch, steps, c] → [batch, c]`.
public protocol GlobalPooling1D: StatelessLayer {
    /// Whether the maximum (else the mean) is taken.
    var takesMaximum: Bool { get }
}

extension GlobalPooling1D {
    public func outputShape(forInputShape inputShape: [Int]) -> [Int] { [inputShape[1]] }

    /// - Precondition: `input` is `[batch, steps, channels]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank == 3, "\(className) layer '\(name)': expected input [batch, steps, channels], found \(formatShape(input.shape))")
        return globallyPooled(input, positions: input.shape[1], takesMaximum: takesMaximum)
    }
}

/// The mean or maximum over the `positions` middle elements of each sample, per channel (the last axis).
func globallyPooled(_ input: Tensor, positions: Int, takesMaximum: Bool) -> Tensor {
    let (batch, channels) = (input.shape[0], input.shape.last!)
    let x = input.scalars
    var output = [Float](repeating: takesMaximum ? -.infinity : 0, count: batch * channels)
    for sample in 0..<batch {
        for position in 0..<positions {
            let base = (sample * positions + position) * channels
            for c in 0..<channels {
                let at = sample * channels + c
                output[at] = takesMaximum ? max(output[at], x[base + c]) : output[at] + x[base + c]
            }
        }
    }
    if !takesMaximum { for index in output.indices { output[index] /= Float(positions) } }
    return Tensor(shape: [batch, channels], scalars: output)
}

/// Keras's `GlobalAveragePooling2D`.
public final class GlobalAveragePooling2D: GlobalPooling2D {
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    public var takesMaximum: Bool { false }
    public var className: String { "GlobalAveragePooling2D" }

    public init(inputShape: [Int]? = nil, name: String? = nil) {
        (self.inputShape, self.name) = (inputShape, name ?? LayerNaming.uniqueName(prefix: "global_average_pooling2d"))
    }
}

/// Keras's `GlobalMaxPooling2D`.
public final class GlobalMaxPooling2D: GlobalPooling2D {
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    public var takesMaximum: Bool { true }
    public var className: String { "GlobalMaxPooling2D" }

    public init(inputShape: [Int]? = nil, name: String? = nil) {
        (self.inputShape, self.name) = (inputShape, name ?? LayerNaming.uniqueName(prefix: "global_max_pooling2d"))
    }
}

/// Keras's `GlobalAveragePooling1D`.
public final class GlobalAveragePooling1D: GlobalPooling1D {
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    public var takesMaximum: Bool { false }
    public var className: String { "GlobalAveragePooling1D" }

    public init(inputShape: [Int]? = nil, name: String? = nil) {
        (self.inputShape, self.name) = (inputShape, name ?? LayerNaming.uniqueName(prefix: "global_average_pooling1d"))
    }
}

/// Keras's `GlobalMaxPooling1D`.
public final class GlobalMaxPooling1D: GlobalPooling1D {
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    public var takesMaximum: Bool { true }
    public var className: String { "GlobalMaxPooling1D" }

    public init(inputShape: [Int]? = nil, name: String? = nil) {
        (self.inputShape, self.name) = (inputShape, name ?? LayerNaming.uniqueName(prefix: "global_max_pooling1d"))
    }
}
