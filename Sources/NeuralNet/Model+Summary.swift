import Foundation

extension Model {
    /// The model's summary table, character for character as tf-keras 2 (2.13 and later) prints it.
    ///
    /// The table is 65 characters wide with columns at 29 and 55; each layer row is followed by a
    /// blank row; totals give the parameter count and its memory size (1024-based units, two
    /// decimals). Print it with `print(model.summary())`.
    ///
    /// ```text
    /// Model: "sequential_1"
    /// _________________________________________________________________
    ///  Layer (type)                Output Shape              Param #
    /// =================================================================
    ///  dense_2 (Dense)             (None, 64)                704
    /// ...
    /// Total params: 704 (2.75 KB)
    /// ```
    public func summary() -> String {
        // A functional graph that is not a chain gets tf-keras's 98-column table with connections.
        let graph = (self as? Functional).flatMap { $0.isSequentialLike ? nil : $0 }
        let stops = graph == nil ? SummaryTable.stops : SummaryTable.graphStops
        let width = stops.last!
        var lines = ["Model: \"\(name)\"", String(repeating: "_", count: width)]
        lines += SummaryTable.row(["Layer (type)", "Output Shape", "Param #"] + (graph == nil ? [] : ["Connected to"]), stops: stops)
        lines.append(String(repeating: "=", count: width))
        let connections = graph?.summaryConnections()
        for (index, (layer, shape)) in zip(layers, summaryOutputShapes()).enumerated() {
            var fields = ["\(layer.name) (\(layer.className))", shape, "\(layer.countParams())"]
            if let connections { fields.append("[" + connections[index].map { "'\($0)'" }.joined(separator: ", ") + "]") }
            lines += SummaryTable.row(fields, stops: stops)
            lines.append(String(repeating: " ", count: width))
        }
        lines.append(String(repeating: "=", count: width))
        lines.append(SummaryTable.total("Total params", weights))
        lines.append(SummaryTable.total("Trainable params", trainableWeights))
        lines.append(SummaryTable.total("Non-trainable params", nonTrainableWeights))
        lines.append(String(repeating: "_", count: width))
        return lines.joined(separator: "\n")
    }
}

/// tf-keras's `print_row` for a 65-column table with stops at 29, 55 and 65.
enum SummaryTable {
    static let width = 65
    static let stops = [29, 55, 65]
    /// The stops of a functional graph's table (`[0.3, 0.6, 0.7, 1.0]` of 98 columns).
    static let graphStops = [29, 58, 68, 98]

    /// One table row; a field too long for its column continues on following lines, breaking after
    /// `"),"`, `"},"`, `"],"` or `"',"` when one occurs in the part that fits.
    static func row(_ fields: [String], stops: [Int] = stops) -> [String] {
        var remaining = fields.map { Array($0) }
        var lines: [String] = []
        while remaining.contains(where: { !$0.isEmpty }) {
            var line = ""
            for column in remaining.indices {
                let start = column == 0 ? 0 : stops[column - 1]
                let isLast = column == stops.count - 1
                let gap = isLast ? 0 : 2
                var cutoff = stops[column] - start - gap - (isLast ? 0 : 1)
                let fits = String(remaining[column].prefix(cutoff))
                if let breakAt = earliestBreak(in: fits) { cutoff = breakAt }
                if column == 0 { line += " " }
                line += String(remaining[column].prefix(cutoff)) + String(repeating: " ", count: gap)
                remaining[column] = Array(remaining[column].dropFirst(cutoff))
                line += String(repeating: " ", count: max(0, stops[column] - line.count))
            }
            lines.append(line)
        }
        return lines
    }

    private static func earliestBreak(in text: String) -> Int? {
        ["),", "},", "],", "',"].compactMap { marker in
            text.range(of: marker).map { text.distance(from: text.startIndex, to: $0.upperBound) }
        }.min()
    }

    /// `Total params: 7946 (31.04 KB)`.
    static func total(_ label: String, _ parameters: [Parameter]) -> String {
        let count = parameters.reduce(0) { $0 + $1.value.count }
        let bytes = parameters.reduce(0) { $0 + $1.value.byteCount }
        return "\(label): \(count) (\(readableSize(bytes)))"
    }

    /// Keras's `readable_memory_size`: 1024-based, units Byte, KB, MB, GB, TB, PB, two decimals.
    static func readableSize(_ bytes: Int) -> String {
        var size = Double(bytes)
        for unit in ["Byte", "KB", "MB", "GB", "TB"] {
            if size / 1024 < 1 { return String(format: "%.2f", size) + " " + unit }
            size /= 1024
        }
        return String(format: "%.2f PB", size)
    }
}
