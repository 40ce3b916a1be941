import ArgumentParser
import Checkpoint
import Cluster
import Inspection
import Foundation
import NeuralNet

extension Heft {
    /// `heft diff A B`: tensor-by-tensor comparison for CI, with tolerances and bounded output.
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare two weights files tensor by tensor.",
            discussion: """
                Tensors are matched by their Keras identity (layer name, sublayer attributes, variable: \
                bidirectional/forward_layer/cell/kernel), the same in a legacy .h5 and a .weights.h5, \
                unless --by-order (Keras's topological rule). Optimizer and metric state are compared \
                apart and never change the exit code. \
                A tensor only in A (removed) or only in B (added), a shape change and a dtype change \
                are always differences. Values are equal when |a − b| ≤ atol + rtol·|b| (b from file B; \
                default: exact), or within --ulp N units in the last place. NaN equals NaN at the same \
                position unless --nan-strict; +0 equals −0; infinities must match in sign. \
                Exit code 0 when equal, 1 when any tensor differs, 2 when a file cannot be read.

                Examples:
                  heft diff base.weights.h5 new.weights.h5
                  heft diff base.h5 new.weights.h5 --atol 1e-6 --top 3
                  heft diff base.keras new.keras --stat
                  heft diff a.h5 b.h5 --format github --json-out diff.json
                  heft diff a.h5 b.h5 --summary-out "$GITHUB_STEP_SUMMARY"
                  heft diff -q a.h5 b.h5 && echo same
                """)

        @Argument(help: "The first file (A).") var a: String
        @Argument(help: "The second file (B, the reference for --rtol).") var b: String

        @Flag(help: "Pair tensors by Keras's topological rule (n-th layer with weights, then weights in order).")
        var byOrder = false

        @Option(help: ArgumentHelp("Rename tensors of A: a name OLD or OLD/… becomes NEW/… (repeatable).", valueName: "old=new"))
        var rename: [String] = []

        @Option(help: ArgumentHelp("Only tensors whose name matches this glob (repeatable).", valueName: "glob"))
        var include: [String] = []

        @Option(help: ArgumentHelp("Skip tensors whose name matches this glob (repeatable).", valueName: "glob"))
        var exclude: [String] = []

        @Option(help: "Absolute tolerance (default 0: exact).") var atol: Double?
        @Option(help: "Relative tolerance, relative to |b| (default 0).") var rtol: Double?
        @Option(help: ArgumentHelp("Equal when at most N representable values apart (replaces --atol/--rtol).", valueName: "n"))
        var ulp: Int?
        @Flag(help: "NaN never equals NaN.") var nanStrict = false

        @Option(help: ArgumentHelp("List the K largest element differences of each differing tensor.", valueName: "k"))
        var top = 0

        @Flag(help: "Also list tensors that are the same.") var showSame = false

        @Flag(help: "A per-layer summary instead of one line per tensor (as git diff --stat).") var stat = false

        @Flag(help: "Only the names of the tensors that differ, one per line (as git diff --name-only).") var nameOnly = false

        @OptionGroup var output: OutputOptions
        @OptionGroup var reader: ReaderOptions

        func validate() throws {
            for value in [atol, rtol].compactMap({ $0 }) where !(value >= 0 && value.isFinite) {
                throw ValidationError("--atol and --rtol must be finite and ≥ 0")
            }
            if let ulp, ulp < 0 { throw ValidationError("--ulp must be ≥ 0") }
            if ulp != nil && (atol != nil || rtol != nil) { throw ValidationError("--ulp replaces --atol/--rtol; give one or the other") }
            guard top >= 0 else { throw ValidationError("--top must be ≥ 0") }
            if stat && nameOnly { throw ValidationError("--stat and --name-only are two text reports; give one") }
            if (stat || nameOnly) && ![.text, .github].contains(output.resolved) {
                throw ValidationError("--\(stat ? "stat" : "name-only") shapes the text report; it has no effect with --format \(output.resolved.rawValue)")
            }
            for pair in rename where pair.split(separator: "=", omittingEmptySubsequences: false).count != 2 {
                throw ValidationError("--rename takes OLD=NEW, got '\(pair)'")
            }
        }

        var options: WeightDiff.Options {
            var options = WeightDiff.Options()
            options.matching = byOrder ? .byOrder : .byName
            options.renames = rename.map { pair in
                let parts = pair.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
                return (parts[0], parts[1])
            }
            options.include = include
            options.exclude = exclude
            options.tolerance = Tolerance(absolute: atol ?? 0, relative: rtol ?? 0, ulps: ulp, nanStrict: nanStrict)
            options.topCount = top
            return options
        }

        func run() throws {
            let options = self.options
            guard let cluster = try ClusterRun.current(timeout: .seconds(reader.timeout + 60)) else {
                return try diff { fileA, fileB in
                    let progress = Progress("heft diff")
                    defer { progress.finish() }
                    return try WeightDiff.compare(fileA, fileB, options: options, progress: progress.update)
                }
            }
            // Under mpirun: each rank compares its share of the pairs (by bytes), rank 0 reports.
            let parts = try cluster.gatherParts("diff", reader, output, files: [a, b], readingDigests: false) { rank, size, open in
                let fileA = try open(a), fileB = try open(b)
                let pairs = try WeightDiff.pair(fileA, fileB, options: options).pairs
                let share = Partition.contiguous(sizes: pairs.map(\.bytes), parts: size)[rank]
                return try PartCoding.encode(try WeightDiff.compare(Array(pairs[share]), fileA, fileB, options: options).map(TensorComparison.Record.init))
            }
            try cluster.finish(parts.map { parts in
                {
                    let tensors = try parts.flatMap { try PartCoding.decode([TensorComparison.Record].self, from: $0).map { try $0.comparison() } }
                    try diff { fileA, fileB in WeightDiff.result(tensors, notes: try WeightDiff.pair(fileA, fileB, options: options).notes) }
                }
            })
        }

        /// Opens both files in an isolated worker, compares them with `compare` and publishes the
        /// report: exit 0 when they are equal, else 1.
        private func diff(_ compare: (WeightFile, WeightFile) throws -> WeightDiff.Result) throws {
            try runWithExitCode("diff", reader, output, files: [a, b]) { open in
                let fileA = try open(a), fileB = try open(b)
                let result = try compare(fileA, fileB)
                let document = DiffDocument(schema: jsonSchemaVersion, a: .init(file: a, format: fileA.formatName),
                                            b: .init(file: b, format: fileB.formatName),
                                            matching: options.matching.rawValue, tolerance: options.tolerance,
                                            equal: result.equal, summary: DiffDocument.Summary(result.tensors.filter { $0.section == .model }),
                                            optimizer: DiffDocument.Summary(result.tensors.filter { $0.section != .model }),
                                            notes: result.notes, tensors: result.tensors)
                try output.publish(DiffReport(document: document, showSame: showSame, stat: stat, nameOnly: nameOnly))
                return result.equal ? 0 : 1
            }
        }
    }
}

