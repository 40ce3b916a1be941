#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
    mutating func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, first: Int) {
        if !tolerance.nanStrict, a.count == b.count, memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 {
            countedPairs += a.count / dtype.byteCount   // bitwise equal: every pair matches with |a − b| = 0
            return
        }
        Elements.with(a, dtype: dtype) { left in
            Elements.with(b, dtype: dtype) { right in
                switch (left, right) {
                case let (.float32(x), .float32(y)): compare(x, y, first: first)
                case let (.float64(x), .float64(y)): compare(x, y, first: first)
                default: preconditionFailure("ValueComparator: both sides have dtype \(dtype)")
                }
            }
        }
    }

    private mutating func compare<T: BinaryFloatingPoint>(_ a: UnsafeBufferPointer<T>, _ b: UnsafeBufferPointer<T>, first: Int) {
        for i in 0..<a.count {
            let x = a[i], y = b[i]
            if x == y {
                countedPairs += 1
                continue
            }
            if x.isNaN || y.isNaN {
                if x.isNaN && y.isNaN && !tolerance.nanStrict { countedPairs += 1; continue }
                mismatches += 1
                nanMismatches += 1
                record(.nan, index: first + i, Double(x), Double(y))
                continue
            }
            let dx = Double(x), dy = Double(y)
            let diff = abs(dx - dy)
            if diff.isFinite { sumAbs += diff; countedPairs += 1 }
            if !withinTolerance(dx, dy, diff: diff) { mismatches += 1 }
            if diff > maxAbs { maxAbs = diff; maxAbsIndex = first + i }
            if dy != 0 { maxRel = max(maxRel, diff / abs(dy)) }
            record(diff, index: first + i, dx, dy)
        }
    }

    private func withinTolerance(_ a: Double, _ b: Double, diff: Double) -> Bool {
        if a.isInfinite || b.isInfinite { return false }      // equal infinities were caught by ==
        if let ulps = tolerance.ulps { return UnitsInLastPlace.distance(a, b, dtype: dtype) <= UInt64(ulps) }
        return diff <= tolerance.absolute + tolerance.relative * abs(b)
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
