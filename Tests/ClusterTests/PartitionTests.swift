import Cluster
import Testing

/// Work split over ranks by bytes, in order.
@Suite struct PartitionTests {
    @Test func equalItemsSplitEvenly() {
        #expect(Partition.contiguous(sizes: Array(repeating: 10, count: 8), parts: 4) == [0..<2, 2..<4, 4..<6, 6..<8])
        #expect(Partition.contiguous(sizes: Array(repeating: 10, count: 3), parts: 1) == [0..<3])
    }

    @Test func sharesFollowBytesNotCounts() {
        // One 90-byte tensor and nine of 10: the large one alone is half the work.
        let parts = Partition.contiguous(sizes: [90] + Array(repeating: 10, count: 9), parts: 2)
        #expect(parts == [0..<1, 1..<10])
        let sizes = [5, 1, 1, 1, 1, 1, 5, 5]
        for count in 1...6 {
            let split = Partition.contiguous(sizes: sizes, parts: count)
            #expect(split.count == count)
            #expect(split.first?.lowerBound == 0 && split.last?.upperBound == sizes.count)
            #expect(zip(split, split.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }, "contiguous and in order")
        }
    }

    @Test func balancedWithinOneItem() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let sizes = (0..<Int.random(in: 1...60, using: &generator)).map { _ in Int.random(in: 0...1000, using: &generator) }
            let parts = Int.random(in: 1...8, using: &generator)
            let split = Partition.contiguous(sizes: sizes, parts: parts)
            let weights = sizes.map { max($0, 1) }
            let share = Double(weights.reduce(0, +)) / Double(parts)
            let largest = Double(weights.max()!)
            for range in split {
                let bytes = Double(range.reduce(0) { $0 + weights[$1] })
                #expect(abs(bytes - share) <= largest, "\(sizes) in \(parts): \(split)")
            }
        }
    }

    @Test func moreRanksThanItemsLeavesSomeEmpty() {
        let split = Partition.contiguous(sizes: [4, 4], parts: 4)
        #expect(split.map(\.count).reduce(0, +) == 2)
        #expect(split.filter { !$0.isEmpty }.count == 2)
    }
}
