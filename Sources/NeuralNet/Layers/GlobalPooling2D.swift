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
        let (batch, positions, channels) = (input.shape[0], input.shape[1] * input.shape[2], input.shape[3])
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
}

/// Keras's `GlobalAveragePooling2D`.
public final class GlobalAveragePooling2D: GlobalPooling2D {
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    public var takesMaximum: Bool { false }

    public init(inputShape: [Int]? = nil, name: String? = nil) {
        self.inputShape = inputShape
        self.name = name ?? LayerNaming.uniqueName(prefix: "global_average_pooling2d")
    }

    public var className: String { "GlobalAveragePooling2D" }
}

/// Keras's `GlobalMaxPooling2D`.
public final class GlobalMaxPooling2D: GlobalPooling2D {
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    public var takesMaximum: Bool { true }

    public init(inputShape: [Int]? = nil, name: String? = nil) {
        self.inputShape = inputShape
        self.name = name ?? LayerNaming.uniqueName(prefix: "global_max_pooling2d")
    }

    public var className: String { "GlobalMaxPooling2D" }
}
