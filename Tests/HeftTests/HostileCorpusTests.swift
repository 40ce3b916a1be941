import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Every `heft` subcommand on every file of the hostile corpus (issue 6, item 5a).
///
/// `tools/make-hostile-corpus` writes truncated, bit-flipped, zeroed, non-HDF5, crafted and oddly
/// named files with a manifest (see `tools/hostile_corpus.py`). Each subcommand runs on each file
/// as a real `heft` process and must:
/// - end by itself (no signal) within 10 s, with at most 512 MiB resident;
/// - exit with a code its manifest entry allows (0, 1 and 2 are the documented codes);
/// - on exit 2, print exactly one line on stderr, `heft: error: ` followed by a message naming the file;
/// - never print HDF5's diagnostic stack, nor the bytes of a file a hostile file points at;
/// - for `convert`: leave either an output that `heft dump` loads, or no output and no temp file.
///
/// After a run that times out, the file's remaining subcommands are skipped (each would cost
/// another 10 s); they show as "skipped" in the summary. The summary (per category and
/// subcommand: how the runs ended) is printed and written to `$HEFT_CORPUS_SUMMARY`, or to
/// `heft-hostile-corpus-summary.md` in the temporary directory.
@Suite struct HostileCorpusTests {
    @Test func everySubcommandEndsCleanlyOnEveryFile() throws {
        let python = try #require(ProcessInfo.processInfo.environment["HEFT_PYTHON"],
                                  "HEFT_PYTHON is not set: run tools/test, or set HEFT_PYTHON=$(tools/setup --python)")
        try withTemporaryDirectory { dir in
            let corpus = try HostileCorpus.generate(in: "\(dir)/corpus", python: python)
            checkCoverage(of: corpus)
            let reports = corpus.runEverySubcommand(scratch: "\(dir)/scratch")
            for report in reports {
                for problem in report.problems {
                    Issue.record(Comment(rawValue: "\(report.entry.name) · heft \(report.subcommand.label): \(problem)"))
                }
            }
            try publish(CorpusSummary(reports: reports, seconds: corpus.elapsedSeconds))
        }
    }

    /// The corpus holds what the issue asks for: ≥ 15 truncations, ≥ 40 flips, every category,
    /// and every `good` file is a sound one.
    func checkCoverage(of corpus: HostileCorpus) {
        let counts = Dictionary(grouping: corpus.entries, by: \.category).mapValues(\.count)
        #expect(counts["truncation", default: 0] >= 15)
        #expect(corpus.entries.filter { $0.category.hasPrefix("flip-") }.count >= 40)
        for category in ["baseline", "zeroed", "not-hdf5", "not-a-file", "layout", "size", "bomb", "links", "dtype", "names"] {
            #expect(counts[category, default: 0] > 0, "no \(category) files in the corpus")
        }
        let sound = Set(corpus.entries.filter { $0.expect == .valid }.map(\.name))
        for entry in corpus.entries where !sound.contains(entry.good) {
            Issue.record("\(entry.name): its good file \(entry.good) is not a valid corpus entry")
        }
    }

    /// Prints the summary and writes it where the README numbers are taken from.
    func publish(_ summary: CorpusSummary) throws {
        let text = summary.markdown()
        let path = ProcessInfo.processInfo.environment["HEFT_CORPUS_SUMMARY"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("heft-hostile-corpus-summary.md").path
        try (text + "\n" + summary.perFileMarkdown()).write(toFile: path, atomically: true, encoding: .utf8)
        print(text)
        print("hostile corpus summary written to \(path)")
    }
}

// MARK: - The corpus

/// One file of the corpus, as `tools/hostile_corpus.py` lists it in `manifest.json`.
struct CorpusEntry: Decodable, Sendable {
    /// How a file must be treated; see the module comment of `tools/hostile_corpus.py`.
    enum Expectation: String, Decodable, Sendable {
        case valid, plain, refuse, badValues = "bad-values", unchecked, unreadable
    }

