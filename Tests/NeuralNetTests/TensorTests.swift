import Testing
@testable import NeuralNet

@Suite struct TensorTests {
    @Test func constructionFromArraysKeepsRowMajorOrder() {
        let t = Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(t.shape == [2, 3])
        #expect(t.dtype == .float32)
        #expect(t.count == 6 && t.rank == 2 && t.byteCount == 24)
        #expect(t[1, 0] == 4 && t[0, 2] == 3)
        #expect(t.scalars == [1, 2, 3, 4, 5, 6])
    }

    @Test func zerosOnesAndFull() {
        #expect(Tensor.zeros([2, 2]).scalars == [0, 0, 0, 0])
        #expect(Tensor.ones([3], dtype: .float64).storage == .float64([1, 1, 1]))
        #expect(Tensor.full([2], value: 2.5, dtype: .float16).scalars == [2.5, 2.5])
        #expect(Tensor.zeros([]).count == 1)
    }

    @Test func seededRandomIsReproducibleAndUnseededIsNot() {
        #expect(Tensor.randomUniform([100], seed: 3) == Tensor.randomUniform([100], seed: 3))
        #expect(Tensor.randomUniform([100], seed: 3) != Tensor.randomUniform([100], seed: 4))
        #expect(Tensor.randomNormal([100]) != Tensor.randomNormal([100]))
        setRandomSeed(9)
        let first = Tensor.randomNormal([50])
        setRandomSeed(9)
        #expect(Tensor.randomNormal([50]) == first)
    }

    @Test func uniformAndNormalStatistics() {
        let u = Tensor.randomUniform([200_000], minval: -1, maxval: 3, seed: 1).scalars
        #expect(u.allSatisfy { $0 >= -1 && $0 < 3 })
        let (uMean, uVar) = moments(u)
        #expect(abs(uMean - 1) < 0.02)
        #expect(abs(uVar - 16.0 / 12) < 0.02)
        let (nMean, nVar) = moments(Tensor.randomNormal([200_000], mean: 2, stddev: 0.5, seed: 2).scalars)
        #expect(abs(nMean - 2) < 0.01)
        #expect(abs(nVar - 0.25) < 0.005)
    }

    @Test func conversionsBetweenDTypes() {
        let t = Tensor(shape: [4], scalars: [1, -2.5, 0.1, 65504])
        let half = t.converted(to: .float16)
        #expect(half.dtype == .float16)
        #expect(half.storage == .float16([0x3C00, 0xC100, 0x2E66, 0x7BFF]))
        #expect(half.scalars == [1, -2.5, Float(Float16(0.1)), 65504])
        let brain = t.converted(to: .bfloat16)
        #expect(brain.storage == .bfloat16([0x3F80, 0xC020, 0x3DCD, 0x4780]))
        #expect(t.converted(to: .float64).converted(to: .float32) == t)
        #expect(Tensor(shape: [3], scalars: [1.9, -1.9, 300]).converted(to: .int8).storage == .int8([1, -1, 127]))
        #expect(Tensor(shape: [2], storage: .int64([7, -3])).scalars == [7, -3])
    }

    @Test func bfloat16RoundsToNearestEven() {
        // 1 + 2^-8 is exactly halfway between two bfloat16 values: ties go to the even one (1.0).
        #expect(BFloat16.bits(from: 1 + 0x1p-8) == 0x3F80)
        #expect(BFloat16.bits(from: 1 + 0x1p-8 + 0x1p-20) == 0x3F81)
        #expect(BFloat16.float(fromBits: BFloat16.bits(from: .nan)).isNaN)
    }

    @Test func fillingBytesWritesTheWholeBuffer() {
        let t = Tensor(shape: [2, 2], dtype: .float64) { buffer in
            _ = buffer.bindMemory(to: Double.self).initialize(from: [1, 2, 3, 4])
        }
        #expect(t.storage == .float64([1, 2, 3, 4]))
        let bytes = t.withUnsafeBytes { Array($0) }
        #expect(bytes.count == 32)
    }

    @Test func approximateEquality() {
        let a = Tensor(shape: [3], scalars: [1, .nan, .infinity])
        #expect(a.isApproximatelyEqual(to: Tensor(shape: [3], scalars: [1.000001, .nan, .infinity])))
        #expect(!a.isApproximatelyEqual(to: Tensor(shape: [3], scalars: [1.1, .nan, .infinity])))
        #expect(!a.isApproximatelyEqual(to: Tensor(shape: [3], scalars: [1, 0, .infinity])))
        #expect(!a.isApproximatelyEqual(to: Tensor(shape: [1, 3], scalars: [1, .nan, .infinity])))
        #expect(Tensor(shape: [2], scalars: [1, 2]).maxAbsoluteDifference(to: Tensor(shape: [2], scalars: [1.5, 2])) == 0.5)
    }

    @Test func descriptionIsNumpyStyleAndSummarised() {
        #expect(Tensor([[1, 2], [3, 4]]).description == "Tensor(shape=(2, 2), dtype=float32, [[1.0, 2.0],\n [3.0, 4.0]])")
        #expect(Tensor(shape: [2, 1, 2], scalars: [1, 2, 3, 4]).formatted() == "[[[1.0, 2.0]],\n\n [[3.0, 4.0]]]")
        #expect(Tensor(shape: [3], storage: .int32([1, -2, 3])).formatted() == "[1, -2, 3]")
        #expect(Tensor.zeros([2000]).formatted(summarize: false).components(separatedBy: ", ").count == 2000)
        #expect(Tensor.zeros([10]).description.contains("[0.0, 0.0"))
        let big = Tensor.zeros([2000]).description
        #expect(big.contains("..."))
        #expect(big.count < 100)
    }

    @Test func elementCountOverflowTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = Tensor.zeros([Int.max, 4])
        }
    }
}
