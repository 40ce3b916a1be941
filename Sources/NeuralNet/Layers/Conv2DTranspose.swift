/// Keras's `Conv2DTranspose` (the gradient of a convolution, "deconvolution"): each input
/// position scatters `x[i, j, c] · kernel[di, dj, f, c]` to output `(i·s + di − p, j·s + dj − p, f)`.
/// The output has `input · s + max(k − s, 0)` positions (`valid`) or `input · s` (`same`, cropped
/// `p = max((input − 1)·s + k − output, 0) / 2` before), as TensorFlow computes it.
///
/// Weights: `kernel [kh, kw, filters, in]` (Keras's order: filters before input channels), `bias [filters]`.
public final class Conv2DTranspose: Layer {
    public let filters: Int
    public let kernelSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: Padding
    public let activation: Activation
    public let useBias: Bool
    public let dtype: DType
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    public private(set) var kernel: Parameter?
    public private(set) var bias: Parameter?

    /// Creates the layer with Keras's defaults (`glorot_uniform` kernel, zero bias).
    public init(_ filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: Padding = .valid,
                activation: Activation = .linear, useBias: Bool = true, inputShape: [Int]? = nil, dtype: DType = .float32,
                name: String? = nil) {
        precondition(filters > 0 && kernelSize.0 > 0 && kernelSize.1 > 0 && strides.0 > 0 && strides.1 > 0,
                     "Conv2DTranspose: filters, kernel size and strides must be positive")
        (self.filters, self.kernelSize, self.strides, self.padding) = (filters, kernelSize, strides, padding)
        (self.activation, self.useBias, self.dtype, self.inputShape) = (activation, useBias, dtype, inputShape)
        self.name = name ?? LayerNaming.uniqueName(prefix: "conv2d_transpose")
        if let inputShape { build(inputShape: inputShape) }
    }

    public var className: String { "Conv2DTranspose" }
    public var isBuilt: Bool { kernel != nil }
    public var ownWeights: [Parameter] { [kernel, bias].compactMap { $0 } }
    public var layers: [any Layer] { [] }

    public func build(inputShape: [Int]) {
        guard !isBuilt else { return }
        precondition(inputShape.count == 3, "Conv2DTranspose layer '\(name)': needs inputs [height, width, channels], got \(formatShape(inputShape))")
        kernel = Parameter(name: "kernel", layerName: name,
                           value: Initializer.glorotUniform()([kernelSize.0, kernelSize.1, filters, inputShape[2]], dtype: dtype))
        if useBias { bias = Parameter(name: "bias", layerName: name, value: .zeros([filters], dtype: dtype)) }
    }

    /// The output length and the crop before it, for one axis.
    private func geometry(input: Int, window: Int, stride: Int) -> (output: Int, before: Int) {
        switch padding {
        case .valid: return (input * stride + max(window - stride, 0), 0)
        case .same:
            let output = input * stride
            return (output, max((input - 1) * stride + window - output, 0) / 2)
        }
    }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] {
        [geometry(input: inputShape[0], window: kernelSize.0, stride: strides.0).output,
         geometry(input: inputShape[1], window: kernelSize.1, stride: strides.1).output, filters]
    }

    /// - Precondition: `input` is `[batch, height, width, channels]` with the kernel's channels.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4, "Conv2DTranspose layer '\(name)': expected input [batch, height, width, channels], found \(formatShape(input.shape))")
        build(inputShape: Array(input.shape.dropFirst()))
        let (batch, height, width, channels) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        precondition(channels == kernel!.shape[3], "Conv2DTranspose layer '\(name)': expected \(kernel!.shape[3]) input channels, found \(channels)")
        let rows = geometry(input: height, window: kernelSize.0, stride: strides.0)
        let columns = geometry(input: width, window: kernelSize.1, stride: strides.1)
        let x = input.scalars, w = kernel!.value.scalars
        var output = [Float](repeating: 0, count: batch * rows.output * columns.output * filters)
        for sample in 0..<batch {
            for i in 0..<height {
                for j in 0..<width {
                    let from = ((sample * height + i) * width + j) * channels
                    for di in 0..<kernelSize.0 {
                        let row = i * strides.0 + di - rows.before
                        guard row >= 0 && row < rows.output else { continue }
                        for dj in 0..<kernelSize.1 {
                            let column = j * strides.1 + dj - columns.before
                            guard column >= 0 && column < columns.output else { continue }
                            let at = ((sample * rows.output + row) * columns.output + column) * filters
                            let tap = (di * kernelSize.1 + dj) * filters * channels
                            for f in 0..<filters {
                                var sum: Float = 0
                                for c in 0..<channels { sum += x[from + c] * w[tap + f * channels + c] }
                                output[at + f] += sum
                            }
                        }
                    }
                }
            }
        }
        var result = Tensor(shape: [batch, rows.output, columns.output, filters], scalars: output)
        if let bias { result = result.adding(bias: bias.value) }
        return activation(result)
    }
}
