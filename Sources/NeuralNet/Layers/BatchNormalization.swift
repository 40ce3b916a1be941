/// Keras's `BatchNormalization` at inference, over the last axis:
/// `y = gamma · (x − moving_mean) / sqrt(moving_variance + epsilon) + beta`.
///
/// Weights in Keras's order: `gamma` and `beta` (trainable, when `scale` and `center`), then
/// `moving_mean` and `moving_variance` (non-trainable), each of shape `[channels]`.
public final class BatchNormalization: Layer {
    public let epsilon: Float
    /// The normalized axis as Keras counts it (the batch axis is 0; negative counts from the end).
    /// Only the last axis is implemented: see ``normalizesLastAxis``.
    public let axis: Int
    /// Whether ``axis`` is the input's last axis (known once built); a model built from a file
    /// whose normalization uses another axis is refused.
    public private(set) var normalizesLastAxis = true
    public let momentum: Float
    public let center: Bool
    public let scale: Bool
    public let dtype: DType
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    public private(set) var gamma: Parameter?
    public private(set) var beta: Parameter?
    public private(set) var movingMean: Parameter?
    public private(set) var movingVariance: Parameter?

    /// Creates the layer with Keras's defaults (`epsilon` 1e-3, `momentum` 0.99; ones for gamma
    /// and the variance, zeros for beta and the mean).
    public init(axis: Int = -1, epsilon: Float = 1e-3, momentum: Float = 0.99, center: Bool = true, scale: Bool = true,
                inputShape: [Int]? = nil, dtype: DType = .float32, name: String? = nil) {
        self.axis = axis
        precondition(epsilon > 0, "BatchNormalization: epsilon must be positive")
        (self.epsilon, self.momentum, self.center, self.scale, self.dtype) = (epsilon, momentum, center, scale, dtype)
        self.inputShape = inputShape
        self.name = name ?? LayerNaming.uniqueName(prefix: "batch_normalization")
        if let inputShape { build(inputShape: inputShape) }
    }

    public var className: String { "BatchNormalization" }
    public var isBuilt: Bool { movingMean != nil }
    public var ownWeights: [Parameter] { [gamma, beta, movingMean, movingVariance].compactMap { $0 } }
    public var layers: [any Layer] { [] }

    public func build(inputShape: [Int]) {
        guard !isBuilt else { return }
        precondition(!inputShape.isEmpty, "BatchNormalization layer '\(name)': needs an input axis")
        normalizesLastAxis = axis == -1 || axis == inputShape.count
        let channels = [inputShape.last!]
        if scale { gamma = Parameter(name: "gamma", layerName: name, value: .ones(channels, dtype: dtype)) }
        if center { beta = Parameter(name: "beta", layerName: name, value: .zeros(channels, dtype: dtype)) }
        movingMean = Parameter(name: "moving_mean", layerName: name, value: .zeros(channels, dtype: dtype), trainable: false)
        movingVariance = Parameter(name: "moving_variance", layerName: name, value: .ones(channels, dtype: dtype), trainable: false)
    }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] { inputShape }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        build(inputShape: Array(input.shape.dropFirst()))
        let channels = movingMean!.shape[0]
        precondition(input.shape.last == channels, "BatchNormalization layer '\(name)': expected \(channels) channels, found \(input.shape.last ?? 0)")
        let mean = movingMean!.value.scalars, variance = movingVariance!.value.scalars
        let g = gamma?.value.scalars, b = beta?.value.scalars
        // One multiplier and offset per channel: y = x · m + a.
        let multiplier = (0..<channels).map { c in (g?[c] ?? 1) / (variance[c] + epsilon).squareRoot() }
        let offset = (0..<channels).map { c in (b?[c] ?? 0) - mean[c] * multiplier[c] }
        var values = input.scalars
        for index in values.indices {
            let c = index % channels
            values[index] = values[index] * multiplier[c] + offset[c]
        }
        return Tensor(shape: input.shape, scalars: values)
    }
}