    let name: String
    let category: String
    let description: String
    let expect: Expectation
    /// A sound file of the corpus to diff against.
    let good: String
    /// The exact exit codes of `diff GOOD FILE`, when the generator knows them.
    let diffGood: [Int32]?
    /// Text that must never appear in heft's output (for example the contents of /etc/passwd).
    let forbidden: [String]?

    enum CodingKeys: String, CodingKey {
        case name, category, description, expect, good, forbidden
        case diffGood = "diff_good"
    }

    /// The exit codes `subcommand` may end with on this file.
    func allowedCodes(_ subcommand: Subcommand, runningAsRoot: Bool) -> Set<Int32> {
        if subcommand == .diffGood, let diffGood { return Set(diffGood) }
        return expect.allowedCodes(subcommand, runningAsRoot: runningAsRoot)
    }
}

extension CorpusEntry.Expectation {
    /// The exit codes `subcommand` may end with on a file of this class.
    func allowedCodes(_ subcommand: Subcommand, runningAsRoot: Bool) -> Set<Int32> {
        switch self {
        case .valid: subcommand == .diffGood ? [0, 1] : [0]
        case .plain: subcommand.isDump ? [0] : [2]
        case .refuse: subcommand.refusalCodes
        case .badValues: subcommand.readsValues ? subcommand.refusalCodes : [0, 2]
        case .unchecked: [0, 1, 2]
        case .unreadable: (runningAsRoot ? Self.valid : Self.refuse).allowedCodes(subcommand, runningAsRoot: runningAsRoot)
        }
    }
}

/// The subcommand lines run on every file.
enum Subcommand: CaseIterable, Sendable {
    case dump, dumpStatsHash, dumpJSON, diffSelf, diffGood, verify, verifyJSON, convert

    var label: String {
        switch self {
        case .dump: "dump"
        case .dumpStatsHash: "dump --stats --hash"
        case .dumpJSON: "dump --json"
        case .diffSelf: "diff FILE FILE"
        case .diffGood: "diff GOOD FILE"
        case .verify: "verify"
        case .verifyJSON: "verify --json"
        case .convert: "convert"
        }
    }

    /// The command line for `file`, `good` (a sound file) and `output` (for convert).
    func arguments(file: String, good: String, output: String) -> [String] {
        switch self {
        case .dump: ["dump", file]
        case .dumpStatsHash: ["dump", "--stats", "--hash", file]
        case .dumpJSON: ["dump", "--json", file]
        case .diffSelf: ["diff", file, file]
        case .diffGood: ["diff", good, file]
        case .verify: ["verify", file]
        case .verifyJSON: ["verify", "--json", file]
        case .convert: ["convert", file, output]
        }
    }

    var isDump: Bool { self == .dump || self == .dumpStatsHash || self == .dumpJSON }

    /// Whether the subcommand reads tensor values (a plain listing does not).
    var readsValues: Bool { self != .dump && self != .dumpJSON }

    /// How the subcommand refuses a bad file: 2, or 1 where a failed check is also an answer.
    var refusalCodes: Set<Int32> {
        switch self {
        case .dump, .dumpStatsHash, .dumpJSON, .convert: [2]
        case .diffSelf, .diffGood, .verify, .verifyJSON: [1, 2]
        }
    }
}

/// The generated corpus: its folder and manifest.
struct HostileCorpus: Sendable {
    let directory: String
    let entries: [CorpusEntry]
    /// How long generating took.
    let elapsedSeconds: Double

    static let generator = fixturesURL.deletingLastPathComponent().appendingPathComponent("tools/make-hostile-corpus").path

