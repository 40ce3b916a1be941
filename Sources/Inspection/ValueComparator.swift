import Checkpoint
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CKernels
import NeuralNet

/// Compares two tensors of one shape and dtype block by block and accumulates the statistics of
/// ``TensorComparison``.
struct ValueComparator {
    let tolerance: Tolerance
    let topCount: Int
    let dtype: DType
    private(set) var mismatches = 0
    private(set) var nanMismatches = 0
    private(set) var maxAbs = 0.0
    private(set) var maxAbsIndex = 0
    private(set) var maxRel = 0.0
    /// Whether some reference value (b) is not zero: the relative difference is undefined otherwise.
    private(set) var referenceNonzero = false
    private(set) var sumAbs = 0.0
    /// Pairs whose difference is finite (equal pairs, NaN = NaN included): the mean's denominator.
    private(set) var countedPairs = 0
    /// The largest differences seen so far, largest first (at most `topCount`).
    private(set) var top: [(diff: Double, index: Int, a: Double, b: Double)] = []

    init(tolerance: Tolerance, topCount: Int, dtype: DType) {
        self.tolerance = tolerance
        self.topCount = topCount
        self.dtype = dtype
    }

    /// Compares one block of raw bytes from each file, both starting at element `first`.
    ///
    /// Every figure (mismatches under atol/rtol, max |Δ| and where, max relative, mean |Δ|) comes
    /// from one vectorized C pass in the stored precision (float32 pairs differ in float32), so it
    /// is the same whether or not `--top` or `--ulp` asks for per-element work on top of it.
    mutating func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, first: Int) {
        if !tolerance.nanStrict, a.count == b.count, memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 {
            countedPairs += a.count / dtype.byteCount   // bitwise equal: every pair matches with |a − b| = 0
            noteReference(b)
            return
        }
        Elements.with(a, dtype: dtype) { left in
            Elements.with(b, dtype: dtype) { right in
                switch (left, right) {
                case let (.float32(x), .float32(y)):
                    compareVectorized(x, y, first: first, kernel: { heft_compare_f32($0, $1, $2, $3, $4, $5) },
                                      find: { heft_find_difference_f32($0, $1, $2, $3) })
                case let (.float64(x), .float64(y)):
                    compareVectorized(x, y, first: first, kernel: { heft_compare_f64($0, $1, $2, $3, $4, $5) },
                                      find: { heft_find_difference_f64($0, $1, $2, $3) })
                default: preconditionFailure("ValueComparator: both sides have dtype \(dtype)")
                }
            }
        }
    }

    /// One vectorized C pass (``heft_compare_f32``) per block in the stored precision; a second
    /// pass finds the index of a new largest difference; pairs with NaN or infinities are then
    /// compared one by one; with `--ulp` or `--top`, one more loop counts ULP mismatches or keeps
    /// the largest differences (computed as the kernel computes them).
    private mutating func compareVectorized<T: BinaryFloatingPoint>(
        _ a: UnalignedElements<T>, _ b: UnalignedElements<T>, first: Int,
        kernel: (UnsafeRawPointer, UnsafeRawPointer, Int, T, T, UnsafeMutablePointer<heft_difference>) -> Void,
        find: (UnsafeRawPointer, UnsafeRawPointer, Int, Double) -> Int
    ) {
        guard let left = a.baseAddress, let right = b.baseAddress else { return }
        var result = heft_difference()
        let usesUlps = tolerance.ulps != nil
        // With ULPs the kernel's absolute/relative mismatches do not count: an infinite atol makes it count none.
        kernel(left, right, a.count, usesUlps ? T.infinity : T(tolerance.absolute), T(tolerance.relative), &result)
        if result.max_diff > maxAbs {
            maxAbs = result.max_diff
            maxAbsIndex = first + find(left, right, a.count, result.max_diff)
        }
        maxRel = max(maxRel, result.max_rel)
        if result.max_rel > 0 { referenceNonzero = true } else { noteReference(b.bytes) }
        sumAbs += result.sum
        mismatches += result.mismatches
        countedPairs += a.count - result.non_finite
        if result.non_finite > 0 {
            for i in 0..<a.count where !(a[i] - b[i]).isFinite { compareNonFinite(a[i], b[i], index: first + i) }
        }
        guard usesUlps || topCount > 0 else { return }
        for i in 0..<a.count {
            let (x, y) = (a[i], b[i])
            let difference = abs(x - y)   // in the stored precision, as the kernel
            guard difference.isFinite, difference > 0 else { continue }
            if let ulps = tolerance.ulps, UnitsInLastPlace.distance(Double(x), Double(y), dtype: dtype) > UInt64(ulps) {
                mismatches += 1
            }
            record(Double(difference), index: first + i, Double(x), Double(y))
        }
    }

    /// Looks for a nonzero reference value in `b` until one is found (once found, free).
    private mutating func noteReference(_ b: UnsafeRawBufferPointer) {
        guard !referenceNonzero else { return }
        Elements.with(b, dtype: dtype) { values in
            switch values {
            case .float32(let x): referenceNonzero = x.contains { $0 != 0 }
            case .float64(let x): referenceNonzero = x.contains { $0 != 0 }
            }
        }
    }

    /// A pair where at least one value is NaN or infinite.
    private mutating func compareNonFinite<T: BinaryFloatingPoint>(_ x: T, _ y: T, index: Int) {
        if x == y { countedPairs += 1; return }                       // the same infinity
        if x.isNaN || y.isNaN {
            if x.isNaN && y.isNaN && !tolerance.nanStrict { countedPairs += 1; return }
            mismatches += 1
            nanMismatches += 1
            record(.nan, index: index, Double(x), Double(y))
            return
        }
        mismatches += 1                                              // an infinity against another value
        if maxAbs != .infinity { maxAbs = .infinity; maxAbsIndex = index }
        if y != 0 { maxRel = .infinity }
        record(.infinity, index: index, Double(x), Double(y))
    }

    /// Keeps the `topCount` largest differences (a NaN mismatch ranks above any number).
    private mutating func record(_ diff: Double, index: Int, _ a: Double, _ b: Double) {
        guard topCount > 0 else { return }
        let rank = diff.isNaN ? Double.infinity : diff
        if top.count == topCount, let last = top.last, rank <= (last.diff.isNaN ? .infinity : last.diff) { return }
        let position = top.firstIndex { rank > ($0.diff.isNaN ? .infinity : $0.diff) } ?? top.count
        top.insert((diff, index, a, b), at: position)
        if top.count > topCount { top.removeLast() }
    }
}

