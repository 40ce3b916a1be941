/// Keras's `MultiHeadAttention` (inference, no mask): for query `[B, T, d]` and value (and key)
/// `[B, S, d′]`, with `h` heads of size `k`:
/// `q = x_q·W_q + b_q`, `k = x_k·W_k + b_k`, `v = x_v·W_v + b_v` (each `[·, ·, h, k]`);
/// per head `A = softmax(q·kᵀ / √k)` over `S`; `y = Σ_heads (A·v)·W_o + b_o`, `[B, T, d]`.
///
/// Weights as Keras creates them, four `EinsumDense` projections saved under `query_dense`,
/// `key_dense`, `value_dense` and `output_dense`: kernels `[d, h, k]` (the output's `[h, k, d]`),
/// biases `[h, k]` (the output's `[d]`). Apply it in a functional graph to `[query, value]` or
/// `[query, value, key]`. Each projection is one `cblas_sgemm`.
public final class MultiHeadAttention: ComposedLayer, MultiInputLayer {
    public let numHeads: Int
    public let keyDim: Int
    public let valueDim: Int
    public let useBias: Bool
    public let dtype: DType
    public let name: String
    public var trainable = true
    public var inputShape: [Int]? { nil }
    public let queryDense: Projection
    public let keyDense: Projection
    public let valueDense: Projection
    public let outputDense: Projection

    /// Creates the layer with Keras's defaults (`value_dim` = `key_dim`, biases on).
    public init(numHeads: Int, keyDim: Int, valueDim: Int? = nil, useBias: Bool = true, dtype: DType = .float32, name: String? = nil) {
        precondition(numHeads > 0 && keyDim > 0 && (valueDim ?? 1) > 0, "MultiHeadAttention: heads and dimensions must be positive")
        (self.numHeads, self.keyDim, self.valueDim, self.useBias, self.dtype) = (numHeads, keyDim, valueDim ?? keyDim, useBias, dtype)
        let name = name ?? LayerNaming.uniqueName(prefix: "multi_head_attention")
        self.name = name
        queryDense = Projection(name: "query", owner: name, heads: numHeads, size: keyDim, useBias: useBias, dtype: dtype)
        keyDense = Projection(name: "key", owner: name, heads: numHeads, size: keyDim, useBias: useBias, dtype: dtype)
        valueDense = Projection(name: "value", owner: name, heads: numHeads, size: valueDim ?? keyDim, useBias: useBias, dtype: dtype)
        outputDense = Projection(name: "attention_output", owner: name, heads: numHeads, size: valueDim ?? keyDim, useBias: useBias,
                                 dtype: dtype, isOutput: true)
    }

    public var className: String { "MultiHeadAttention" }
    public var isBuilt: Bool { outputDense.isBuilt }
    public var ownWeights: [Parameter] { [] }
    public var layers: [any Layer] { [queryDense, keyDense, valueDense, outputDense] }
    public var trackedAttributes: [TrackedAttribute] {
        [("query_dense", queryDense), ("key_dense", keyDense), ("value_dense", valueDense), ("output_dense", outputDense)]
            .map { TrackedAttribute(name: $0.0, layers: [$0.1], isList: false) }
    }

    /// Builds for query and value of per-sample shapes `[T, d]` and `[S, d′]` (the key's as the value's).
    public func build(inputShape: [Int]) { build(query: inputShape, value: inputShape) }

