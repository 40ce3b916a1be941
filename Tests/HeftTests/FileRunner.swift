import Foundation
import Testing
import TestSupport
@testable import Checkpoint
#if canImport(Glibc)
import Glibc
#endif

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
            let input = "\(folder)/x.npy"
            if subcommand == .run { try NPYFile.write(.zeros([1, 4]), to: input) }   // a small float32 batch
            let arguments = subcommand.arguments(file: file, good: corpus.path(entry.good), output: output, input: input)
            // A tight memory bound needs heft's own peak, which a direct spawn cannot tell.
            let timeout = entry.timeoutSeconds ?? Self.timeout
            let run = entry.maxResidentMiB == nil
                ? try BoundedProcess.run(heftBinary.path, arguments, timeout: timeout, scratch: folder)
                : try BoundedProcess.runMeasuringPeak(heftBinary.path, arguments, timeout: timeout, scratch: folder)
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
            problems.append("did not finish within \(Int(entry.timeoutSeconds ?? Self.timeout)) s (killed)")
        case .signalled(let signal):
            problems.append("killed by signal \(signal) (\(String(cString: strsignal(signal)))); stderr: \(excerpt(run.stderr))")
        case .exited(let code):
            let allowed = entry.allowedCodes(subcommand, runningAsRoot: runningAsRoot)
            // A valid file whose layers' classes it does not record cannot change layout: convert refuses it.
            let refusedConversion = subcommand == .convert && code == 2 && run.stderr.contains(": cannot convert to ")
            if !allowed.contains(code) && !refusedConversion {
                problems.append("exit \(code), expected \(allowed.sorted()) for a '\(entry.expect.rawValue)' file (\(entry.description)); "
                                + "stderr: \(excerpt(run.stderr))")
            }
            if code == 2 { problems += errorLineProblems(run.stderr) }
        }
        let memoryLimit = entry.maxResidentMiB.map { $0 << 20 } ?? Self.memoryLimit
        if run.maxResidentBytes > memoryLimit {
            problems.append("max RSS \(run.maxResidentBytes >> 20) MiB > \(memoryLimit >> 20) MiB")
        }
        let raw = (run.stdout + run.stderr).unicodeScalars.filter { $0 != "\n" && SafeText.isUnsafe($0) }
        if !raw.isEmpty {
            problems.append("printed raw control characters \(Set(raw.map { String(format: "U+%04X", $0.value) }).sorted())")
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
