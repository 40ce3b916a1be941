/// Keras's `PReLU`: `y = x` where `x > 0`, else `alpha · x`, with a learned `alpha` per input
/// element (shape: the per-sample input shape, 1 on each of `sharedAxes`, which count the batch
/// axis as 0 as Keras's `shared_axes` do). Keras initializes `alpha` to zeros.
public final class PReLU: Layer {
    public let sharedAxes: [Int]
    public let alphaInitializer: Initializer
    public let dtype: DType
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    public private(set) var alpha: Parameter?

    /// - Precondition: every shared axis is 1 or more.
    public init(sharedAxes: [Int] = [], alphaInitializer: Initializer = .zeros, dtype: DType = .float32,
                inputShape: [Int]? = nil, name: String? = nil) {
        precondition(sharedAxes.allSatisfy { $0 >= 1 }, "PReLU: shared axes count from 1 (the batch axis is 0)")
        (self.sharedAxes, self.alphaInitializer, self.dtype, self.inputShape) = (sharedAxes, alphaInitializer, dtype, inputShape)
        self.name = name ?? LayerNaming.uniqueName(prefix: "p_re_lu")
        if let inputShape { build(inputShape: inputShape) }
    }

    public var className: String { "PReLU" }
    public var isBuilt: Bool { alpha != nil }
    public var ownWeights: [Parameter] { [alpha].compactMap { $0 } }
    public var layers: [any Layer] { [] }

    /// - Precondition: every shared axis is an axis of the input.
    public func build(inputShape: [Int]) {
        guard !isBuilt else { return }
        precondition(sharedAxes.allSatisfy { $0 <= inputShape.count }, "PReLU layer '\(name)': a shared axis is beyond input \(formatShape(inputShape))")
        let shape = inputShape.enumerated().map { sharedAxes.contains($0.offset + 1) ? 1 : $0.element }
        alpha = Parameter(name: "alpha", layerName: name, value: alphaInitializer(shape, dtype: dtype))
    }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] { inputShape }

    /// - Precondition: `input`'s per-sample shape is the one the layer was built for.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        build(inputShape: Array(input.shape.dropFirst()))
        let alphaShape = alpha!.shape, slopes = alpha!.value.scalars
        let sample = Array(input.shape.dropFirst())
        let perSample = sample.reduce(1, *)
        let slopeIndex = Broadcast.sourceIndices(of: alphaShape, over: sample)
        var values = input.scalars
        for index in values.indices where values[index] < 0 { values[index] *= slopes[slopeIndex[index % perSample]] }
        return Tensor(shape: input.shape, scalars: values)
    }
}
