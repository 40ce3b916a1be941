/// Keras's `EinsumDense`: `y = activation(einsum(equation, x, kernel) + bias)`, for the equations
/// that are one matrix product — the input's trailing axes contracted with the kernel's leading
/// ones, the output the input's other axes followed by the kernel's other axes:
///
/// ```swift
/// EinsumDense("abc,cd->abd", outputShape: [6, 5], biasAxes: "d")      // [B, 6, 4] → [B, 6, 5]
/// EinsumDense("abc,cde->abde", outputShape: [nil, 2, 8], biasAxes: "de") // a projection to heads
/// EinsumDense("...b,bc->...c", outputShape: [16])                      // any leading axes
/// ```
///
/// `outputShape` is Keras's `output_shape`: the output's per-sample sizes (without the batch axis,
/// and without the axes `...` stands for), `nil` where the size comes from the input. The kernel's
/// shape follows the kernel subscripts (an input size for a contracted axis, an output size for
/// the others); the bias's runs from the first of `biasAxes` to the output's last axis, 1 on axes
/// not in `biasAxes` (Keras's rule). The product is one `cblas_sgemm`.
public final class EinsumDense: Layer {
    public let equation: String
    public let outputShape: [Int?]
    public let activation: Activation
    public let biasAxes: String?
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    public let dtype: DType
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?
    public private(set) var kernel: Parameter?
    public private(set) var bias: Parameter?
    private let parsed: Equation

    /// - Precondition: `equation` is one `EinsumDense` Heft implements (see ``Equation``) with
    ///   `biasAxes` among the kernel's output axes; a wrong literal is a programmer error. Check a
    ///   string from a file with ``Equation/init(_:biasAxes:)`` first.
    public init(_ equation: String, outputShape: [Int?], activation: Activation = .linear, biasAxes: String? = nil,
                kernelInitializer: Initializer = .glorotUniform(), biasInitializer: Initializer = .zeros,
                dtype: DType = .float32, inputShape: [Int]? = nil, name: String? = nil) {
        do {
            parsed = try Equation(equation, biasAxes: biasAxes)
        } catch {
            preconditionFailure("EinsumDense: \(error)")
        }
        (self.equation, self.outputShape, self.activation, self.biasAxes) = (equation, outputShape, activation, biasAxes)
        (self.kernelInitializer, self.biasInitializer, self.dtype, self.inputShape) = (kernelInitializer, biasInitializer, dtype, inputShape)
        self.name = name ?? LayerNaming.uniqueName(prefix: "einsum_dense")
        if let inputShape { build(inputShape: inputShape) }
    }

    public var className: String { "EinsumDense" }
    public var isBuilt: Bool { kernel != nil }
    public var ownWeights: [Parameter] { [kernel, bias].compactMap { $0 } }
    public var layers: [any Layer] { [] }

    /// - Precondition: `inputShape` has the axes the equation names (the batch axis aside), and
    ///   `outputShape` gives a size to every kernel output axis and agrees with the input elsewhere.
    public func build(inputShape: [Int]) {
        guard !isBuilt else { return }
        let sizes = parsed.sizes(input: [1] + inputShape, outputShape: outputShape, layer: name)
        kernel = Parameter(name: "kernel", layerName: name, value: kernelInitializer(sizes.kernel, dtype: dtype))
        if let biasShape = sizes.bias { bias = Parameter(name: "bias", layerName: name, value: biasInitializer(biasShape, dtype: dtype)) }
    }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] {
        Array(parsed.sizes(input: [1] + inputShape, outputShape: outputShape, layer: name).output.dropFirst())
    }

    /// `activation(einsum(equation, input, kernel) + bias)`; builds on the first call.
    ///
    /// - Precondition: `input` has the axes the layer was built for.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        build(inputShape: Array(input.shape.dropFirst()))
        let sizes = parsed.sizes(input: input.shape, outputShape: outputShape, layer: name)
        precondition(sizes.kernel == kernel!.shape,
                     "EinsumDense layer '\(name)': input \(formatShape(input.shape)) does not fit kernel \(formatShape(kernel!.shape))")
        let inner = sizes.kernel.prefix(parsed.contracted).reduce(1, *)
        let outer = kernel!.value.count / max(inner, 1)
        var output = GEMM.affine(input.scalars, rows: input.count / max(inner, 1), inner: inner, weights: kernel!.value.scalars,
                                 outer: outer, bias: bias.map { parsed.broadcastBias($0.value.scalars, shape: $0.shape, to: Array(sizes.kernel.dropFirst(parsed.contracted))) })
        output.withUnsafeMutableBufferPointer { activation.apply(to: $0, rowWidth: sizes.output.last ?? 1) }
        return Tensor(shape: sizes.output, scalars: output)
    }
}

extension EinsumDense {
    /// An `EinsumDense` equation Heft computes as one matrix product: `input,kernel->output` where
    /// the input's trailing axes are the kernel's leading axes (contracted), the output is the
    /// input's remaining axes then the kernel's remaining axes, each axis named once per operand;
    /// `...` may lead the input and the output (axes passed through). The bias axes must be among
    /// the kernel's output axes.
    public struct Equation: Sendable {
        /// The subscripts, `...` removed.
        let input: [Character], kernel: [Character], output: [Character]
        let leftElided: Bool
        /// How many of the kernel's leading axes are contracted.
        let contracted: Int
        let biasAxes: [Character]?

