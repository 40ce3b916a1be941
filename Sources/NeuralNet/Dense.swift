/// A densely connected layer, `y = activation(x · kernel + bias)`, exactly as Keras's `Dense`.
///
/// The kernel has shape `[inputWidth, units]` and the bias `[units]`, as Keras stores them.
/// Without an `inputShape` the layer builds on its first call (or when a ``Sequential`` knows the
/// width of its input). The product runs through one `cblas_sgemm` call per batch, in `float32`.
///
/// ```swift
/// let layer = Dense(256, activation: .relu, inputShape: [20])
/// let y = layer(.randomUniform([2, 20]))      // shape [2, 256]
/// ```
public final class Dense: Layer, WeightShapeInferring {
    /// The output width.
    public let units: Int
    /// The function applied to `x · kernel + bias`.
    public let activation: Activation
    /// Whether the layer adds a bias.
    public let useBias: Bool
    /// Fills the kernel when the layer builds (default `glorot_uniform`).
    public let kernelInitializer: Initializer
    /// Fills the bias when the layer builds (default `zeros`).
    public let biasInitializer: Initializer
    /// The dtype of the weights (computation is always `float32`).
    public let dtype: DType
    public let name: String
    public var trainable = true
    /// The kernel, `[inputWidth, units]`; `nil` until built.
    public private(set) var kernel: Parameter?
    /// The bias, `[units]`; `nil` until built or when ``useBias`` is `false`.
    public private(set) var bias: Parameter?
    /// The per-sample input shape given at creation, if any.
    public let inputShape: [Int]?

    /// Creates a Dense layer with Keras's arguments and defaults.
    ///
    /// - Parameters:
    ///   - units: the output width (> 0).
    ///   - inputShape: the per-sample input shape, e.g. `[20]`; when given the weights are created now.
    ///   - name: an explicit name; by default `dense`, `dense_1`, ….
    public init(_ units: Int, activation: Activation = .linear, useBias: Bool = true,
                kernelInitializer: Initializer = .glorotUniform(), biasInitializer: Initializer = .zeros,
                inputShape: [Int]? = nil, dtype: DType = .float32, name: String? = nil) {
        precondition(units > 0, "Dense: units must be positive, got \(units)")
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.dtype = dtype
        self.inputShape = inputShape
        self.name = name ?? LayerNaming.uniqueName(prefix: "dense")
        if let inputShape { build(inputShape: inputShape) }
    }

    public var className: String { "Dense" }
    public var isBuilt: Bool { kernel != nil }
    public var ownWeights: [Parameter] { [kernel, bias].compactMap { $0 } }
    public var layers: [any Layer] { [] }
    /// The input width the kernel expects; `nil` until built.
    public var inputWidth: Int? { kernel?.shape[0] }

    public func build(inputShape: [Int]) {
        guard !isBuilt else { return }
        precondition(!inputShape.isEmpty && inputShape.last! > 0,
                     "Dense layer '\(name)': cannot build for input shape \(formatShape(inputShape))")
        let width = inputShape.last!
        kernel = Parameter(name: "kernel", layerName: name, value: kernelInitializer([width, units], dtype: dtype))
        if useBias {
            bias = Parameter(name: "bias", layerName: name, value: biasInitializer([units], dtype: dtype))
        }
    }

    func build(fromWeightShapes shapes: [[Int]]) {
        if let first = shapes.first, first.count == 2, first[1] == units { build(inputShape: [first[0]]) }
    }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] {
        inputShape.dropLast() + [units]
    }

    /// Ties this layer's kernel to `parameter` (e.g. another layer's kernel): both layers then hold
    /// the same object and see each other's updates. Builds the layer if needed.
    ///
    /// - Precondition: `parameter` has shape `[width, units]`, and `width` equals this layer's input
    ///   width if it is already built.
    public func tie(kernel parameter: Parameter) {
        precondition(parameter.shape.count == 2 && parameter.shape[1] == units,
                     "Dense layer '\(name)': cannot tie a kernel of shape \(formatShape(parameter.shape)) to \(units) units")
        precondition(inputWidth == nil || inputWidth == parameter.shape[0],
                     "Dense layer '\(name)': tied kernel width \(parameter.shape[0]) differs from input width \(inputWidth!)")
        if !isBuilt { build(inputShape: [parameter.shape[0]]) }
        kernel = parameter
    }

    /// Ties this layer's bias to `parameter` (shape `[units]`).
    ///
    /// - Precondition: ``useBias`` is `true` and the shape is `[units]`.
    public func tie(bias parameter: Parameter) {
        precondition(useBias && parameter.shape == [units],
                     "Dense layer '\(name)': cannot tie a bias of shape \(formatShape(parameter.shape))")
        bias = parameter
    }

    /// `activation(x · kernel + bias)` over the last axis of `input`; builds on the first call.
    ///
    /// - Precondition: the last axis of `input` equals the kernel's input width (a wrong width is
    ///   a programmer error and traps with a message naming the layer, expected and found width).
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 1, "Dense layer '\(name)': input must have at least one axis")
        build(inputShape: Array(input.shape.dropFirst(input.rank > 1 ? 1 : 0)))
        let width = inputWidth!
        precondition(input.shape.last == width,
                     "Dense layer '\(name)': expected input width \(width), found \(input.shape.last!) (input shape \(formatShape(input.shape)))")
        let rows = input.count / width
        var output = GEMM.affine(input.scalars, rows: rows, inner: width, weights: kernel!.value.scalars, outer: units,
                                 bias: bias?.value.scalars)
        output.withUnsafeMutableBufferPointer { activation.apply(to: $0, rowWidth: units) }
        return Tensor(shape: input.shape.dropLast() + [units], scalars: output)
    }
}
