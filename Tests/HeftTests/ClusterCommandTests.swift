import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// `heft` under `mpirun -np N`: `verify` splits the tensors over the ranks and rank 0 prints the
/// one report; the other subcommands run on rank 0 alone. Either way the same bytes, and the same
/// exit code, as one process. Needs `heft` built with the MPI trait: `tools/test` builds it and
/// sets `HEFT_MPI_BINARY`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["HEFT_MPI_BINARY"] != nil, "needs HEFT_MPI_BINARY (run tools/test)"))
struct ClusterCommandTests {
    private let binary = ProcessInfo.processInfo.environment["HEFT_MPI_BINARY"] ?? ""

    private func run(ranks: Int?, _ arguments: [String]) throws -> ProcessResult {
        guard let ranks else { return try runProcess(binary, arguments) }
        return try runMPI(ranks: ranks, binary, arguments)
    }

    /// Twelve layers of unequal sizes (so a split by bytes differs from a split by count), saved
    /// whole, sharded, and whole with one changed byte.
    private func files(in dir: String) throws -> [String] {
        let widths = [64, 512, 8, 300, 16, 16, 1024, 4, 32, 200, 8, 64, 2]
        let model = try Sequential((1..<widths.count).map { Dense(widths[$0], inputShape: $0 == 1 ? [widths[0]] : nil, name: "d\($0)") })
        try model.setWeights(model.weights.enumerated().map { .randomUniform($1.shape, minval: -1, maxval: 1, seed: UInt64($0)) })
        try model.saveWeights(to: "\(dir)/m.weights.h5")
        try model.saveWeights(to: "\(dir)/s.weights.json", maxShardSize: 200_000)
        try model.saveWeights(to: "\(dir)/bad.weights.h5")
        try flipDataByte(in: "\(dir)/bad.weights.h5", weight: 12, byte: 5)
        return ["\(dir)/m.weights.h5", "\(dir)/s.weights.json", "\(dir)/bad.weights.h5"]
    }

    @Test(arguments: [1, 2, 4])
    func theReportIsTheOneProcessReport(ranks: Int) throws {
        try withTemporaryDirectory { dir in
            for file in try files(in: dir) {
                for options in [["--json"], ["--json", "--auto", "--digest", "sha256"], []] {
                    let alone = try run(ranks: nil, ["verify"] + options + [file])
                    let together = try run(ranks: ranks, ["verify"] + options + [file])
                    #expect(together.stdout == alone.stdout, "\(file) \(options) on \(ranks) ranks")
                    #expect(together.code == alone.code, "\(file) \(options) on \(ranks) ranks: \(together.stderr)")
                    #expect(alone.code == (file.hasSuffix("bad.weights.h5") ? 1 : 0), "\(alone.stdout)")
                }
            }
        }
    }

    /// The changed byte is found by whichever rank reads that tensor, and named by path.
    @Test func theChangedTensorIsNamed() throws {
        try withTemporaryDirectory { dir in
            let bad = try files(in: dir)[2]
            let changed = try WeightFile(path: bad).weights[12].path
            for ranks in [2, 4] {
                let run = try run(ranks: ranks, ["verify", "--json", bad])
                let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
                let problems = try #require(document["problems"] as? [[String: Any]])
                #expect(problems.contains { $0["path"] as? String == changed && ($0["problem"] as? String)?.hasPrefix("integrity:") == true },
                        "\(problems)")
                #expect(run.code == 1)
            }
        }
    }

    /// `dump --stats`/`--hash` and `diff` split the tensors like `verify` (a diff by pairs, with its
    /// largest differences crossing processes); plain `dump` and the other subcommands run on rank
    /// 0 alone. Each prints once, what one process prints, and every rank ends with its code.
    @Test func dumpAndDiffPrintWhatOneProcessPrints() throws {
        try withTemporaryDirectory { dir in
            let all = try files(in: dir)
            let (good, sharded, bad) = (all[0], all[1], all[2])
            let runs = [["dump", "--stats", "--json", good], ["dump", "--hash", "--stats", sharded], ["dump", "--hash", "--json", "--layer", "d1*", bad],
                        ["dump", good], ["diff", "--json", "--top", "3", good, bad], ["diff", "--atol", "1e-3", bad, good], ["diff", good, sharded]]
            for arguments in runs {
                let alone = try run(ranks: nil, arguments)
                let together = try run(ranks: 3, arguments)
                #expect(together.stdout == alone.stdout && !alone.stdout.isEmpty, "\(arguments)")
                #expect(together.code == alone.code, "\(arguments): \(together.stderr)")
            }
        }
    }

    /// A file no rank can read: exit 2 and one `heft: error:` line, from rank 0, naming the rank.
    @Test func aFailureIsOneMessageAndExitTwo() throws {
        try withTemporaryDirectory { dir in
            let run = try run(ranks: 2, ["verify", "\(dir)/missing.weights.h5"])
            #expect(run.code == 2)
            let messages = run.stderr.split(separator: "\n").filter { $0.hasPrefix("heft: error:") }
            #expect(messages.count == 1 && messages[0].hasPrefix("heft: error: rank 0: ") && messages[0].contains("missing.weights.h5"), "\(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
    }
}
