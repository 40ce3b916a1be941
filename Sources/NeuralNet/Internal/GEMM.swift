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
