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

    // MARK: - convert and the Swift API

    /// `mpirun -np N heft convert … OUT.weights.json`: each rank writes the shards of its share,
    /// rank 0 the index; the set is the one-process set tensor for tensor (same manifest, so the
    /// same digests in the same order), verifies, reports as one process does, leaves no staging.
    @Test(arguments: [1, 2, 4])
    func convertWritesTheOneProcessSet(ranks: Int) throws {
        try withTemporaryDirectory { dir in
            let source = try files(in: dir)[0]
            let alone = try run(ranks: nil, ["convert", "--json", source, "\(dir)/one.weights.json", "--max-shard-size", "200KB"])
            let together = try run(ranks: ranks, ["convert", "--json", source, "\(dir)/many.weights.json", "--max-shard-size", "200KB"])
            #expect(alone.code == 0 && together.code == 0, "\(together.stderr)")
            #expect(together.stdout == alone.stdout.replacingOccurrences(of: "one.weights.json", with: "many.weights.json"))
            let (one, many) = (try WeightFile(path: "\(dir)/one.weights.json"), try WeightFile(path: "\(dir)/many.weights.json"))
            #expect(try many.container.manifestText() == one.container.manifestText())
            let diff = try run(ranks: nil, ["diff", "\(dir)/one.weights.json", "\(dir)/many.weights.json"])
            #expect(diff.code == 0 && diff.stdout.contains("none differ"), "\(diff.stdout)")
            #expect(try run(ranks: nil, ["verify", "\(dir)/many.weights.json"]).code == 0)
            let shards = Set(many.allWeights.compactMap(\.storageFile))
            #expect(shards.count >= min(ranks, 2))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.hasPrefix(".") }, "staging left behind")
        }
    }

    /// `mpirun -np N heft convert … OUT.weights.h5` (or `.h5`): rank 0 lays the file out, each rank
    /// writes its tensors' bytes into it, rank 0 stores the digests and commits: the file is the
    /// one-process file tensor for tensor, with the same structure (`dump --json`) and manifest.
    @Test(arguments: [2, 4])
    func convertWritesTheOneProcessFile(ranks: Int) throws {
        try withTemporaryDirectory { dir in
            let source = try files(in: dir)[1]
            for suffix in [".weights.h5", ".h5"] {
                let (one, many) = ("\(dir)/one\(suffix)", "\(dir)/many\(suffix)")
                let alone = try run(ranks: nil, ["convert", "--json", source, one])
                let together = try run(ranks: ranks, ["convert", "--json", source, many])
                #expect(alone.code == 0 && together.code == 0, "\(together.stderr)")
                #expect(together.stdout == alone.stdout.replacingOccurrences(of: one, with: many))
                let dumps = try [one, many].map { try run(ranks: nil, ["dump", "--json", "--hash", $0]).stdout }
                #expect(!dumps[0].isEmpty && dumps[1] == dumps[0].replacingOccurrences(of: one, with: many), "\(suffix)")
                #expect(try WeightFile(path: many).container.manifestText() == WeightFile(path: one).container.manifestText())
                #expect(try run(ranks: nil, ["verify", many]).code == 0)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.hasPrefix(".") }, "temporary left behind")
        }
    }

    /// A tensor changed since Heft wrote the source fails the rank that copies it: exit 2, one
    /// message naming the rank and the tensor, no set written and no staging left.
    @Test func aConvertThatFailsOnARankWritesNothing() throws {
        try withTemporaryDirectory { dir in
            let bad = try files(in: dir)[2]
            let changed = try WeightFile(path: bad).weights[12].path
            for output in ["out.weights.json", "out.weights.h5"] {
                let run = try run(ranks: 3, ["convert", bad, "\(dir)/\(output)"] + (output.hasSuffix(".json") ? ["--max-shard-size", "200KB"] : []))
                #expect(run.code == 2)
                let messages = run.stderr.split(separator: "\n").filter { $0.hasPrefix("heft: error:") }
                #expect(messages.count == 1 && messages[0].hasPrefix("heft: error: rank ") && messages[0].contains(changed), "\(run.stderr)")
                #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("out") || $0.hasPrefix(".out") }.isEmpty)
            }
        }
    }

    /// `Model.saveWeights(to:communicator:)` with every rank holding only the weights it owns (the
    /// others NaN) writes the model a one-process save writes; `loadWeights(from:communicator:)`
    /// gives each rank exactly its weights.
    @Test(arguments: [1, 2, 4], ["m.weights.json", "m.weights.h5", "m.h5"])
    func theSwiftAPISavesAndLoadsByRank(ranks: Int, file: String) throws {
        let check = try #require(ProcessInfo.processInfo.environment["HEFT_MPI_CHECK"], "needs HEFT_MPI_CHECK (run tools/test)")
        try withTemporaryDirectory { dir in
            let referencePath = "\(dir)/reference" + (file.hasSuffix(".h5") && !file.hasSuffix(".weights.h5") ? ".h5" : ".weights.h5")
            #expect(try runProcess(check, ["reference", referencePath]).code == 0)
            let save = try runMPI(ranks: ranks, check, ["save", "\(dir)/\(file)"])
            #expect(save.code == 0, "\(save.stderr)")
            let (reference, saved) = (try WeightFile(path: referencePath), try WeightFile(path: "\(dir)/\(file)"))
            #expect(saved.allWeights.count == reference.allWeights.count)
            for (a, b) in zip(reference.allWeights, saved.allWeights) {
                let (expected, found) = (try reference.read(a), try saved.read(b))
                #expect(a.path == b.path && expected == found, "\(b.path)")
            }
            try saved.checkTensors()
            let load = try runMPI(ranks: ranks, check, ["load", "\(dir)/\(file)"])
            #expect(load.code == 0, "\(load.stderr)")
            let verdicts = try #require(try JSONSerialization.jsonObject(with: Data(load.stdout.utf8)) as? [[String: Any]])
            #expect(verdicts.count == ranks && verdicts.allSatisfy { $0["right"] as? Bool == true && $0["assigned"] as? Int == $0["owned"] as? Int })
            #expect(verdicts.compactMap { $0["owned"] as? Int }.reduce(0, +) == reference.allWeights.count)
        }
    }

    /// A rank that cannot save (its model is not built) gets its own error; every other rank gets
    /// one naming it, with the path said once; nothing is written.
    @Test func aRankThatCannotSaveIsNamedOnEveryRank() throws {
        let check = try #require(ProcessInfo.processInfo.environment["HEFT_MPI_CHECK"], "needs HEFT_MPI_CHECK (run tools/test)")
        try withTemporaryDirectory { dir in
            let path = "\(dir)/m.weights.json"
            let run = try runMPI(ranks: 3, check, ["unbuilt", path, "1"])
            #expect(run.code == 0, "\(run.stderr)")
            let messages = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String])
            #expect(messages.count == 3)
            #expect(messages[1].hasPrefix("\(path): model ") && messages[1].contains("is not built"), "\(messages)")
            for other in [messages[0], messages[2]] {
                #expect(other.hasPrefix("\(path): rank 1: model ") && other.components(separatedBy: path).count == 2, "\(other)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        }
    }
}
