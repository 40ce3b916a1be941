import Checkpoint
import CKernels
import NeuralNet

/// Summary statistics of one tensor, computed in one streaming pass over bounded blocks.
///
/// `minimum`, `maximum`, `mean` and `std` are over the *finite* elements (NaN and ±infinity are
/// counted separately), in `Double`; `std` is the population standard deviation (numpy's default,
/// `ddof=0`): `sqrt(Σ(x − mean)² / n)`. They are `nil` when no element is finite.
public struct TensorStatistics: Sendable, Equatable {
    /// The number of elements.
    public var count = 0
    public var minimum: Double?
    public var maximum: Double?
    public var mean: Double?
    public var std: Double?
    /// Elements that are NaN.
    public var nanCount = 0
    /// Elements that are +infinity or −infinity.
    public var infinityCount = 0
    /// Elements equal to zero (+0 or −0).
    public var zeroCount = 0
}

extension TensorStatistics {
    /// The statistics as they cross processes (`mpirun`): the four counts, then minimum, maximum,
    /// mean and std. Their JSON form with names belongs to `heft dump`'s schema, not to this.
    package struct Record: Codable, Sendable {
        let counts: [Int]
        let values: [Double?]

        package init(_ statistics: TensorStatistics) {
            counts = [statistics.count, statistics.nanCount, statistics.infinityCount, statistics.zeroCount]
            values = [statistics.minimum, statistics.maximum, statistics.mean, statistics.std]
        }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            let fields = try container.decode([[Double?]].self)
            guard fields.count == 2, fields[0].count == 4, fields[1].count == 4, fields[0].allSatisfy({ $0 != nil }) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "four counts and four values")
            }
            counts = fields[0].map { Int($0!) }
            values = fields[1]
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode([counts.map { Double?(Double($0)) }, values])
        }

        /// The statistics recorded.
        package var statistics: TensorStatistics {
            TensorStatistics(count: counts[0], minimum: values[0], maximum: values[1], mean: values[2], std: values[3],
                             nanCount: counts[1], infinityCount: counts[2], zeroCount: counts[3])
        }
    }
}

/// Accumulates ``TensorStatistics`` block by block (Chan et al.'s pairwise update for the variance).
struct StatisticsAccumulator {
    private(set) var statistics = TensorStatistics()
    private var finite = 0
    private var minimum = Double.infinity, maximum = -Double.infinity
    private var mean = 0.0, sumOfSquares = 0.0

    /// Adds one block of little-endian elements of `dtype` (see ``Elements``).
    mutating func add(_ bytes: UnsafeRawBufferPointer, dtype: DType) {
        Elements.with(bytes, dtype: dtype) { add($0) }
    }

    /// Adds one block: a vectorized C pass for the counts, extremes and sum, a second one for the
    /// squared deviations from the block's mean.
    mutating func add(_ elements: Elements) {
        var block = heft_statistics()
        let squares: (Double) -> Double
        let count: Int
        switch elements {
        case .float32(let values):
            guard let base = values.baseAddress else { return }
            heft_statistics_f32(base, values.count, &block)
            squares = { heft_squared_deviations_f32(base, values.count, $0) }
            count = values.count
        case .float64(let values):
            guard let base = values.baseAddress else { return }
            heft_statistics_f64(base, values.count, &block)
            squares = { heft_squared_deviations_f64(base, values.count, $0) }
            count = values.count
        }
        statistics.count += count
        statistics.nanCount += block.nan
        statistics.infinityCount += block.infinite
        statistics.zeroCount += block.zeros
        guard block.finite > 0 else { return }
        let blockMean = block.sum / Double(block.finite)
        combine(count: block.finite, mean: blockMean, sumOfSquares: squares(blockMean))
        minimum = Swift.min(minimum, block.min)
        maximum = Swift.max(maximum, block.max)
        statistics.minimum = minimum
        statistics.maximum = maximum
        statistics.mean = mean
        statistics.std = (sumOfSquares / Double(finite)).squareRoot()
    }

    private mutating func combine(count: Int, mean blockMean: Double, sumOfSquares blockSquares: Double) {
        let total = finite + count
        let delta = blockMean - mean
        mean += delta * Double(count) / Double(total)
        sumOfSquares += blockSquares + delta * delta * Double(finite) * Double(count) / Double(total)
        finite = total
    }
}
