import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Every `heft` subcommand on every file of the hostile corpus.
///
/// `tools/hostile-corpus` writes truncated, bit-flipped, zeroed, non-HDF5, crafted and oddly
/// named files with a manifest (see `tools/python/write_hostile_corpus.py`). Each subcommand runs on each file
/// as a real `heft` process and must:
/// - end by itself (no signal) within 10 s, with at most 512 MiB resident;
/// - exit with a code its manifest entry allows (0, 1 and 2 are the documented codes);
/// - on exit 2, print exactly one line on stderr, `heft: error: ` followed by a message naming the file;
/// - never print HDF5's diagnostic stack, nor the bytes of a file a hostile file points at;
/// - for `convert`: leave either an output that `heft dump` loads, or no output and no temp file; a
///   valid file whose layers' classes cannot be known may be refused (`cannot convert to …`, exit 2);
/// - for `run` (on a small float32 `.npy` input): exit 2 — a weights-only file has no architecture,
///   a model file wants another input shape — unless a valid model file happens to take it.
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
