import Foundation
import NeuralNet
import Testing
@testable import Inspection
import Checkpoint

/// The figures diff and dump print are right: where the largest difference is, statistics of
/// values near float32's range, and the same figures with or without `--top`.
@Suite struct FigureTests {
    func compare(_ a: [Float], _ b: [Float], top: Int = 0, ulps: Int? = nil) -> ValueComparator {
        var comparator = ValueComparator(tolerance: Tolerance(ulps: ulps), topCount: top, dtype: .float32)
        a.withUnsafeBytes { x in b.withUnsafeBytes { y in comparator.compare(x, y, first: 0) } }
        return comparator
    }

    /// Every single-byte flip of a float32 tensor: the largest difference is reported at the
    /// flipped element (the index search works in float32, as the comparison).
    @Test func theLargestDifferenceIsWhereTheByteChanged() {
        let original = Tensor.randomUniform([100], minval: -1, maxval: 1, seed: 7).scalars
        var checked = 0
        for byte in stride(from: 0, to: 400, by: 2) {
            var changed = original
            changed.withUnsafeMutableBytes { $0[byte] ^= 0x10 }
            let element = byte / 4
            guard changed[element].isFinite, changed[element] != original[element] else { continue }
            #expect(compare(original, changed).maxAbsIndex == element, "byte \(byte)")
            checked += 1
        }
        #expect(checked > 150)
    }

    @Test func statisticsOfHugeFiniteValuesAreFinite() {
        var accumulator = StatisticsAccumulator()
        let values: [Float] = (0..<1000).map { $0 % 2 == 0 ? 1e20 : -1e20 }
        values.withUnsafeBytes { accumulator.add($0, dtype: .float32) }
        let statistics = accumulator.statistics
        #expect(statistics.std.map { abs($0 - 1e20) / 1e20 < 1e-6 } == true, "std \(String(describing: statistics.std))")
        #expect(statistics.mean == 0)
    }

    /// `--top` and `--ulp` add per-element work; every other figure stays the same to the bit.
    @Test func figuresDoNotDependOnTopOrUlps() {
        let a = Tensor.randomUniform([100_003], minval: -3, maxval: 3, seed: 1).scalars
        let b = a.enumerated().map { $0.offset % 7 == 0 ? $0.element + Float($0.offset % 13) * 1e-3 : $0.element }
        let plain = compare(a, b), topped = compare(a, b, top: 5), ulps = compare(a, b, ulps: 4)
        for other in [topped, ulps] {
            #expect(other.sumAbs == plain.sumAbs && other.maxAbs == plain.maxAbs && other.maxAbsIndex == plain.maxAbsIndex)
            #expect(other.maxRel == plain.maxRel && other.countedPairs == plain.countedPairs)
        }
        #expect(topped.mismatches == plain.mismatches && topped.top.count == 5 && topped.top[0].diff == plain.maxAbs)
    }
}
