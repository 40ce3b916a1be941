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
}
