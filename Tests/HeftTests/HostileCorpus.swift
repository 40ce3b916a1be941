import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// One file of the corpus, as `tools/python/write_hostile_corpus.py` lists it in `manifest.json`.
struct CorpusEntry: Decodable, Sendable {
    /// How a file must be treated; see the module comment of `tools/python/write_hostile_corpus.py`.
    enum Expectation: String, Decodable, Sendable {
        case valid, plain, refuse, badValues = "bad-values", unchecked, unreadable, tampered
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
    /// A tighter bound than ``FileRunner/memoryLimit`` on every run's peak RSS, in MiB.
    let maxResidentMiB: Int?
    /// A longer bound than ``FileRunner/timeout`` on every run, in seconds, for a file whose size
    /// is the point (the description says what a release build takes).
    let timeoutSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case name, category, description, expect, good, forbidden
        case diffGood = "diff_good"
        case maxResidentMiB = "max_rss_mib"
        case timeoutSeconds = "timeout_s"
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
        case .valid: subcommand == .diffGood ? [0, 1] : subcommand == .run ? [0, 2] : [0]
        case .plain: subcommand.isDump ? [0] : [2]
        case .refuse: subcommand.refusalCodes
        case .badValues: subcommand.readsValues ? subcommand.refusalCodes : [0, 2]
        case .unchecked: [0, 1, 2]
        case .unreadable: (runningAsRoot ? Self.valid : Self.refuse).allowedCodes(subcommand, runningAsRoot: runningAsRoot)
        case .tampered:
            switch subcommand {
            case .verify, .verifyJSON: [1]
            case .convert, .run: [2]
            case .diffGood: [0, 1]
            default: [0]
            }
        }
    }
}

/// The subcommand lines run on every file.
enum Subcommand: CaseIterable, Sendable {
    case dump, dumpStatsHash, dumpJSON, diffSelf, diffGood, verify, verifyJSON, convert, run

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
        case .run: "run"
        }
    }

    /// The command line for `file`, `good` (a sound file), `output` (for convert) and `input`
    /// (an `.npy` array, for run).
    func arguments(file: String, good: String, output: String, input: String) -> [String] {
        switch self {
        case .dump: ["dump", file]
        case .dumpStatsHash: ["dump", "--stats", "--hash", file]
        case .dumpJSON: ["dump", "--json", file]
        case .diffSelf: ["diff", file, file]
        case .diffGood: ["diff", good, file]
        case .verify: ["verify", file]
        case .verifyJSON: ["verify", "--json", file]
        case .convert: ["convert", file, output]
        case .run: ["run", file, "--input", input]
        }
    }

    var isDump: Bool { self == .dump || self == .dumpStatsHash || self == .dumpJSON }

    /// Whether the subcommand reads tensor values (a plain listing does not).
    var readsValues: Bool { self != .dump && self != .dumpJSON }

    /// How the subcommand refuses a bad file: 2, or 1 where a failed check is also an answer.
    var refusalCodes: Set<Int32> {
        switch self {
        case .dump, .dumpStatsHash, .dumpJSON, .convert, .run: [2]
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

    static let generator = fixturesURL.deletingLastPathComponent().appendingPathComponent("tools/hostile-corpus").path

    /// Runs `tools/hostile-corpus` into `directory` with the pinned venv's `python`.
    static func generate(in directory: String, python: String) throws -> HostileCorpus {
        let scratch = directory + ".log"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let run = try BoundedProcess.run(generator, [directory], timeout: 120, scratch: scratch,
                                         environment: ["HEFT_PYTHON": python])
        guard run.ending == .exited(0) else {
            throw CorpusError("tools/hostile-corpus \(run.ending): \(run.stderr.suffix(2000))")
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
