import NeuralNet
import Testing
@testable import Inspection
import Checkpoint

/// The vectorized block kernels against straightforward element-by-element references.
@Suite struct KernelTests {
    /// Random values with NaN, ±infinity, ±0 and exact ties sprinkled in, length not a multiple of 8.
    func values(_ count: Int, seed: UInt64) -> [Double] {
        var values = Tensor.randomUniform([count], minval: -2, maxval: 2, seed: seed).scalars.map(Double.init)
        for (index, special) in [(3, Double.nan), (17, .infinity), (18, -.infinity), (40, 0), (41, -0.0)] where index < count {
            values[index] = special
        }
        return values
    }

    struct Reference {
        var mismatches = 0, nanMismatches = 0
        var maxAbs = 0.0, maxAbsIndex = 0, maxRel = 0.0, sum = 0.0, counted = 0
    }

    func reference(_ a: [Double], _ b: [Double], atol: Double, rtol: Double) -> Reference {
        var r = Reference()
        for (i, (x, y)) in zip(a, b).enumerated() {
            if x == y || (x.isNaN && y.isNaN) { r.counted += 1; continue }
            if x.isNaN || y.isNaN { r.mismatches += 1; r.nanMismatches += 1; continue }
            let diff = abs(x - y)
            if !diff.isFinite {
                r.mismatches += 1
                if r.maxAbs != .infinity { r.maxAbs = .infinity; r.maxAbsIndex = i }
                continue
            }
            r.counted += 1
            r.sum += diff
            if diff > r.maxAbs { r.maxAbs = diff; r.maxAbsIndex = i }
            if y != 0 { r.maxRel = max(r.maxRel, diff / abs(y)) }
            if diff > atol + rtol * abs(y) { r.mismatches += 1 }
        }
        return r
    }

    @Test(arguments: [DType.float32, .float64], [(0.0, 0.0), (0.5, 0.1)])
    func comparisonMatchesTheReference(_ dtype: DType, _ tolerance: (Double, Double)) {
        let count = 1003
        let a = values(count, seed: 1)
        var b = values(count, seed: 2)
        b[100] = a[100]                        // an exact tie
        b[3] = .nan                            // NaN against NaN: equal
        let (ta, tb) = (Tensor(shape: [count], storage: .float64(a)).converted(to: dtype),
                        Tensor(shape: [count], storage: .float64(b)).converted(to: dtype))
        var comparator = ValueComparator(tolerance: Tolerance(absolute: tolerance.0, relative: tolerance.1), topCount: 0, dtype: dtype)
        ta.withUnsafeBytes { x in tb.withUnsafeBytes { y in comparator.compare(x, y, first: 0) } }
        let expected = reference(ta.doubleValues(), tb.doubleValues(),
                                 atol: tolerance.0, rtol: tolerance.1)
        #expect(comparator.mismatches == expected.mismatches)
        #expect(comparator.nanMismatches == expected.nanMismatches)
        #expect(comparator.maxAbs == expected.maxAbs && comparator.maxAbsIndex == expected.maxAbsIndex)
        #expect(abs(comparator.maxRel - expected.maxRel) <= 1e-6 * expected.maxRel)
        #expect(comparator.countedPairs == expected.counted)
        #expect(abs(comparator.sumAbs - expected.sum) <= 1e-5 * expected.sum)
    }

    @Test(arguments: [DType.float32, .float64])
    func statisticsMatchTheReference(_ dtype: DType) {
        let raw = values(2051, seed: 3)
        let tensor = Tensor(shape: [raw.count], storage: .float64(raw)).converted(to: dtype)
        var accumulator = StatisticsAccumulator()
        // Two uneven blocks, as the chunk reader would deliver them.
        tensor.withUnsafeBytes { bytes in
            let split = 1000 * dtype.byteCount
            Elements.with(UnsafeRawBufferPointer(rebasing: bytes[..<split]), dtype: dtype) { accumulator.add($0) }
            Elements.with(UnsafeRawBufferPointer(rebasing: bytes[split...]), dtype: dtype) { accumulator.add($0) }
        }
        let values = tensor.doubleValues()
        let finite = values.filter(\.isFinite)
        let mean = finite.reduce(0, +) / Double(finite.count)
        let std = (finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(finite.count)).squareRoot()
        let statistics = accumulator.statistics
        #expect(statistics.count == 2051 && statistics.nanCount == 1 && statistics.infinityCount == 2)
        #expect(statistics.zeroCount == values.filter { $0 == 0 }.count)
        #expect(statistics.minimum == finite.min() && statistics.maximum == finite.max())
        #expect(abs(statistics.mean! - mean) < 1e-6 && abs(statistics.std! - std) < 1e-6)
    }

