/// Keras's `LayerNormalization` over the last axis:
/// `y = gamma · (x − mean(x)) / sqrt(var(x) + epsilon) + beta`, mean and (biased) variance per row.
///
/// Weights `gamma` (when `scale`) and `beta` (when `center`), each `[features]`.
public final class LayerNormalization: Layer {
    public let epsilon: Float
    /// The normalized axis as Keras counts it (the batch axis is 0; negative counts from the end).
    /// Only the last axis is implemented: see ``normalizesLastAxis``.
    public let axis: Int
    /// Whether ``axis`` is the input's last axis (known once built); a model built from a file
    /// whose normalization uses another axis is refused.
    public private(set) var normalizesLastAxis = true
    public let center: Bool
    public let scale: Bool
    public let dtype: DType
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    public private(set) var gamma: Parameter?
    public private(set) var beta: Parameter?
    private var built = false

    /// Creates the layer with Keras's defaults (`epsilon` 1e-3, ones for gamma, zeros for beta).
    public init(axis: Int = -1, epsilon: Float = 1e-3, center: Bool = true, scale: Bool = true, inputShape: [Int]? = nil,
                dtype: DType = .float32, name: String? = nil) {
        self.axis = axis
        precondition(epsilon > 0, "LayerNormalization: epsilon must be positive")
        (self.epsilon, self.center, self.scale, self.dtype) = (epsilon, center, scale, dtype)
        self.inputShape = inputShape
        self.name = name ?? LayerNaming.uniqueName(prefix: "layer_normalization")
        if let inputShape { build(inputShape: inputShape) }
    }

    public var className: String { "LayerNormalization" }
    public var isBuilt: Bool { built }
    public var ownWeights: [Parameter] { [gamma, beta].compactMap { $0 } }
    public var layers: [any Layer] { [] }

    public func build(inputShape: [Int]) {
        guard !built else { return }
        precondition(!inputShape.isEmpty, "LayerNormalization layer '\(name)': needs an input axis")
        normalizesLastAxis = axis == -1 || axis == inputShape.count
        let features = [inputShape.last!]
        if scale { gamma = Parameter(name: "gamma", layerName: name, value: .ones(features, dtype: dtype)) }
        if center { beta = Parameter(name: "beta", layerName: name, value: .zeros(features, dtype: dtype)) }
        built = true
    }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] { inputShape }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        build(inputShape: Array(input.shape.dropFirst()))
        let width = input.shape.last ?? 1
        let g = gamma?.value.scalars, b = beta?.value.scalars
        var values = input.scalars
        for start in stride(from: 0, to: values.count, by: width) {
            let row = values[start..<(start + width)]
            let mean = row.reduce(0, +) / Float(width)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(width)
            let inverse = 1 / (variance + epsilon).squareRoot()
            for f in 0..<width {
                values[start + f] = (values[start + f] - mean) * inverse * (g?[f] ?? 1) + (b?[f] ?? 0)
            }
        }
        return Tensor(shape: input.shape, scalars: values)
    }
}
