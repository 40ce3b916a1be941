/// Keras's `DepthwiseConv2D`: each input channel convolved with its own `depthMultiplier`
/// filters, `y[b, i, j, c·m + k] = activation(Σ_{di, dj} x[b, i·s + di − p, j·s + dj − p, c] ·
/// depthwise_kernel[di, dj, c, k] + bias[c·m + k])`.
///
/// Weights: `depthwise_kernel [kh, kw, in, depthMultiplier]`, `bias [in · depthMultiplier]`.
public final class DepthwiseConv2D: Layer {
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
    public private(set) var bias: Parameter?

    /// Creates the layer with Keras's defaults (`glorot_uniform` kernel, zero bias).
    public init(kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: Padding = .valid, depthMultiplier: Int = 1,
                activation: Activation = .linear, useBias: Bool = true, inputShape: [Int]? = nil, dtype: DType = .float32,
                name: String? = nil) {
        precondition(kernelSize.0 > 0 && kernelSize.1 > 0 && strides.0 > 0 && strides.1 > 0 && depthMultiplier > 0,
                     "DepthwiseConv2D: kernel size, strides and depth multiplier must be positive")
        (self.kernelSize, self.strides, self.padding, self.depthMultiplier) = (kernelSize, strides, padding, depthMultiplier)
        (self.activation, self.useBias, self.dtype, self.inputShape) = (activation, useBias, dtype, inputShape)
        self.name = name ?? LayerNaming.uniqueName(prefix: "depthwise_conv2d")
        if let inputShape { build(inputShape: inputShape) }
    }

    public var className: String { "DepthwiseConv2D" }
    public var isBuilt: Bool { depthwiseKernel != nil }
    public var ownWeights: [Parameter] { [depthwiseKernel, bias].compactMap { $0 } }
    public var layers: [any Layer] { [] }

    public func build(inputShape: [Int]) {
        guard !isBuilt else { return }
        precondition(inputShape.count == 3, "DepthwiseConv2D layer '\(name)': needs inputs [height, width, channels], got \(formatShape(inputShape))")
        let shape = [kernelSize.0, kernelSize.1, inputShape[2], depthMultiplier]
        depthwiseKernel = Parameter(name: "depthwise_kernel", layerName: name, value: Initializer.glorotUniform()(shape, dtype: dtype))
        if useBias { bias = Parameter(name: "bias", layerName: name, value: .zeros([inputShape[2] * depthMultiplier], dtype: dtype)) }
    }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] {
        let window = Window(input: inputShape, size: kernelSize, strides: strides, padding: padding)
        return [window.outputRows, window.outputColumns, inputShape[2] * depthMultiplier]
    }

    /// - Precondition: `input` is `[batch, height, width, channels]` with the kernel's channels.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4, "DepthwiseConv2D layer '\(name)': expected input [batch, height, width, channels], found \(formatShape(input.shape))")
        build(inputShape: Array(input.shape.dropFirst()))
        var result = depthwiseConvolved(input, kernel: depthwiseKernel!.value, size: kernelSize, strides: strides, padding: padding)
        if let bias { result = result.adding(bias: bias.value) }
        return activation(result)
    }
}

/// Each channel of `input` (`[batch, h, w, c]`) convolved with its `m` filters of `kernel`
/// (`[kh, kw, c, m]`): `[batch, oh, ow, c·m]`, no bias.
func depthwiseConvolved(_ input: Tensor, kernel: Tensor, size: (Int, Int), strides: (Int, Int), padding: Padding) -> Tensor {
    let (channels, multiplier) = (kernel.shape[2], kernel.shape[3])
    precondition(input.shape[3] == channels, "depthwise convolution: expected \(channels) input channels, found \(input.shape[3])")
    let window = Window(input: Array(input.shape.dropFirst()), size: size, strides: strides, padding: padding)
    let batch = input.shape[0], width = channels * multiplier
    let x = input.scalars, w = kernel.scalars
    var output = [Float](repeating: 0, count: batch * window.outputRows * window.outputColumns * width)
    for sample in 0..<batch {
        let base = sample * window.sampleCount
        for i in 0..<window.outputRows {
            for j in 0..<window.outputColumns {
                let at = ((sample * window.outputRows + i) * window.outputColumns + j) * width
                for di in 0..<size.0 {
                    for dj in 0..<size.1 {
                        guard let (row, column) = window.source(i, j, di, dj) else { continue }
                        let from = base + (row * window.width + column) * channels
                        let tap = (di * size.1 + dj) * width
                        for c in 0..<channels {
                            let value = x[from + c]
                            for m in 0..<multiplier { output[at + c * multiplier + m] += value * w[tap + c * multiplier + m] }
                        }
                    }
                }
            }
        }
    }
    return Tensor(shape: [batch, window.outputRows, window.outputColumns, width], scalars: output)
}

extension Tensor {
    /// `self + bias` over the last axis (float32).
    func adding(bias: Tensor) -> Tensor {
        let b = bias.scalars
        var values = scalars
        for index in values.indices { values[index] += b[index % b.count] }
        return Tensor(shape: shape, scalars: values)
    }
}