/// Distances in units in the last place, measured in the stored dtype's own precision.
enum UnitsInLastPlace {
    static func distance(_ a: Double, _ b: Double, dtype: DType) -> UInt64 {
        switch dtype {
        case .float64: return gap(ordered(a.bitPattern, signBit: 63), ordered(b.bitPattern, signBit: 63))
        case .float32: return gap(ordered(UInt64(Float(a).bitPattern), signBit: 31), ordered(UInt64(Float(b).bitPattern), signBit: 31))
        case .float16: return gap(ordered(UInt64(Float16(a).bitPattern), signBit: 15), ordered(UInt64(Float16(b).bitPattern), signBit: 15))
        case .bfloat16:
            return gap(ordered(UInt64(Float(a).bitPattern >> 16), signBit: 15), ordered(UInt64(Float(b).bitPattern >> 16), signBit: 15))
        default: return UInt64(abs(a - b))   // integers: the difference itself
        }
    }

    /// `|x − y|` without overflow (the true difference of two such values is below 2⁶⁴).
    private static func gap(_ x: Int64, _ y: Int64) -> UInt64 {
        x >= y ? UInt64(bitPattern: x &- y) : UInt64(bitPattern: y &- x)
    }

    /// Maps a float's bit pattern to an integer whose order is the float's order (−0 and +0 meet at 0).
    private static func ordered(_ bits: UInt64, signBit: UInt64) -> Int64 {
        let magnitude = Int64(bitPattern: bits & ((1 << signBit) - 1))
        return bits >> signBit & 1 == 1 ? -magnitude : magnitude
    }
}
