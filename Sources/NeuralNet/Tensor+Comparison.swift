extension Tensor {
    /// Whether the tensors have the same shape and every pair of elements satisfies
    /// `|a − b| ≤ atol + rtol·|b|` (numpy's `allclose` with `b` = `other`), compared as `Float`.
    ///
    /// NaNs compare equal to NaNs at the same position; infinities must match exactly.
    public func isApproximatelyEqual(to other: Tensor, rtol: Float = 1e-5, atol: Float = 1e-6) -> Bool {
        guard shape == other.shape else { return false }
        return zip(scalars, other.scalars).allSatisfy { a, b in
            if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
            if a.isInfinite || b.isInfinite { return a == b }
            return abs(a - b) <= atol + rtol * abs(b)
        }
    }

    /// The largest `|a − b|` over all elements (compared as `Float`).
    ///
    /// - Precondition: the shapes are equal.
    public func maxAbsoluteDifference(to other: Tensor) -> Float {
        precondition(shape == other.shape, "Tensor: shapes \(formatShape(shape)) and \(formatShape(other.shape)) differ")
        return zip(scalars, other.scalars).reduce(0) { Swift.max($0, abs($1.0 - $1.1)) }
    }
}
