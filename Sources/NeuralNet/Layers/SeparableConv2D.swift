/// Keras's `SeparableConv2D`: a depthwise convolution (each channel with its `depthMultiplier`
/// filters) followed by a pointwise 1×1 convolution to `filters` channels, plus bias, then the
/// activation. Weights: `depthwise_kernel [kh, kw, in, m]`, `pointwise_kernel [1, 1, in·m,
/// filters]`, `bias [filters]`; the pointwise step is one `cblas_sgemm` per batch.
public final class SeparableConv2D: Layer {
    public let filters: Int
    public let kernelSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: Padding
    public let depthMultiplier: Int
    public let activation: Activation
    public let useBias: Bool
    public let dtype: DType
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    public private(set) var depthwiseKernel: Parameter?
    public private(set) var pointwiseKernel: Parameter?
    public private(set) var bias: Parameter?

    /// Creates the layer with Keras's defaults (`glorot_uniform` kernels, zero bias).
    public init(_ filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: Padding = .valid,
                depthMultiplier: Int = 1, activation: Activation = .linear, useBias: Bool = true, inputShape: [Int]? = nil,
                dtype: DType = .float32, name: String? = nil) {
        precondition(filters > 0 && kernelSize.0 > 0 && kernelSize.1 > 0 && strides.0 > 0 && strides.1 > 0 && depthMultiplier > 0,
                     "SeparableConv2D: filters, kernel size, strides and depth multiplier must be positive")
        (self.filters, self.kernelSize, self.strides, self.padding, self.depthMultiplier) = (filters, kernelSize, strides, padding, depthMultiplier)
        (self.activation, self.useBias, self.dtype, self.inputShape) = (activation, useBias, dtype, inputShape)
        self.name = name ?? LayerNaming.uniqueName(prefix: "separable_conv2d")
        if let inputShape { build(inputShape: inputShape) }
    }

    public var className: String { "SeparableConv2D" }
    public var isBuilt: Bool { depthwiseKernel != nil }
    public var ownWeights: [Parameter] { [depthwiseKernel, pointwiseKernel, bias].compactMap { $0 } }
    public var layers: [any Layer] { [] }

    public func build(inputShape: [Int]) {
        guard !isBuilt else { return }
        precondition(inputShape.count == 3, "SeparableConv2D layer '\(name)': needs inputs [height, width, channels], got \(formatShape(inputShape))")
        let depth = inputShape[2] * depthMultiplier
        depthwiseKernel = Parameter(name: "depthwise_kernel", layerName: name,
                                    value: Initializer.glorotUniform()([kernelSize.0, kernelSize.1, inputShape[2], depthMultiplier], dtype: dtype))
        pointwiseKernel = Parameter(name: "pointwise_kernel", layerName: name, value: Initializer.glorotUniform()([1, 1, depth, filters], dtype: dtype))
        if useBias { bias = Parameter(name: "bias", layerName: name, value: .zeros([filters], dtype: dtype)) }
    }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] {
        let window = Window(input: inputShape, size: kernelSize, strides: strides, padding: padding)
        return [window.outputRows, window.outputColumns, filters]
    }

    /// - Precondition: `input` is `[batch, height, width, channels]` with the kernel's channels.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4, "SeparableConv2D layer '\(name)': expected input [batch, height, width, channels], found \(formatShape(input.shape))")
        build(inputShape: Array(input.shape.dropFirst()))
        let depthwise = depthwiseConvolved(input, kernel: depthwiseKernel!.value, size: kernelSize, strides: strides, padding: padding)
        return convolved(depthwise, kernel: pointwiseKernel!.value, bias: bias?.value, size: (1, 1), strides: (1, 1),
                         padding: .valid, activation: activation)
    }
}