    /// Runs `tools/make-hostile-corpus` into `directory` with the pinned venv's `python`.
    static func generate(in directory: String, python: String) throws -> HostileCorpus {
        let scratch = directory + ".log"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let run = try BoundedProcess.run(generator, [directory], timeout: 120, scratch: scratch,
                                         environment: ["HEFT_PYTHON": python])
        guard run.ending == .exited(0) else {
            throw CorpusError("tools/make-hostile-corpus \(run.ending): \(run.stderr.suffix(2000))")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/manifest.json"))
        let manifest = try JSONDecoder().decode(Manifest.self, from: data)
        return HostileCorpus(directory: directory, entries: manifest.files, elapsedSeconds: run.seconds)
    }

    private struct Manifest: Decodable { let files: [CorpusEntry] }

    func path(_ name: String) -> String { "\(directory)/\(name)" }

    /// Runs every subcommand on every file, two files at a time (the test machines have 2 cores),
    /// bombs and special files first so that the two workers finish together. Reports come back in
    /// manifest order.
    func runEverySubcommand(scratch: String) -> [RunReport] {
        let isSlow = { (entry: CorpusEntry) in entry.category == "bomb" || entry.category == "not-a-file" }
        let order = entries.indices.filter { isSlow(entries[$0]) } + entries.indices.filter { !isSlow(entries[$0]) }
        let reports = ParallelResults<[RunReport]>(count: entries.count)
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            while let position = reports.claimNext() {
                let index = order[position]
                reports.store(FileRunner(corpus: self, entry: entries[index], scratch: "\(scratch)/\(index)").runAll(), at: index)
            }
        }
        return reports.values.flatMap { $0 }
    }
}

