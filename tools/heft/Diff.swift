import ArgumentParser
import Checkpoint
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
                Exit code 0 when equal, 1 when any tensor differs.
                """)

        enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
            case text, json, github
        }

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

        @Option(help: "Absolute tolerance (default 0).") var atol: Double = 0
        @Option(help: "Relative tolerance, relative to |b| (default 0).") var rtol: Double = 0
        @Option(help: ArgumentHelp("Equal when at most N representable values apart (replaces --atol/--rtol).", valueName: "n"))
        var ulp: Int?
        @Flag(help: "NaN never equals NaN.") var nanStrict = false

        @Option(help: ArgumentHelp("List the K largest element differences of each differing tensor.", valueName: "k"))
        var top = 0

        @Flag(help: "Also list tensors that are the same.") var showSame = false

        @Option(help: "Output format: text, json (same as --json) or github (GitHub Actions ::error annotations).")
        var format: OutputFormat = .text

        @OptionGroup var output: OutputOptions
        @OptionGroup var reader: ReaderOptions

        func validate() throws {
            guard atol >= 0, rtol >= 0, atol.isFinite, rtol.isFinite else { throw ValidationError("--atol and --rtol must be finite and ≥ 0") }
            if let ulp, ulp < 0 { throw ValidationError("--ulp must be ≥ 0") }
            if ulp != nil && (atol != 0 || rtol != 0) { throw ValidationError("--ulp replaces --atol/--rtol; give one or the other") }
            guard top >= 0 else { throw ValidationError("--top must be ≥ 0") }
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
            options.tolerance = Tolerance(absolute: atol, relative: rtol, ulps: ulp, nanStrict: nanStrict)
            options.topCount = top
            return options
        }

        func run() throws {
            try runWithExitCode(reader, files: [a, b]) { open in
                let fileA = try open(a), fileB = try open(b)
                let progress = Progress("heft diff")
                let result = try WeightDiff.compare(fileA, fileB, options: options, progress: progress.update)
                progress.finish()
                let document = DiffDocument(schema: jsonSchemaVersion, a: .init(file: a, format: fileA.formatName),
                                            b: .init(file: b, format: fileB.formatName),
                                            matching: options.matching.rawValue, tolerance: options.tolerance,
                                            equal: result.equal, summary: DiffDocument.Summary(result.tensors.filter { $0.section == .model }),
                                            optimizer: DiffDocument.Summary(result.tensors.filter { $0.section != .model }),
                                            notes: result.notes, tensors: result.tensors)
                switch output.json ? .json : format {
                case .json: try printJSON(document)
                case .github: printGitHub(document)
                case .text: printText(document)
                }
                return result.equal ? 0 : 1
            }
        }

        // MARK: - Text

        func printText(_ document: DiffDocument) {
            let tolerance = ulp.map { "within \($0) ulp" } ?? (atol == 0 && rtol == 0 ? "exact" : "atol \(atol), rtol \(rtol)")
            print("\(shown(a)) (\(document.a.format)) vs \(shown(b)) (\(document.b.format)), matched by \(byOrder ? "order" : "name"), \(tolerance)")
            var rows: [[String]] = []
            var details: [Int: [String]] = [:]
            for tensor in document.tensors where tensor.isDifference || showSame {
                rows.append([statusText(tensor.status), shown(tensor.section == .model ? tensor.name : "[\(tensor.section.rawValue)] \(tensor.name)"),
                             detail(tensor) + shardText(tensor)])
                if let top = tensor.top, !top.isEmpty {
                    details[rows.count - 1] = aligned(top.map { ["\($0.index)", "a=\($0.a)", "b=\($0.b)", "|Δ|=\($0.absDiff)"] }, indent: "      ")
                }
            }
            for (index, line) in aligned(rows, indent: "  ").enumerated() {
                print(line)
                details[index].map { print($0.joined(separator: "\n")) }
            }
            for note in document.notes { print("note: \(shown(note))") }
            if document.optimizer.total > 0 {
                print("state (optimizer, metrics): \(document.optimizer.total) tensors, \(document.optimizer.different) differ (not counted)")
            }
            print(summaryLine(document.summary, equal: document.equal))
        }

        private func statusText(_ status: TensorComparison.Status) -> String {
            switch status {
            case .same: Terminal.paint("same", .green)
            case .changed, .shapeChanged, .dtypeChanged: Terminal.paint(status.rawValue, .red)
            case .added, .removed: Terminal.paint(status.rawValue, .yellow)
            }
        }

        private func detail(_ tensor: TensorComparison) -> String {
            switch tensor.status {
            case .added: "\(formatShape(tensor.shapeB ?? [])) \(tensor.dtypeB.map(String.init(describing:)) ?? "") only in B"
            case .removed: "\(formatShape(tensor.shapeA ?? [])) \(tensor.dtypeA.map(String.init(describing:)) ?? "") only in A"
            case .shapeChanged: "shape \(formatShape(tensor.shapeA ?? [])) → \(formatShape(tensor.shapeB ?? []))"
            case .dtypeChanged: "dtype \(tensor.dtypeA.map(String.init(describing:)) ?? "") → \(tensor.dtypeB.map(String.init(describing:)) ?? "")"
            case .same: "\(countText(tensor.total ?? 0)) elements, max |Δ| \(numberText(tensor.maxAbsDiff))"
            case .changed:
                "\(countText(tensor.mismatches ?? 0)) of \(countText(tensor.total ?? 0)) differ"
                    + ", max |Δ| \(numberText(tensor.maxAbsDiff)) at \(tensor.maxAbsIndex ?? [])"
                    + ", max rel \(numberText(tensor.maxRelDiff)), mean |Δ| \(numberText(tensor.meanAbsDiff))"
                    + ((tensor.nanMismatches ?? 0) > 0 ? ", \(countText(tensor.nanMismatches!)) NaN mismatches" : "")
            }
        }

        private func summaryLine(_ summary: DiffDocument.Summary, equal: Bool) -> String {
            guard !equal else { return Terminal.paint("equal", .green) + ": \(summary.total) tensors, none differ" }
            let parts = [("changed", summary.changed), ("added", summary.added), ("removed", summary.removed),
                         ("shape changed", summary.shapeChanged), ("dtype changed", summary.dtypeChanged)]
                .filter { $0.1 > 0 }.map { "\($0.1) \($0.0)" }
            return Terminal.paint("different", .red) + ": \(summary.different) of \(summary.total) tensors differ (\(parts.joined(separator: ", ")))"
        }

        /// Where a tensor of a sharded checkpoint is: ` (in a.weights.h5)`, or one shard per side.
        func shardText(_ tensor: TensorComparison) -> String {
            switch (tensor.fileA, tensor.fileB) {
            case (nil, nil): ""
            case let (one?, nil), let (nil, one?): "  (in \(shown(one)))"
            case let (first?, second?): first == second ? "  (in \(shown(first)))" : "  (in \(shown(first)) and \(shown(second)))"
            }
        }

        // MARK: - GitHub Actions

        func printGitHub(_ document: DiffDocument) {
            for tensor in document.tensors where tensor.isDifference && tensor.section == .model {
                let file = tensor.status == .removed ? a : b
                print("::error file=\(escape(shown(file), property: true)),title=\(escape("heft diff: \(tensor.status.rawValue)", property: true))::"
                      + escape("\(shown(tensor.name)): \(detail(tensor))", property: false))
            }
            print(summaryLine(document.summary, equal: document.equal))
        }

        /// GitHub's workflow-command escaping.
        private func escape(_ text: String, property: Bool) -> String {
            var escaped = text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
                .replacingOccurrences(of: "\n", with: "%0A")
            if property { escaped = escaped.replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C") }
            return escaped
        }
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