    /// `verify`'s count of NaN and infinite values, in every float dtype, against a plain count.
    @Test(arguments: [DType.float32, .float64, .float16, .bfloat16])
    func nonFiniteCountsMatchAPlainCount(_ dtype: DType) {
        let doubles = values(1_003, seed: 9) + [.nan, -.infinity, .infinity, 1]
        let tensor = Tensor(shape: [doubles.count], storage: .float64(doubles)).converted(to: dtype)
        var counted = NonFiniteCount()
        tensor.withUnsafeBytes { bytes in
            // in two blocks, the first not a multiple of the vector width
            let split = 13 * dtype.byteCount
            counted.add(UnsafeRawBufferPointer(rebasing: bytes[..<split]), dtype: dtype)
            counted.add(UnsafeRawBufferPointer(rebasing: bytes[split...]), dtype: dtype)
        }
        let stored = tensor.converted(to: .float64)
        guard case .float64(let read) = stored.storage else { Issue.record("not float64"); return }
        #expect(counted.count == doubles.count)
        #expect(counted.nan == read.filter(\.isNaN).count)
        #expect(counted.infinite == read.filter(\.isInfinite).count)
        #expect(counted.nan == 2 && counted.infinite == 4)
    }

    @Test func integersAreNeverNonFinite() {
        var counted = NonFiniteCount()
        Tensor(shape: [3], storage: .int32([Int32.min, 0, Int32.max])).withUnsafeBytes { counted.add($0, dtype: .int32) }
        #expect(counted.count == 3 && counted.nan == 0 && counted.infinite == 0)
    }

    /// Calls `body` with a copy of `bytes` that starts `offset` bytes past an aligned address, as
    /// blocks of a `.keras` archive's weights entry lie in the file's map.
    func misaligned(_ bytes: UnsafeRawBufferPointer, by offset: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count + offset, alignment: 64)
        defer { buffer.deallocate() }
        let copy = UnsafeMutableRawBufferPointer(rebasing: buffer[offset...])
        copy.copyMemory(from: bytes)
        #expect(Int(bitPattern: copy.baseAddress) % 8 == offset)
        body(UnsafeRawBufferPointer(copy))
    }

    /// Blocks that start at any byte (not a multiple of the element size) give exactly the
    /// figures of the same bytes aligned: statistics, non-finite counts and comparisons with the
    /// per-element passes (`--top`, `--ulp`) that read elements one by one.
    @Test(arguments: [DType.float32, .float64, .float16, .bfloat16], [1, 2, 3, 5])
    func unalignedBlocksGiveTheAlignedFigures(_ dtype: DType, _ offset: Int) {
        let a = Tensor(shape: [1_003], storage: .float64(values(1_003, seed: 11))).converted(to: dtype)
        let b = Tensor(shape: [1_003], storage: .float64(values(1_003, seed: 12))).converted(to: dtype)
        func figures(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> String {
            var accumulator = StatisticsAccumulator()
            accumulator.add(x, dtype: dtype)
            var counted = NonFiniteCount()
            counted.add(x, dtype: dtype)
            var comparator = ValueComparator(tolerance: Tolerance(absolute: 1e-3, relative: 0, ulps: 4), topCount: 5, dtype: dtype)
            comparator.compare(x, y, first: 0)
            return "\(accumulator.statistics) \(counted.nan) \(counted.infinite) \(comparator.mismatches) "
                + "\(comparator.maxAbs) \(comparator.maxAbsIndex) \(comparator.sumAbs) \(comparator.top.map { "\($0)" })"
        }
        a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in
                let aligned = figures(x, y)
                misaligned(x, by: offset) { x2 in
                    misaligned(y, by: offset + 1) { y2 in
                        #expect(figures(x2, y2) == aligned)
                    }
                }
            }
        }
    }
}
