/// A 2-D convolution over `[batch, height, width, channels]` (channels last), exactly as Keras's
/// `Conv2D`: `y[b, i, j, o] = activation(Σ_{di, dj, c} x[b, i·s + di − p, j·s + dj − p, c] ·
/// kernel[di, dj, c, o] + bias[o])`.
///
/// The kernel has Keras's shape `[kernelHeight, kernelWidth, inputChannels, filters]` and the bias
/// `[filters]`. The forward pass gathers each output position's window into one row (im2col) and
/// multiplies all rows by the kernel with one `cblas_sgemm` per batch, in `float32`.
public final class Conv2D: Layer {
    public let filters: Int
    /// `(height, width)` of the window.
    public let kernelSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: Padding
    public let activation: Activation
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    public let dtype: DType
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    /// The kernel, `[kh, kw, in, filters]`; `nil` until built.
    public private(set) var kernel: Parameter?
    /// The bias, `[filters]`; `nil` until built or without ``useBias``.
    public private(set) var bias: Parameter?

    /// Creates a Conv2D layer with Keras's arguments and defaults (`strides` 1, `valid` padding,
    /// `glorot_uniform` kernel, zero bias).
    ///
    /// - Precondition: `filters`, the kernel size and the strides are positive.
    public init(_ filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: Padding = .valid,
                activation: Activation = .linear, useBias: Bool = true,
                kernelInitializer: Initializer = .glorotUniform(), biasInitializer: Initializer = .zeros,
                inputShape: [Int]? = nil, dtype: DType = .float32, name: String? = nil) {
        precondition(filters > 0 && kernelSize.0 > 0 && kernelSize.1 > 0 && strides.0 > 0 && strides.1 > 0,
                     "Conv2D: filters, kernel size and strides must be positive")
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.dtype = dtype
        self.inputShape = inputShape
        self.name = name ?? LayerNaming.uniqueName(prefix: "conv2d")
        if let inputShape { build(inputShape: inputShape) }
    }

    /// A square kernel and stride: `Conv2D(32, kernelSize: 3)`.
    public convenience init(_ filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid,
                            activation: Activation = .linear, useBias: Bool = true, inputShape: [Int]? = nil,
                            name: String? = nil) {
        self.init(filters, kernelSize: (kernelSize, kernelSize), strides: (strides, strides), padding: padding,
                  activation: activation, useBias: useBias, inputShape: inputShape, name: name)
    }

    public var className: String { "Conv2D" }
    public var isBuilt: Bool { kernel != nil }
    public var ownWeights: [Parameter] { [kernel, bias].compactMap { $0 } }
    public var layers: [any Layer] { [] }

    public func build(inputShape: [Int]) {
        guard !isBuilt else { return }
        precondition(inputShape.count == 3, "Conv2D layer '\(name)': needs inputs [height, width, channels], got \(formatShape(inputShape))")
        let shape = [kernelSize.0, kernelSize.1, inputShape[2], filters]
        kernel = Parameter(name: "kernel", layerName: name, value: kernelInitializer(shape, dtype: dtype))
        if useBias { bias = Parameter(name: "bias", layerName: name, value: biasInitializer([filters], dtype: dtype)) }
    }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] {
        let rows = padding.geometry(input: inputShape[0], window: kernelSize.0, stride: strides.0)
        let columns = padding.geometry(input: inputShape[1], window: kernelSize.1, stride: strides.1)
        return [rows.output, columns.output, filters]
    }

    /// The convolution; builds on the first call.
    ///
    /// - Precondition: `input` is `[batch, height, width, channels]` with the kernel's channels.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4, "Conv2D layer '\(name)': expected input [batch, height, width, channels], found \(formatShape(input.shape))")
        build(inputShape: Array(input.shape.dropFirst()))
        let channels = kernel!.shape[2]
        precondition(input.shape[3] == channels,
                     "Conv2D layer '\(name)': expected \(channels) input channels, found \(input.shape[3])")
        return convolved(input, kernel: kernel!.value, bias: bias?.value, size: kernelSize, strides: strides,
                         padding: padding, activation: activation)
    }
}

/// The convolution of `input` (`[batch, height, width, channels]`) with `kernel` (whose elements
/// are `[kh, kw, channels, filters]` in row-major order, whatever its shape): each output
/// position's window gathered into a row (im2col), all rows of a sample times the kernel in one
/// `cblas_sgemm`, plus `bias`, then `activation`.
func convolved(_ input: Tensor, kernel: Tensor, bias: Tensor?, size: (Int, Int), strides: (Int, Int), padding: Padding,
               activation: Activation) -> Tensor {
    let channels = input.shape[3], filters = kernel.shape.last!
    let window = Window(input: Array(input.shape.dropFirst()), size: size, strides: strides, padding: padding)
    let batch = input.shape[0], positions = window.outputRows * window.outputColumns
    let depth = size.0 * size.1 * channels
    let x = input.scalars, w = kernel.scalars, b = bias?.scalars
    var output = [Float](repeating: 0, count: batch * positions * filters)
    guard positions > 0, depth > 0 else { return Tensor(shape: [batch, window.outputRows, window.outputColumns, filters], scalars: output) }
    // Windows are gathered for a band of output rows at a time (about `tile` floats, so that they
    // stay in cache while sgemm reads them) and multiplied at once.
    let tile = 1 << 20
    let band = max(1, min(window.outputRows, tile / max(1, window.outputColumns * depth)))
    let columns = UnsafeMutableBufferPointer<Float>.allocate(capacity: band * window.outputColumns * depth)
    defer { columns.deallocate() }
    x.withUnsafeBufferPointer { xp in
        w.withUnsafeBufferPointer { wp in
            output.withUnsafeMutableBufferPointer { out in
                for sample in 0..<batch {
                    let source = UnsafeBufferPointer(rebasing: xp[(sample * window.sampleCount)...])
                    for top in stride(from: 0, to: window.outputRows, by: band) {
                        let rows = top..<min(top + band, window.outputRows)
                        window.gather(source, outputRows: rows, into: columns)
                        let first = sample * positions + top * window.outputColumns, count = rows.count * window.outputColumns
                        let target = UnsafeMutableBufferPointer(rebasing: out[(first * filters)..<((first + count) * filters)])
                        if let b { for row in 0..<count { _ = UnsafeMutableBufferPointer(rebasing: target[(row * filters)..<((row + 1) * filters)]).update(from: b) } }
                        GEMM.multiply(m: count, n: filters, k: depth, a: columns.baseAddress!, b: wp.baseAddress!,
                                      beta: b == nil ? 0 : 1, c: target.baseAddress!)
                    }
                }
                activation.apply(to: out, rowWidth: filters)
            }
        }
    }
    return Tensor(shape: [batch, window.outputRows, window.outputColumns, filters], scalars: output)
}
