import ArgumentParser
import Checkpoint
import Inspection
import Foundation

extension Heft {
    /// `heft verify FILE`: soundness, shared weights, ties, identical groups, and loadability.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that a weights file is sound and that tied layers carry identical arrays.",
            discussion: """
                Sound: every listed layer and weight resolves, every tensor is fully readable and its \
                values are finite (unless --allow-nonfinite). Integrity: files written by Heft carry a \
                SHA-256 per tensor and a manifest; every digest is recomputed and tensors whose bytes \
                changed are reported. Paths that are hard links to one dataset are reported as shared. \
                Exit code 0 when everything holds, 1 when a check fails.
                """)

        @Argument(help: "The weights file.") var file: String

        @Flag(help: "Allow NaN and infinite values.") var allowNonfinite = false

        @Option(help: ArgumentHelp("Layers (names) or weights (paths) that must be bitwise identical, position by position (repeatable).",
                                   valueName: "a,b[,c…]"))
        var tie: [String] = []

        @Flag(help: "List groups of bitwise-identical tensors across layers (candidate ties); never fails.")
        var auto = false

        @Option(help: ArgumentHelp("Check that the file would load into the model this reference weights file describes.", valueName: "ref"))
        var like: String?

        @OptionGroup var output: OutputOptions
        @OptionGroup var reader: ReaderOptions

        func validate() throws {
            for group in tie where group.split(separator: ",").count < 2 {
                throw ValidationError("--tie needs at least two comma-separated names, got '\(group)'")
            }
        }

        func run() throws {
            try runWithExitCode(reader, files: [file] + (like.map { [$0] } ?? [])) { open in
                let weightFile = try open(file)
                let reference = try like.map { try open($0) }
                var options = Verification.Options()
                options.allowNonFinite = allowNonfinite
                options.ties = tie.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                options.findIdenticalGroups = auto
                let progress = Progress("heft verify")
                let report = try Verification.verify(weightFile, options: options, like: reference, progress: progress.update)
                progress.finish()
                if output.json {
                    try printJSON(VerifyDocument(schema: jsonSchemaVersion, file: file, format: weightFile.formatName, report: report))
                } else {
                    printText(report, format: weightFile.formatName)
                }
                return report.ok ? 0 : 1
            }
        }

        // MARK: - Text

        /// One report line: a mark and the text, shown safely (it carries names from the file).
        private func line(_ ok: Bool?, _ text: String, warning: Bool = false) -> [String] {
            let mark = switch ok {
            case true?: Terminal.paint("ok", .green)
            case false?: Terminal.paint("FAIL", .red)
            case nil: warning ? Terminal.paint("warn", .yellow) : Terminal.paint("info", .dim)
            }
            return [mark, shown(text)]
        }

        func printText(_ report: Verification.Report, format: String) {
            print("\(shown(file)): \(Terminal.paint(format, .bold)), \(report.tensors) weights")
            var rows: [[String]] = []
            if report.problems.isEmpty {
                rows.append(line(true, "sound: every tensor readable, " + (allowNonfinite ? "non-finite values allowed" : "all values finite")))
            }
            rows += report.problems.map { line(false, "\($0.path)\($0.file.map { " (in \($0))" } ?? ""): \($0.problem)") }
            rows.append(integrityLine(report.integrity))
            rows += report.shared.map { line(nil, "shared: " + $0.dropFirst().joined(separator: ", ") + " → hard link to \($0[0])") }
            for tie in report.ties { rows += tieLines(tie) }
            if let groups = report.identicalGroups {
                rows.append(line(nil, "identical groups (candidate ties): \(groups.isEmpty ? "none" : "\(groups.count)")"))
                rows += groups.map { line(nil, "  " + $0.joined(separator: " = ")) }
            }
            if let like = report.like {
                let rule = like.rule.rawValue.replacingOccurrences(of: "_", with: " ")
                rows.append(line(like.ok, "loads into \(like.reference) \(rule)" + (like.divergence.map { ": \($0)" } ?? "")))
                if let byName = like.byNameOK {
                    rows.append(line(nil, "by name: " + (byName ? "every reference layer matches" : like.byNameDivergence ?? "")))
                }
            }
            print(aligned(rows, indent: "  ").joined(separator: "\n"))
            print(report.ok ? Terminal.paint("verified", .green) : Terminal.paint("verification failed", .red))
        }

        private func integrityLine(_ integrity: Verification.IntegrityCheck) -> [String] {
            switch integrity.status {
            case .verified:
                line(true, "integrity: \(integrity.checked) tensor(s) match the SHA-256 stored when the file was written; manifest complete")
            case .failed:
                line(false, "integrity: the file changed after it was written (see above)")
            case .absent:
                line(nil, "integrity: NOT CHECKED: the file carries no digests (written by Keras or h5py, or its digests "
                     + "were removed), so a changed value cannot be detected", warning: true)
            }
        }

        private func tieLines(_ tie: Verification.TieCheck) -> [[String]] {
            let name = "tie " + tie.members.joined(separator: ",")
            if let error = tie.error { return [line(false, "\(name): \(error)")] }
            return [line(tie.ok, name)] + tie.pairs.map { pair in
                switch pair.status {
                case .linked: line(true, "  \(pair.b) = \(pair.a) (hard link)")
                case .identical: line(true, "  \(pair.b) = \(pair.a) (bitwise identical)")
                case .differs:
                    line(false, "  \(pair.b) differs from \(pair.a) at \(pair.firstDifferentIndex ?? []): "
                         + "\(countText(pair.differentElements ?? 0)) element(s), max |Δ| \(numberText(pair.maxAbsDiff))")
                case .shapeMismatch, .dtypeMismatch, .missing: line(false, "  \(pair.b) vs \(pair.a): \(pair.status.rawValue)")
                }
            }
        }
    }
}

/// The JSON document of `heft verify` (schema 1).
struct VerifyDocument: Encodable {
    let schema: Int
    let file: String
    let format: String
    let report: Verification.Report

    enum CodingKeys: String, CodingKey { case schema, file, format }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schema, forKey: .schema)
        try container.encode(file, forKey: .file)
        try container.encode(format, forKey: .format)
        try report.encode(to: encoder)
    }
}
