/// How work items of known sizes are split over ranks.
public enum Partition {
    /// Splits `sizes.count` items, in order, into `parts` contiguous ranges of nearly equal total
    /// size: part `k` starts at the first item whose preceding bytes reach `k/parts` of the total
    /// (items are never split, so one item larger than a share makes that part larger). Contiguous
    /// ranges keep the items' order: results gathered in rank order are in the items' order.
    /// Items of size 0 count as 1, so a list of empty items still spreads.
    ///
    /// - Precondition: `parts >= 1` and no size is negative.
    public static func contiguous(sizes: [Int], parts: Int) -> [Range<Int>] {
        precondition(parts >= 1, "Partition.contiguous: \(parts) parts")
        precondition(sizes.allSatisfy { $0 >= 0 }, "Partition.contiguous: a negative size")
        let weights = sizes.map { max($0, 1) }
        let total = weights.reduce(0, +)
        var bounds = [0]
        var before = 0
        var index = 0
        for part in 1..<parts {
            // The first item whose preceding total reaches this part's share (rounded to nearest).
            let target = Double(total) * Double(part) / Double(parts)
            while index < weights.count && Double(before) + Double(weights[index]) / 2 <= target {
                before += weights[index]
                index += 1
            }
            bounds.append(max(index, bounds.last!))
        }
        bounds.append(sizes.count)
        return (0..<parts).map { bounds[$0]..<bounds[$0 + 1] }
    }
}
