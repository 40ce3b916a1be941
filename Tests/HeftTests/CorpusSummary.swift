import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Per category and subcommand, how the runs ended; every problem; and each file's endings, for
/// the README and the library's to-do list.
struct CorpusSummary {
    let reports: [RunReport]
    let seconds: Double

    /// A markdown table (cells: `0:n 1:n 2:n`, plus `sig`, `t/o` and `skip` counts) and a problem list.
    func markdown() -> String {
        let categories = orderedUnique(reports.map(\.entry.category))
        let files = Set(reports.map(\.entry.name)).count
        var lines = ["# heft on the hostile corpus", "",
                     "\(files) files × \(Subcommand.allCases.count) subcommands = \(reports.count) runs; "
                     + "\(reports.filter { !$0.problems.isEmpty }.count) runs with problems; corpus generated in "
                     + String(format: "%.1f s", seconds) + "; runs as uid \(geteuid()).", "",
                     "| category | files | " + Subcommand.allCases.map(\.label).joined(separator: " | ") + " | runs with problems |",
                     "|" + String(repeating: "---|", count: Subcommand.allCases.count + 3)]
        for category in categories {
            let rows = reports.filter { $0.entry.category == category }
            let cells = Subcommand.allCases.map { subcommand in cell(rows.filter { $0.subcommand == subcommand }) }
            lines.append("| \(category) | \(Set(rows.map(\.entry.name)).count) | " + cells.joined(separator: " | ")
                         + " | \(rows.filter { !$0.problems.isEmpty }.count) |")
        }
        lines += ["", "Peak resident set per category (MiB; an upper bound that includes the test process's own "
                  + "~40 MiB, see BoundedRun) and slowest run (s):", ""]
        for category in categories {
            let runs = reports.filter { $0.entry.category == category }.compactMap(\.run)
            lines.append("- \(category): \((runs.map(\.maxResidentBytes).max() ?? 0) >> 20) MiB, "
                         + String(format: "%.2f s", runs.map(\.seconds).max() ?? 0))
        }
        lines += ["", "## Problems", ""]
        lines += reports.flatMap { report in report.problems.map { "- `\(report.entry.name)` · `heft \(report.subcommand.label)`: \($0)" } }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One row per file: its class, each subcommand's ending, and the first error line heft printed.
    func perFileMarkdown() -> String {
        var lines = ["## Per file", "", "| file | expect | " + Subcommand.allCases.map(\.label).joined(separator: " | ") + " | first error |",
                     "|" + String(repeating: "---|", count: Subcommand.allCases.count + 3)]
        for name in orderedUnique(reports.map(\.entry.name)) {
            let rows = reports.filter { $0.entry.name == name }
            let message = rows.compactMap(\.run).first { $0.ending == .exited(2) }.map { excerpt($0.stderr).prefix(160) } ?? ""
            lines.append("| `\(name)` | \(rows[0].entry.expect.rawValue) | " + rows.map { key($0) }.joined(separator: " | ")
                         + " | " + message.replacingOccurrences(of: "|", with: "\\|") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `0`, `1`, `2`, `sig`, `t/o` or `skip`.
    private func key(_ report: RunReport) -> String {
        switch report.run?.ending {
        case .exited(let code)?: "\(code)"
        case .signalled?: "sig"
        case .timedOut?: "t/o"
        case nil: "skip"
        }
    }

    /// `0:12 2:3 sig:1` for the runs of one category and subcommand.
    private func cell(_ rows: [RunReport]) -> String {
        var counts: [String: Int] = [:]
        for row in rows { counts[key(row), default: 0] += 1 }
        let order = ["0", "1", "2"] + counts.keys.filter { (Int($0) ?? 0) > 2 }.sorted() + ["sig", "t/o", "skip"]
        return order.compactMap { key in counts[key].map { "\(key):\($0)" } }.joined(separator: " ")
    }

    private func orderedUnique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
