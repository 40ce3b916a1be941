/// numpy-style text for tensors: nested brackets, at most 3 items at each edge of an axis with
/// `...` past 1000 elements, and the shortest text that reads back as the same value.
enum TensorFormatter {
    static let summaryThreshold = 1000
    static let edgeItems = 3

    static func format(_ tensor: Tensor) -> String {
        let values = tensor.storage.dtype.isFloatingPoint ? tensor.scalars.map { "\($0)" } : tensor.doubleValues().map { String(Int64($0)) }
        if tensor.rank == 0 { return values.first ?? "" }
        let summarise = tensor.count > summaryThreshold
        return block(values, shape: tensor.shape, offset: 0, axis: 0, summarise: summarise)
    }

    private static func block(_ values: [String], shape: [Int], offset: Int, axis: Int, summarise: Bool) -> String {
        let extent = shape[axis]
        let stride = shape[(axis + 1)...].reduce(1, *)
        var indices = Array(0..<extent)
        var elided = false
        if summarise && extent > 2 * edgeItems {
            indices = Array(0..<edgeItems) + Array((extent - edgeItems)..<extent)
            elided = true
        }
        var parts: [String] = []
        for (position, index) in indices.enumerated() {
            if elided && position == edgeItems { parts.append("...") }
            let start = offset + index * stride
            parts.append(axis == shape.count - 1
                ? values[start]
                : block(values, shape: shape, offset: start, axis: axis + 1, summarise: summarise))
        }
        return "[" + parts.joined(separator: ", ") + "]"
    }
}
