/// A 1-D convolution over `[batch, steps, channels]`, exactly as Keras's `Conv1D`:
/// `y[b, t, o] = activation(Σ_{k, c} x[b, t·s + k − p, c] · kernel[k, c, o] + bias[o])`.
///
/// The kernel has Keras's shape `[kernelSize, inputChannels, filters]`, the bias `[filters]`; the
/// pass is ``Conv2D``'s on a height of one (im2col and one `cblas_sgemm` per sample).
public final class Conv1D: Layer {
    public let filters: Int
    public let kernelSize: Int
    public let strides: Int
    public let padding: Padding
    public let activation: Activation
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    public let dtype: DType
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    /// The kernel, `[kernelSize, in, filters]`; `nil` until built.
    public private(set) var kernel: Parameter?
    public private(set) var bias: Parameter?

    /// Creates a Conv1D layer with Keras's arguments and defaults.
    ///
    /// - Precondition: `filters`, `kernelSize` and `strides` are positive.
    public init(_ filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid, activation: Activation = .linear,
                useBias: Bool = true, kernelInitializer: Initializer = .glorotUniform(), biasInitializer: Initializer = .zeros,
                inputShape: [Int]? = nil, dtype: DType = .float32, name: String? = nil) {
        precondition(filters > 0 && kernelSize > 0 && strides > 0, "Conv1D: filters, kernel size and strides must be positive")
        (self.filters, self.kernelSize, self.strides, self.padding, self.activation) = (filters, kernelSize, strides, padding, activation)
        (self.useBias, self.kernelInitializer, self.biasInitializer, self.dtype) = (useBias, kernelInitializer, biasInitializer, dtype)
        self.inputShape = inputShape
        self.name = name ?? LayerNaming.uniqueName(prefix: "conv1d")
        if let inputShape { build(inputShape: inputShape) }
    }

    public var className: String { "Conv1D" }
    public var isBuilt: Bool { kernel != nil }
    public var ownWeights: [Parameter] { [kernel, bias].compactMap { $0 } }
    public var layers: [any Layer] { [] }

    public func build(inputShape: [Int]) {
        guard !isBuilt else { return }
        precondition(inputShape.count == 2, "Conv1D layer '\(name)': needs inputs [steps, channels], got \(formatShape(inputShape))")
        kernel = Parameter(name: "kernel", layerName: name, value: kernelInitializer([kernelSize, inputShape[1], filters], dtype: dtype))
        if useBias { bias = Parameter(name: "bias", layerName: name, value: biasInitializer([filters], dtype: dtype)) }
    }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] {
        [padding.geometry(input: inputShape[0], window: kernelSize, stride: strides).output, filters]
    }

    /// - Precondition: `input` is `[batch, steps, channels]` with the kernel's channels.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank == 3, "Conv1D layer '\(name)': expected input [batch, steps, channels], found \(formatShape(input.shape))")
        build(inputShape: Array(input.shape.dropFirst()))
        precondition(input.shape[2] == kernel!.shape[1], "Conv1D layer '\(name)': expected \(kernel!.shape[1]) input channels, found \(input.shape[2])")
        let image = Tensor(shape: [input.shape[0], 1, input.shape[1], input.shape[2]], storage: input.storage)
        let result = convolved(image, kernel: kernel!.value, bias: bias?.value, size: (1, kernelSize), strides: (1, strides),
                               padding: padding, activation: activation)
        return Tensor(shape: [input.shape[0], result.shape[2], filters], storage: result.storage)
    }
}