/// `heft diff`'s report in every format.
struct DiffReport: CommandReport {
    let document: DiffDocument
    let showSame: Bool
    let stat: Bool
    let nameOnly: Bool

    var toleranceText: String {
        let tolerance = document.tolerance
        if let ulps = tolerance.ulps { return "within \(ulps) ulp" }
        if tolerance.absolute == 0 && tolerance.relative == 0 { return "exact" }
        return "atol \(plainNumber(tolerance.absolute)), rtol \(plainNumber(tolerance.relative))"
    }

    // MARK: - Text

    func textLines() -> [String] {
        if nameOnly { return document.tensors.filter { $0.isDifference && $0.section == .model }.map { shown($0.name) } }
        var lines = ["\(shown(document.a.file)) (\(document.a.format)) vs \(shown(document.b.file)) (\(document.b.format)), "
                     + "matched by \(document.matching), \(toleranceText)"]
        lines += stat ? statLines() : tensorLines()
        for note in document.notes { lines.append("note: \(shown(note))") }
        if document.optimizer.total > 0 {
            lines.append("state (optimizer, metrics): \(document.optimizer.total) tensors, \(document.optimizer.different) differ (not counted)")
        }
        lines.append(summaryLine())
        return lines
    }

    private func tensorLines() -> [String] {
        var rows: [[String]] = []
        var details: [Int: [String]] = [:]
        for tensor in document.tensors where tensor.isDifference || showSame {
            rows.append([statusText(tensor.status), shown(tensor.section == .model ? tensor.name : "[\(tensor.section.rawValue)] \(tensor.name)"),
                         detail(tensor) + shardText(tensor)])
            if let top = tensor.top, !top.isEmpty {
                let dtype = tensor.dtypeB ?? tensor.dtypeA
                details[rows.count - 1] = aligned(top.map {
                    ["\($0.index)", "a=\(valueText($0.a, dtype: dtype))", "b=\(valueText($0.b, dtype: dtype))", "|Δ|=\(valueText($0.absDiff, dtype: dtype))"]
                }, indent: "      ")
            }
        }
        var lines: [String] = []
        for (index, line) in aligned(rows, indent: "  ").enumerated() {
            lines.append(line)
            lines += details[index] ?? []
        }
        return lines
    }

