/// Summary statistics of one tensor, computed in one streaming pass over bounded blocks.
///
/// `minimum`, `maximum`, `mean` and `std` are over the *finite* elements (NaN and ±infinity are
/// counted separately), in `Double`; `std` is the population standard deviation (numpy's default,
/// `ddof=0`): `sqrt(Σ(x − mean)² / n)`. They are `nil` when no element is finite.
public struct TensorStatistics: Sendable, Equatable, Codable {
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

    enum CodingKeys: String, CodingKey {
        case count, minimum = "min", maximum = "max", mean, std, nanCount = "nan", infinityCount = "inf", zeroCount = "zeros"
    }
}

/// Accumulates ``TensorStatistics`` block by block (Chan et al.'s pairwise update for the variance).
struct StatisticsAccumulator {
    private(set) var statistics = TensorStatistics()
    private var finite = 0
    private var minimum = Double.infinity, maximum = -Double.infinity
    private var mean = 0.0, sumOfSquares = 0.0

    mutating func add(_ elements: Elements) {
        switch elements {
        case .float32(let values): add(values)
        case .float64(let values): add(values)
        }
    }

    private mutating func add<T: BinaryFloatingPoint>(_ values: UnsafeBufferPointer<T>) {
        var blockFinite = 0, nan = 0, infinite = 0, zeros = 0
        var low = T.infinity, high = -T.infinity
        var sum = 0.0
        for value in values {
            if value.isFinite {
                blockFinite += 1
                low = Swift.min(low, value)
                high = Swift.max(high, value)
                sum += Double(value)
                if value == 0 { zeros += 1 }
            } else if value.isNaN {
                nan += 1
            } else {
                infinite += 1
            }
        }
        statistics.count += values.count
        statistics.nanCount += nan
        statistics.infinityCount += infinite
        statistics.zeroCount += zeros
        guard blockFinite > 0 else { return }
        let blockMean = sum / Double(blockFinite)
        var blockSquares = 0.0
        for value in values where value.isFinite {
            let delta = Double(value) - blockMean
            blockSquares += delta * delta
        }
        combine(count: blockFinite, mean: blockMean, sumOfSquares: blockSquares)
        minimum = Swift.min(minimum, Double(low))
        maximum = Swift.max(maximum, Double(high))
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
