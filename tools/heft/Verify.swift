import ArgumentParser
import Checkpoint
import Cluster
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
                Exit code 0 when everything holds, 1 when a check fails, 2 when the file cannot be read.

                Examples:
                  heft verify model.weights.h5
                  heft verify model.h5 --tie encoder,decoder
                  heft verify model.weights.h5 --auto --json
                  heft verify new.weights.h5 --like base.keras --format github
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

        @Option(help: ArgumentHelp("Also compute each tensor's SHA-256 (content identity: JSON \"sha256\"; text: one digest over "
                                   + "every path and tensor), whatever checksum the file stores.", valueName: "sha256"))
        var digest: ContentDigest?

        /// What `--digest` accepts: SHA-256 only (XXH3 is what every check already uses).
        enum ContentDigest: String, ExpressibleByArgument, CaseIterable { case sha256 }

        @OptionGroup var output: OutputOptions
        @OptionGroup var reader: ReaderOptions

        func validate() throws {
            for group in tie where group.split(separator: ",").count < 2 {
                throw ValidationError("--tie needs at least two comma-separated names, got '\(group)'")
            }
        }

        func run() throws {
            if let cluster = try ClusterRun.current(timeout: .seconds(reader.timeout + 60)) { return try run(on: cluster) }
            try report { weightFile, reference in
                let progress = Progress("heft verify")
                defer { progress.finish() }
                return try Verification.verify(weightFile, options: options, like: reference, progress: progress.update)
            }
        }

        /// Under `mpirun`: each rank scans its share of the tensors (balanced by bytes), rank 0
        /// makes the report from every rank's findings — the same report as one process makes.
        private func run(on cluster: ClusterRun) throws {
            let options = self.options
            let parts = try cluster.gatherParts("verify", reader, output, files: [file], readingDigests: true) { rank, size, open in
                let weightFile = try open(file)
                let order = Verification.scanOrder(weightFile)
                let share = Partition.contiguous(sizes: order.map(\.storageSize), parts: size)[rank]
                return try PartCoding.encode(Verification.scan(Array(order[share]), in: weightFile, options: options))
            }
            try cluster.finish(parts.map { parts in
                {
                    let outcomes = try parts.flatMap { try PartCoding.decode([Verification.TensorOutcome].self, from: $0) }
                    try report { weightFile, reference in
                        try Verification.verify(weightFile, options: options, like: reference, outcomes: outcomes)
                    }
                }
            })
        }

        private var options: Verification.Options {
            var options = Verification.Options()
            options.allowNonFinite = allowNonfinite
            options.ties = tie.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            options.findIdenticalGroups = auto
            options.contentDigests = digest != nil
            return options
        }

        /// Opens the file (and `--like`'s) in an isolated worker, makes the report with `verify`
        /// and publishes it: exit 0 when it is ok, else 1.
        private func report(_ verify: (WeightFile, WeightFile?) throws -> Verification.Report) throws {
            try runWithExitCode("verify", reader, output, files: [file] + (like.map { [$0] } ?? []), readingDigests: true) { open in
                let weightFile = try open(file)
                let report = try verify(weightFile, try like.map { try open($0) })
                try output.publish(VerifyReport(document: VerifyDocument(schema: jsonSchemaVersion, file: file, format: weightFile.formatName,
                                                                         report: report), allowNonFinite: allowNonfinite))
                return report.ok ? 0 : 1
            }
        }
    }
}

/// `heft verify`'s report in every format: each check a line marked ok, FAIL, warn or info.
struct VerifyReport: CommandReport {
    let document: VerifyDocument
    let allowNonFinite: Bool
    var report: Verification.Report { document.report }

    /// One finding: whether it holds (`nil`: information, or a warning) and its text.
    struct Finding {
        let ok: Bool?
        let text: String
        var warning = false
    }

