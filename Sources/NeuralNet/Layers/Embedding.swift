/// Keras's `Embedding`: each integer index of the input becomes its row of `embeddings`,
/// `[batch, …] → [batch, …, outputDim]`. Indices arrive as the tensor's values (any dtype).
public final class Embedding: Layer {
    public let inputDim: Int
    public let outputDim: Int
    public let embeddingsInitializer: Initializer
    public let dtype: DType
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    /// The table, `[inputDim, outputDim]`.
    public private(set) var embeddings: Parameter?

    /// Creates the layer with Keras's default initializer (uniform in [−0.05, 0.05]). The table is
    /// created now: its shape does not depend on the input.
    public init(inputDim: Int, outputDim: Int, embeddingsInitializer: Initializer = .randomUniform(minval: -0.05, maxval: 0.05),
                inputShape: [Int]? = nil, dtype: DType = .float32, name: String? = nil) {
        precondition(inputDim > 0 && outputDim > 0, "Embedding: inputDim and outputDim must be positive")
        (self.inputDim, self.outputDim, self.embeddingsInitializer, self.dtype) = (inputDim, outputDim, embeddingsInitializer, dtype)
        self.inputShape = inputShape
        self.name = name ?? LayerNaming.uniqueName(prefix: "embedding")
        build(inputShape: inputShape ?? [])
    }

    public var className: String { "Embedding" }
    public var isBuilt: Bool { embeddings != nil }
    public var ownWeights: [Parameter] { [embeddings].compactMap { $0 } }
    public var layers: [any Layer] { [] }

    public func build(inputShape: [Int]) {
        guard !isBuilt else { return }
        embeddings = Parameter(name: "embeddings", layerName: name, value: embeddingsInitializer([inputDim, outputDim], dtype: dtype))
    }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] { inputShape + [outputDim] }

    /// - Precondition: every value is an integer in `0..<inputDim`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let table = embeddings!.value.scalars
        var output = [Float]()
        output.reserveCapacity(input.count * outputDim)
        for value in input.scalars {
            let index = Int(value)
            precondition(Float(index) == value && index >= 0 && index < inputDim,
                         "Embedding layer '\(name)': index \(value) is not an integer in 0..<\(inputDim)")
            output += table[(index * outputDim)..<((index + 1) * outputDim)]
        }
        return Tensor(shape: input.shape + [outputDim], scalars: output)
    }
}