    /// One row per layer (the identity's first component): tensors, how many differ, the largest |Δ|.
    private func statLines() -> [String] {
        var order: [String] = []
        var groups: [String: [TensorComparison]] = [:]
        for tensor in document.tensors where tensor.section == .model {
            let layer = String(tensor.name.split(separator: "/").first ?? Substring(tensor.name))
            if groups[layer] == nil { order.append(layer) }
            groups[layer, default: []].append(tensor)
        }
        let rows = order.map { layer -> [String] in
            let tensors = groups[layer]!
            let different = tensors.filter(\.isDifference)
            let largest = different.compactMap(\.maxAbsDiff).max()
            let dtype = tensors.first?.dtypeB ?? tensors.first?.dtypeA
            let mark = different.isEmpty ? Terminal.paint("same", .green) : Terminal.paint("differs", .red)
            return [mark, shown(layer), "\(different.count) of \(tensors.count) tensors differ"
                    + (largest.map { ", max |Δ| \(valueText($0, dtype: dtype))" } ?? "")]
        }
        return aligned(rows, indent: "  ")
    }

    private func statusText(_ status: TensorComparison.Status) -> String {
        switch status {
        case .same: Terminal.paint("same", .green)
        case .changed, .shapeChanged, .dtypeChanged: Terminal.paint(status.rawValue, .red)
        case .added, .removed: Terminal.paint(status.rawValue, .yellow)
        }
    }

    func detail(_ tensor: TensorComparison) -> String {
        let dtype = tensor.dtypeB ?? tensor.dtypeA
        switch tensor.status {
        case .added: return "\(formatShape(tensor.shapeB ?? [])) \(tensor.dtypeB.map(String.init(describing:)) ?? "") only in B"
        case .removed: return "\(formatShape(tensor.shapeA ?? [])) \(tensor.dtypeA.map(String.init(describing:)) ?? "") only in A"
        case .shapeChanged: return "shape \(formatShape(tensor.shapeA ?? [])) → \(formatShape(tensor.shapeB ?? []))"
        case .dtypeChanged: return "dtype \(tensor.dtypeA.map(String.init(describing:)) ?? "") → \(tensor.dtypeB.map(String.init(describing:)) ?? "")"
        case .same: return "\(countText(tensor.total ?? 0)) elements, max |Δ| \(valueText(tensor.maxAbsDiff, dtype: dtype))"
        case .changed:
            return "\(countText(tensor.mismatches ?? 0)) of \(countText(tensor.total ?? 0)) differ"
                + ", max |Δ| \(valueText(tensor.maxAbsDiff, dtype: dtype)) at \(tensor.maxAbsIndex ?? [])"
                + ", max rel \(valueText(tensor.maxRelDiff, dtype: dtype)), mean |Δ| \(valueText(tensor.meanAbsDiff, dtype: dtype))"
                + ((tensor.nanMismatches ?? 0) > 0 ? ", \(countText(tensor.nanMismatches!)) NaN mismatches" : "")
        }
    }

