internal import CBLAS

/// The one place Heft calls BLAS.
enum GEMM {
    /// `c[m×n] = a[m×k] · b[k×n] + beta · c` for row-major `Float` matrices (`cblas_sgemm`).
    static func multiply(m: Int, n: Int, k: Int,
                         a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                         beta: Float, c: UnsafeMutablePointer<Float>) {
        precondition(m <= Int32.max && n <= Int32.max && k <= Int32.max, "GEMM: dimension exceeds the BLAS integer range")
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                    blasint(m), blasint(n), blasint(k),
                    1, a, blasint(k), b, blasint(n),
                    beta, c, blasint(n))
    }

    /// `c = alpha · a · op(b) + beta · c` for row-major `Float` matrices with leading dimensions
    /// (`op(b)` is `bᵀ` when `transposeB`): a `[m×k]` with rows `lda` apart, b `[k×n]` (or `[n×k]`
    /// transposed) with rows `ldb` apart, c `[m×n]` with rows `ldc` apart — one head of a
    /// `[…, heads, size]` tensor is such a strided matrix.
    static func multiply(m: Int, n: Int, k: Int, alpha: Float = 1,
                         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition([m, n, k, lda, ldb, ldc].allSatisfy { $0 <= Int32.max }, "GEMM: dimension exceeds the BLAS integer range")
        cblas_sgemm(CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k),
                    alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }

    /// `x[rows×inner] · weights[inner×outer] + bias` (the bias added to every row; none when
    /// `nil`) as a new row-major matrix: the dense-layer product Dense, recurrent and attention
    /// projections share.
    static func affine(_ x: [Float], rows: Int, inner: Int, weights: [Float], outer: Int, bias: [Float]?) -> [Float] {
        var output = [Float](repeating: 0, count: rows * outer)
        if let bias { for row in 0..<rows { output.replaceSubrange((row * outer)..<((row + 1) * outer), with: bias) } }
        guard rows > 0, outer > 0 else { return output }
        output.withUnsafeMutableBufferPointer { out in
            x.withUnsafeBufferPointer { xp in
                weights.withUnsafeBufferPointer { wp in
                    multiply(m: rows, n: outer, k: inner, a: xp.baseAddress!, b: wp.baseAddress!, beta: bias == nil ? 0 : 1, c: out.baseAddress!)
                }
            }
        }
        return output
    }
}
