/// numpy-style text for tensors (like numpy's `repr`): nested brackets, one row per line for
/// rank ≥ 2, at most 3 items at each edge of an axis with `...` past 1000 elements, and the
/// shortest text that reads back as the same value.
enum TensorFormatter {
    static let summaryThreshold = 1000
    static let edgeItems = 3

    static func format(_ tensor: Tensor, summarize: Bool) -> String {
        let values = tensor.dtype.isFloatingPoint ? tensor.scalars.map { "\($0)" } : tensor.doubleValues().map { String(Int64($0)) }
        if tensor.rank == 0 { return values.first ?? "" }
        return block(values, shape: tensor.shape, offset: 0, axis: 0, summarize: summarize && tensor.count > summaryThreshold)
    }

    private static func block(_ values: [String], shape: [Int], offset: Int, axis: Int, summarize: Bool) -> String {
        let extent = shape[axis]
        let stride = shape[(axis + 1)...].reduce(1, *)
        let elided = summarize && extent > 2 * edgeItems
        let indices = elided ? Array(0..<edgeItems) + Array((extent - edgeItems)..<extent) : Array(0..<extent)
        var parts: [String] = []
        for (position, index) in indices.enumerated() {
            if elided && position == edgeItems { parts.append("...") }
            let start = offset + index * stride
            parts.append(axis == shape.count - 1
                ? values[start]
                : block(values, shape: shape, offset: start, axis: axis + 1, summarize: summarize))
        }
        let isInnermost = axis == shape.count - 1
        let separator = isInnermost
            ? ", "
            : ",\n" + String(repeating: "\n", count: shape.count - axis - 2) + String(repeating: " ", count: axis + 1)
        return "[" + parts.joined(separator: separator) + "]"
    }
}

extension Tensor {
    /// The values as numpy prints an array: nested brackets, one row per line, and with
    /// `summarize` (the default) only the 3 first and last items of each axis past 1000 elements.
    /// Floats print as the shortest text that reads back as the same value.
    public func formatted(summarize: Bool = true) -> String {
        TensorFormatter.format(self, summarize: summarize)
    }
}