struct CorpusError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Results filled in by concurrent workers, each claiming the next free slot.
final class ParallelResults<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var slots: [Value?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    /// The next unclaimed index, or nil when all are claimed.
    func claimNext() -> Int? {
        lock.withLock {
            guard next < slots.count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    func store(_ value: Value, at index: Int) {
        lock.withLock { slots[index] = value }
    }

    /// Every stored value, in index order.
    var values: [Value] { lock.withLock { slots.compactMap { $0 } } }
}

// MARK: - Running and judging one file

/// One subcommand on one file: how it ended and what it did wrong.
struct RunReport: Sendable {
    let entry: CorpusEntry
    let subcommand: Subcommand
    /// nil when skipped after an earlier time-out on the same file (or when heft could not be started).
    let run: BoundedRun?
    let problems: [String]
}

/// Runs the subcommands on one corpus file and judges each run.
struct FileRunner {
    static let timeout = 10.0
    static let memoryLimit = 512 << 20

    let corpus: HostileCorpus
    let entry: CorpusEntry
    /// A private folder for this file's output captures and convert outputs.
    let scratch: String

    var file: String { corpus.path(entry.name) }
    var runningAsRoot: Bool { geteuid() == 0 }

    /// Every subcommand in order; after a time-out the rest are skipped.
    func runAll() -> [RunReport] {
        var reports: [RunReport] = []
        for subcommand in Subcommand.allCases {
            if reports.contains(where: { $0.run?.ending == .timedOut }) {
                reports.append(RunReport(entry: entry, subcommand: subcommand, run: nil, problems: []))
                continue
            }
            reports.append(run(subcommand))
        }
        return reports
    }

    /// One subcommand, judged; `convert` also checks what it left in its output folder.
    func run(_ subcommand: Subcommand) -> RunReport {
        let folder = "\(scratch)/\(subcommand)"
        let output = "\(folder)/out/converted.weights.h5"
        do {
            try FileManager.default.createDirectory(atPath: "\(folder)/out", withIntermediateDirectories: true)
            defer { removeOutput("\(folder)/out") }
            let arguments = subcommand.arguments(file: file, good: corpus.path(entry.good), output: output)
            let run = try BoundedProcess.run(heftBinary.path, arguments, timeout: Self.timeout, scratch: folder)
            var problems = judge(run, subcommand)
            if subcommand == .convert { problems += try convertProblems(run, output: output, scratch: folder) }
            return RunReport(entry: entry, subcommand: subcommand, run: run, problems: problems)
        } catch {
            return RunReport(entry: entry, subcommand: subcommand, run: nil, problems: ["could not run heft: \(error)"])
        }
    }

    /// The contract every run must keep, and the exit codes this file's class allows.
    func judge(_ run: BoundedRun, _ subcommand: Subcommand) -> [String] {
        var problems: [String] = []
        switch run.ending {
        case .timedOut:
            problems.append("did not finish within \(Int(Self.timeout)) s (killed)")
        case .signalled(let signal):
            problems.append("killed by signal \(signal) (\(String(cString: strsignal(signal)))); stderr: \(excerpt(run.stderr))")
        case .exited(let code):
            let allowed = entry.allowedCodes(subcommand, runningAsRoot: runningAsRoot)
            if !allowed.contains(code) {
                problems.append("exit \(code), expected \(allowed.sorted()) for a '\(entry.expect.rawValue)' file (\(entry.description)); "
                                + "stderr: \(excerpt(run.stderr))")
            }
            if code == 2 { problems += errorLineProblems(run.stderr) }
        }
        if run.maxResidentBytes > Self.memoryLimit {
            problems.append("max RSS \(run.maxResidentBytes >> 20) MiB > \(Self.memoryLimit >> 20) MiB")
        }
        if run.stdout.contains("HDF5-DIAG") || run.stderr.contains("HDF5-DIAG") {
            problems.append("printed HDF5's diagnostic stack: \(excerpt(run.stderr))")
        }
        for text in entry.forbidden ?? [] where run.stdout.contains(text) || run.stderr.contains(text) {
            problems.append("printed '\(text)', which comes from a file this one points at")
        }
        return problems
    }

    /// Exit 2 means one line on stderr: `heft: error: ` and a message naming the file.
    func errorLineProblems(_ stderr: String) -> [String] {
        var problems: [String] = []
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count != 2 || !lines[1].isEmpty {
            problems.append("stderr is not exactly one line (\(lines.count - 1) line breaks): \(excerpt(stderr))")
        }
        if !stderr.hasPrefix("heft: error: ") { problems.append("stderr does not start with 'heft: error: ': \(excerpt(stderr))") }
        if !stderr.contains(file) { problems.append("stderr does not name \(file): \(excerpt(stderr))") }
        return problems
    }

    /// `convert` leaves a loadable output (exit 0) or nothing: no output, no `.heft-tmp-` file.
    /// After a kill (time-out or signal) only the final path is checked: a killed writer cannot
    /// remove its temp file.
    func convertProblems(_ run: BoundedRun, output: String, scratch: String) throws -> [String] {
        let folder = (output as NSString).deletingLastPathComponent
        let exists = FileManager.default.fileExists(atPath: output)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".heft-tmp-") }
        switch run.ending {
        case .exited(0):
            guard exists else { return ["exit 0 but no output file"] }
            let check = try BoundedProcess.run(heftBinary.path, ["dump", output], timeout: Self.timeout, scratch: "\(scratch)/check")
            var problems = leftovers.map { "left the temp file \($0) next to a written output" }
            if check.ending != .exited(0) { problems.append("the output does not load: heft dump \(check.ending): \(excerpt(check.stderr))") }
            return problems
        case .exited:
            return (exists ? ["failed but left an output file"] : []) + leftovers.map { "failed but left the temp file \($0)" }
        case .signalled, .timedOut:
            return exists ? ["killed, and an output file exists"] : []
        }
    }

    /// Deletes the convert output folder (a bomb's output could be large).
    private func removeOutput(_ folder: String) {
        do { try FileManager.default.removeItem(atPath: folder) } catch { print("warning: cannot remove \(folder): \(error)") }
    }
}

/// The first 300 characters of `text`, on one line.
func excerpt(_ text: String) -> String {
    let flat = text.replacingOccurrences(of: "\n", with: "⏎")
    return flat.count > 300 ? flat.prefix(300) + "…" : flat
}

// MARK: - Summary

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