    var findings: [Finding] {
        var findings: [Finding] = []
        if report.problems.isEmpty {
            findings.append(Finding(ok: true, text: "sound: every tensor readable, " + (allowNonFinite ? "non-finite values allowed" : "all values finite")))
        }
        findings += report.problems.map { Finding(ok: false, text: "\($0.path)\($0.file.map { " (in \($0))" } ?? ""): \($0.problem)") }
        findings.append(integrityFinding(report.integrity))
        findings += report.shared.map { Finding(ok: nil, text: "shared: " + $0.dropFirst().joined(separator: ", ") + " → hard link to \($0[0])") }
        for tie in report.ties { findings += tieFindings(tie) }
        if let groups = report.identicalGroups {
            findings.append(Finding(ok: nil, text: "identical groups (candidate ties): \(groups.isEmpty ? "none" : "\(groups.count)")"))
            findings += groups.map { Finding(ok: nil, text: "  " + $0.joined(separator: " = ")) }
        }
        if let digests = report.contentDigests {
            findings.append(Finding(ok: nil, text: "sha256 of \(digests.count) weight paths (over the sorted \"path sha256\" lines): "
                                    + Integrity.manifestDigest(digests.map { ($0.key, $0.value) })))
        }
        if let like = report.like {
            let rule = like.rule.rawValue.replacingOccurrences(of: "_", with: " ")
            findings.append(Finding(ok: like.ok, text: "loads into \(like.reference) \(rule)" + (like.divergence.map { ": \($0)" } ?? "")))
            if let byName = like.byNameOK {
                findings.append(Finding(ok: nil, text: "by name: " + (byName ? "every reference layer matches" : like.byNameDivergence ?? "")))
            }
        }
        return findings
    }

    func textLines() -> [String] {
        let rows = findings.map { finding -> [String] in
            let mark = switch finding.ok {
            case true?: Terminal.paint("ok", .green)
            case false?: Terminal.paint("FAIL", .red)
            case nil: finding.warning ? Terminal.paint("warn", .yellow) : Terminal.paint("info", .dim)
            }
            return [mark, shown(finding.text)]
        }
        return ["\(shown(document.file)): \(Terminal.paint(document.format, .bold)), \(report.tensors) weights"]
            + aligned(rows, indent: "  ")
            + [report.ok ? Terminal.paint("verified", .green) : Terminal.paint("verification failed", .red)]
    }

    func annotations() -> [Annotation] {
        findings.compactMap { finding in
            if finding.ok == false { return Annotation(level: .error, file: document.file, title: "heft verify: failed", message: finding.text) }
            if finding.warning { return Annotation(level: .warning, file: document.file, title: "heft verify: warning", message: finding.text) }
            return nil
        }
    }

    func markdown() -> String {
        var lines = ["### heft verify: " + (report.ok ? "verified" : "verification failed"), "",
                     "`\(markdownCell(document.file))` (\(document.format)), \(report.tensors) weights", "",
                     "| check | result |", "|---|---|"]
        lines += findings.map { finding in
            let mark = switch finding.ok {
            case true?: "ok"
            case false?: "**FAIL**"
            case nil: finding.warning ? "warn" : "info"
            }
            return "| \(markdownCell(finding.text)) | \(mark) |"
        }
        return lines.joined(separator: "\n")
    }

    private func integrityFinding(_ integrity: Verification.IntegrityCheck) -> Finding {
        switch integrity.status {
        case .verified:
            Finding(ok: true, text: "integrity: \(integrity.checked) tensor(s) match the checksums stored when the file was written; manifest complete")
        case .failed:
            Finding(ok: false, text: "integrity: the file changed after it was written (see above)")
        case .absent:
            Finding(ok: nil, text: "integrity: NOT CHECKED: the file carries no digests (written by Keras or h5py, or its digests "
                    + "were removed), so a changed value cannot be detected", warning: true)
        }
    }

    private func tieFindings(_ tie: Verification.TieCheck) -> [Finding] {
        let name = "tie " + tie.members.joined(separator: ",")
        if let error = tie.error { return [Finding(ok: false, text: "\(name): \(error)")] }
        return [Finding(ok: tie.ok, text: name)] + tie.pairs.map { pair in
            switch pair.status {
            case .linked: Finding(ok: true, text: "  \(pair.b) = \(pair.a) (hard link)")
            case .identical: Finding(ok: true, text: "  \(pair.b) = \(pair.a) (bitwise identical)")
            case .differs:
                Finding(ok: false, text: "  \(pair.b) differs from \(pair.a) at \(pair.firstDifferentIndex ?? []): "
                        + "\(countText(pair.differentElements ?? 0)) element(s), max |Δ| \(valueText(pair.maxAbsDiff, dtype: nil))")
            case .shapeMismatch, .dtypeMismatch, .missing: Finding(ok: false, text: "  \(pair.b) vs \(pair.a): \(pair.status.rawValue)")
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