    func summaryLine() -> String {
        let summary = document.summary
        guard !document.equal else { return Terminal.paint("equal", .green) + ": \(summary.total) tensors, none differ" }
        return Terminal.paint("different", .red) + ": \(summary.different) of \(summary.total) tensors differ (\(countsText()))"
    }

    private func countsText() -> String {
        let summary = document.summary
        return [("changed", summary.changed), ("added", summary.added), ("removed", summary.removed),
                ("shape changed", summary.shapeChanged), ("dtype changed", summary.dtypeChanged)]
            .filter { $0.1 > 0 }.map { "\($0.1) \($0.0)" }.joined(separator: ", ")
    }

    /// Where a tensor of a sharded checkpoint is: ` (in a.weights.h5)`, or one shard per side.
    private func shardText(_ tensor: TensorComparison) -> String {
        switch (tensor.fileA, tensor.fileB) {
        case (nil, nil): ""
        case let (one?, nil), let (nil, one?): "  (in \(shown(one)))"
        case let (first?, second?): first == second ? "  (in \(shown(first)))" : "  (in \(shown(first)) and \(shown(second)))"
        }
    }

    // MARK: - GitHub and Markdown

    func annotations() -> [Annotation] {
        document.tensors.filter { $0.isDifference && $0.section == .model }.map { tensor in
            Annotation(level: .error, file: tensor.status == .removed ? document.a.file : document.b.file,
                       title: "heft diff: \(tensor.status.rawValue)", message: "\(tensor.name): \(detail(tensor))")
        }
    }

    func markdown() -> String {
        var lines = ["### heft diff: " + (document.equal ? "equal" : "different"), "",
                     "`\(markdownCell(document.a.file))` (\(document.a.format)) vs `\(markdownCell(document.b.file))` (\(document.b.format)), "
                     + "\(toleranceText): " + (document.equal ? "\(document.summary.total) tensors, none differ"
                                                : "\(document.summary.different) of \(document.summary.total) tensors differ (\(countsText()))")]
        let different = document.tensors.filter { $0.isDifference && $0.section == .model }
        if !different.isEmpty {
            lines += ["", "| tensor | status | detail |", "|---|---|---|"]
            lines += different.prefix(100).map { "| `\(markdownCell($0.name))` | \($0.status.rawValue) | \(markdownCell(detail($0))) |" }
            if different.count > 100 { lines += ["", "… and \(different.count - 100) more (see the JSON document)"] }
        }
        return lines.joined(separator: "\n")
    }
}

/// The JSON document of `heft diff` (schema 1).
struct DiffDocument: Encodable {
    struct Side: Encodable { let file: String; let format: String }

    struct Summary: Encodable {
        var total = 0, different = 0, same = 0, changed = 0, added = 0, removed = 0, shapeChanged = 0, dtypeChanged = 0

        init(_ tensors: [TensorComparison]) {
            total = tensors.count
            for tensor in tensors {
                switch tensor.status {
                case .same: same += 1
                case .changed: changed += 1
                case .added: added += 1
                case .removed: removed += 1
                case .shapeChanged: shapeChanged += 1
                case .dtypeChanged: dtypeChanged += 1
                }
            }
            different = total - same
        }

        enum CodingKeys: String, CodingKey {
            case total, different, same, changed, added, removed, shapeChanged = "shape_changed", dtypeChanged = "dtype_changed"
        }
    }

    let schema: Int
    let a: Side
    let b: Side
    let matching: String
    let tolerance: Tolerance
    let equal: Bool
    /// The model's tensors.
    let summary: Summary
    /// Optimizer and metric state.
    let optimizer: Summary
    let notes: [String]
    let tensors: [TensorComparison]

    enum CodingKeys: String, CodingKey {
        case schema, a, b, matching, tolerance, equal, summary, optimizer = "state_summary", notes, tensors
    }
}