    private func build(query: [Int], value: [Int]) {
        guard !isBuilt else { return }
        queryDense.build(inputShape: query)
        keyDense.build(inputShape: value)
        valueDense.build(inputShape: value)
        outputDense.build(inputShape: [query.last!])
    }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] { inputShape }

    public func mergedShape(_ shapes: [[Int]]) -> [Int] {
        precondition(shapes.count == 2 || shapes.count == 3, "MultiHeadAttention layer '\(name)': apply it to [query, value] or [query, value, key]")
        build(query: shapes[0], value: shapes[1])
        return shapes[0]
    }

    /// Self-attention: `self(x)` is `self([x, x])`.
    public func callAsFunction(_ input: Tensor) -> Tensor { merge([input, input]) }

    public func merge(_ inputs: [Tensor]) -> Tensor {
        precondition(inputs.count == 2 || inputs.count == 3, "MultiHeadAttention layer '\(name)': expects [query, value] or [query, value, key]")
        let (query, value) = (inputs[0], inputs[1]), key = inputs.count == 3 ? inputs[2] : inputs[1]
        build(query: Array(query.shape.dropFirst()), value: Array(value.shape.dropFirst()))
        let (batch, targets, sources) = (query.shape[0], query.shape[1], value.shape[1])
        let q = queryDense.project(query).scalars, k = keyDense.project(key).scalars, v = valueDense.project(value).scalars
        let scale = 1 / Float(keyDim).squareRoot()
        var attended = [Float](repeating: 0, count: batch * targets * numHeads * valueDim)
        var scores = [Float](repeating: 0, count: targets * sources)
        let (queryRow, valueRow) = (numHeads * keyDim, numHeads * valueDim)
        q.withUnsafeBufferPointer { qp in
            k.withUnsafeBufferPointer { kp in
                v.withUnsafeBufferPointer { vp in
                    attended.withUnsafeMutableBufferPointer { out in
                        scores.withUnsafeMutableBufferPointer { sp in
                            for b in 0..<batch {
                                for head in 0..<numHeads {
                                    // One head is a strided matrix of the projections: scores = q·kᵀ/√k, [targets, sources].
                                    GEMM.multiply(m: targets, n: sources, k: keyDim, alpha: scale,
                                                  a: qp.baseAddress! + b * targets * queryRow + head * keyDim, lda: queryRow,
                                                  b: kp.baseAddress! + b * sources * queryRow + head * keyDim, ldb: queryRow, transposeB: true,
                                                  beta: 0, c: sp.baseAddress!, ldc: sources)
                                    Activation.softmax.apply(to: sp, rowWidth: sources)
                                    GEMM.multiply(m: targets, n: valueDim, k: sources,
                                                  a: sp.baseAddress!, lda: sources,
                                                  b: vp.baseAddress! + b * sources * valueRow + head * valueDim, ldb: valueRow, transposeB: false,
                                                  beta: 0, c: out.baseAddress! + b * targets * valueRow + head * valueDim, ldc: valueRow)
                                }
                            }
                        }
                    }
                }
            }
        }
        return outputDense.project(Tensor(shape: [batch, targets, numHeads * valueDim], scalars: attended))
    }

    /// One of the attention's `EinsumDense` projections: `[…, d] → […, h, k]` (query, key, value),
    /// or `[…, h, k] → […, d]` (the output), through one `cblas_sgemm`.
    public final class Projection: Layer {
        public let name: String
        public var trainable = true
        public var inputShape: [Int]? { nil }
        let owner: String, heads: Int, size: Int, useBias: Bool, dtype: DType, isOutput: Bool
        public private(set) var kernel: Parameter?
        public private(set) var bias: Parameter?

        init(name: String, owner: String, heads: Int, size: Int, useBias: Bool, dtype: DType, isOutput: Bool = false) {
            (self.name, self.owner, self.heads, self.size, self.useBias, self.dtype, self.isOutput) = (name, owner, heads, size, useBias, dtype, isOutput)
        }

        public var className: String { "EinsumDense" }
        public var isBuilt: Bool { kernel != nil }
        public var ownWeights: [Parameter] { [kernel, bias].compactMap { $0 } }
        public var layers: [any Layer] { [] }

        public func build(inputShape: [Int]) {
            guard !isBuilt else { return }
            let model = inputShape.last!, layerName = "\(owner)/\(name)"
            let shape = isOutput ? [heads, size, model] : [model, heads, size]
            kernel = Parameter(name: "kernel", layerName: layerName, value: Initializer.glorotUniform()(shape, dtype: dtype))
            if useBias { bias = Parameter(name: "bias", layerName: layerName, value: .zeros(isOutput ? [model] : [heads, size], dtype: dtype)) }
        }

        public func outputShape(forInputShape inputShape: [Int]) -> [Int] {
            isOutput ? [inputShape[0], kernel?.shape[2] ?? 0] : [inputShape[0], heads, size]
        }

        /// A projection runs inside its attention layer.
        public func callAsFunction(_ input: Tensor) -> Tensor { project(input) }

        /// `input · kernel + bias` with the kernel as a `[in, out]` matrix (`[d, h·k]` or `[h·k, d]`).
        func project(_ input: Tensor) -> Tensor {
            let inner = kernel!.shape[0] * (isOutput ? kernel!.shape[1] : 1)
            let outer = kernel!.value.count / inner
            let output = GEMM.affine(input.scalars, rows: input.count / inner, inner: inner, weights: kernel!.value.scalars,
                                     outer: outer, bias: bias?.value.scalars)
            let prefix = Array(input.shape.dropLast())
            return Tensor(shape: isOutput ? prefix + [outer] : prefix + [heads, size], scalars: output)
        }
    }
}