        /// - Throws: ``NeuralNetError/unsupportedEquation(equation:reason:)`` naming what Heft does
        ///   not compute.
        public init(_ text: String, biasAxes: String?) throws {
            let compact = text.filter { !$0.isWhitespace }
            let sides = compact.split(separator: "->", omittingEmptySubsequences: false)
            let operands = sides.first.map { $0.split(separator: ",", omittingEmptySubsequences: false) } ?? []
            guard sides.count == 2, operands.count == 2 else { throw NeuralNetError.unsupportedEquation(equation: text, reason: "not 'input,kernel->output'") }
            let (inputText, kernelText, outputText) = (String(operands[0]), String(operands[1]), String(sides[1]))
            let leftElided = inputText.hasPrefix("...")
            self.leftElided = leftElided
            guard leftElided == outputText.hasPrefix("..."), !kernelText.contains("."),
                  !inputText.dropFirst(leftElided ? 3 : 0).contains("."), !outputText.dropFirst(leftElided ? 3 : 0).contains(".") else {
                throw NeuralNetError.unsupportedEquation(equation: text, reason: "'...' is supported leading both the input and the output only")
            }
            let input = Array(inputText.dropFirst(leftElided ? 3 : 0)), kernel = Array(kernelText)
            let output = Array(outputText.dropFirst(leftElided ? 3 : 0))
            for (operand, letters) in [("input", input), ("kernel", kernel), ("output", output)] {
                guard letters.allSatisfy({ $0.isASCII && $0.isLetter }), Set(letters).count == letters.count, !letters.isEmpty else {
                    throw NeuralNetError.unsupportedEquation(equation: text, reason: "the \(operand) subscripts must be distinct letters")
                }
            }
            let shared = input.filter { kernel.contains($0) }
            let freeInput = input.filter { !kernel.contains($0) }, freeKernel = kernel.filter { !input.contains($0) }
            guard leftElided || !freeInput.isEmpty, Array(input.suffix(shared.count)) == shared, Array(kernel.prefix(shared.count)) == shared,
                  shared.allSatisfy({ !output.contains($0) }), output == freeInput + freeKernel else {
                throw NeuralNetError.unsupportedEquation(equation: text, reason: "not one matrix product (input axes then contracted axes; "
                    + "kernel contracted axes then output axes; output = the input's other axes then the kernel's)")
            }
            if let biasAxes, biasAxes.isEmpty || !biasAxes.allSatisfy(freeKernel.contains) {
                throw NeuralNetError.unsupportedEquation(equation: text, reason: "bias axes '\(biasAxes)' must be among the kernel's output axes '\(String(freeKernel))'")
            }
            (self.input, self.kernel, self.output, self.contracted) = (input, kernel, output, shared.count)
            self.biasAxes = biasAxes.map(Array.init)
        }

        /// Whether `outputShape` (Keras's `output_shape`) has one size per named output axis and a
        /// size for every axis the kernel creates.
        public func acceptsOutputShape(_ outputShape: [Int?]) -> Bool {
            let named = leftElided ? output : Array(output.dropFirst())
            return outputShape.count == named.count
                && zip(named, outputShape).allSatisfy { letter, size in input.contains(letter) || (size ?? 0) > 0 }
        }

        /// The full output shape, the kernel's shape and the bias's, for a full input shape (batch
        /// axis included).
        func sizes(input shape: [Int], outputShape: [Int?], layer: String) -> (output: [Int], kernel: [Int], bias: [Int]?) {
            let elided = shape.count - input.count
            precondition(elided >= 0 && (leftElided || elided == 0),
                         "EinsumDense layer '\(layer)': input shape \(formatShape(shape)) does not have the axes '\(String(input))' names")
            var size: [Character: Int] = [:]
            for (letter, dimension) in zip(input, shape.suffix(input.count)) { size[letter] = dimension }
            // Keras's output_shape leaves out the batch axis (the first letter) unless '...' stands for it.
            let named = leftElided ? Array(output) : Array(output.dropFirst())
            precondition(outputShape.count == named.count,
                         "EinsumDense layer '\(layer)': output_shape has \(outputShape.count) sizes for the \(named.count) axes '\(String(named))'")
            for (letter, given) in zip(named, outputShape) {
                if let known = size[letter] {
                    precondition(given == nil || given == known,
                                 "EinsumDense layer '\(layer)': output size \(given!) of axis '\(letter)' differs from the input's \(known)")
                } else {
                    guard let given, given > 0 else { preconditionFailure("EinsumDense layer '\(layer)': output axis '\(letter)' needs a positive size") }
                    size[letter] = given
                }
            }
            let outputSizes = Array(shape.prefix(elided)) + output.map { size[$0]! }
            let biasShape = biasAxes.map { axes in
                output.drop { !axes.contains($0) }.map { axes.contains($0) ? size[$0]! : 1 }
            }
            return (outputSizes, kernel.map { size[$0]! }, biasShape)
        }

        /// The bias (of Keras's broadcast shape, a suffix of the kernel's output axes with 1s)
        /// spread over all of the kernel's output axes, row-major.
        func broadcastBias(_ values: [Float], shape: [Int], to full: [Int]) -> [Float] {
            let padded = Array(repeating: 1, count: full.count - shape.count) + shape
            return Broadcast.sourceIndices(of: padded, over: full).map { values[$0] }
        }
    }
}
