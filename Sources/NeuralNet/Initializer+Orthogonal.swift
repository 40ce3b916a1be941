extension Initializer {
    /// `orthogonal` (default gain 1): the shape is flattened to `(prod(shape[:-1]), shape[-1])`, a
    /// normal matrix of shape `(max, min)` is QR-factorised, `Q` is multiplied by `sign(diag(R))`,
    /// transposed when there are fewer rows than columns, and scaled by `gain`.
    ///
    /// Rows (or columns, whichever are fewer) of the result are orthonormal.
    /// - Precondition (when called): rank ≥ 2.
    public static func orthogonal(gain: Float = 1, seed: UInt64? = nil) -> Initializer {
        Initializer(name: "orthogonal") { shape, _ in
            precondition(shape.count >= 2, "initializer 'orthogonal' needs rank ≥ 2, got \(formatShape(shape))")
            let rows = shape.dropLast().reduce(1, *), cols = shape[shape.count - 1]
            let tall = max(rows, cols), narrow = min(rows, cols)
            var generator = makeGenerator(seed: seed)
            let normal = (0..<(tall * narrow)).map { _ in generator.nextStandardNormal() }
            let q = orthonormalColumns(normal, rows: tall, cols: narrow)
            var values = [Float](repeating: 0, count: rows * cols)
            for r in 0..<rows {
                for c in 0..<cols {
                    let source = rows >= cols ? q[r * narrow + c] : q[c * narrow + r]
                    values[r * cols + c] = gain * Float(source)
                }
            }
            return Tensor(shape: shape, scalars: values)
        }
    }
}

/// The thin `Q` (rows × cols, rows ≥ cols) of a Householder QR factorisation of the row-major
/// matrix `a`, with each column multiplied by the sign of the matching diagonal entry of `R`
/// (so the factorisation is unique, as in Keras). O(rows · cols²).
func orthonormalColumns(_ a: [Double], rows m: Int, cols n: Int) -> [Double] {
    var r = a
    var reflectors: [[Double]] = []
    var diagonalSigns: [Double] = []
    for k in 0..<n {
        var v = (k..<m).map { r[$0 * n + k] }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let alpha = v[0] > 0 ? -norm : norm
        v[0] -= alpha
        let vNorm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if vNorm > 0 { v = v.map { $0 / vNorm } }
        applyReflector(v, from: k, to: &r, rows: m, cols: n)
        reflectors.append(v)
        diagonalSigns.append(r[k * n + k] < 0 ? -1 : 1)
    }
    var q = [Double](repeating: 0, count: m * n)
    for i in 0..<n { q[i * n + i] = 1 }
    for k in stride(from: n - 1, through: 0, by: -1) {
        applyReflector(reflectors[k], from: k, to: &q, rows: m, cols: n)
    }
    for row in 0..<m {
        for col in 0..<n { q[row * n + col] *= diagonalSigns[col] }
    }
    return q
}

/// `matrix[k..., :] -= 2 v (vᵀ matrix[k..., :])` for a unit vector `v` (or zero).
private func applyReflector(_ v: [Double], from k: Int, to matrix: inout [Double], rows m: Int, cols n: Int) {
    for col in 0..<n {
        var dot = 0.0
        for i in k..<m { dot += v[i - k] * matrix[i * n + col] }
        if dot == 0 { continue }
        for i in k..<m { matrix[i * n + col] -= 2 * dot * v[i - k] }
    }
}
