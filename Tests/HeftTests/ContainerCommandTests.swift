import Foundation
import Testing
import TestSupport
@testable import Checkpoint

/// Every subcommand across `.keras` archives, sharded sets and safetensors files, as a user runs it.
@Suite struct ContainerCommandTests {
    static let folder = fixturesURL.appendingPathComponent("containers").path

    func container(_ name: String) -> String { "\(Self.folder)/\(name)" }

    /// One model in three containers diffs equal by identity, in any pairing.
    @Test(arguments: ["attention", "recurrent", "trained_adam"])
    func oneModelInEveryContainerDiffsEqual(_ family: String) throws {
        let files = [container("keras3_\(family).keras"), container("keras3_\(family).weights.json"),
                     fixturesURL.appendingPathComponent("world/keras3_\(family).weights.h5").path]
        for a in files {
            for b in files where a != b {
                let run = try heft("diff", a, b)
                #expect(run.code == 0 && run.stdout.contains("equal:"), "\(a) vs \(b): \(run.stdout)\(run.stderr)")
            }
        }
    }

    @Test func dumpNamesTheContainerAndTheLayout() throws {
        for (file, format) in [("keras3_conv2d.keras", "keras-archive"), ("keras3_conv2d.weights.json", "keras-v3-sharded"),
                               ("keras3_conv2d.safetensors", "safetensors")] {
            let run = try heft("dump", "--json", container(file))
            let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            #expect(run.code == 0 && document["format"] as? String == format && document["layout"] as? String == "keras-v3", "\(file)")
        }
        let sharded = try heft("dump", "--json", container("keras3_conv2d.weights.json"))
        #expect(sharded.stdout.contains(#""file":"keras3_conv2d_00001.weights.h5""#))
    }

    /// `convert` writes the container OUT's name gives; each output verifies, diffs equal to the
    /// source and, as a source again, converts back.
    @Test func convertWritesEveryContainer() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let source = fixturesURL.appendingPathComponent("world/keras3_recurrent.weights.h5").path
            let outputs = [
                ["convert", "--like", container("keras3_recurrent.keras"), source, "\(dir)/m.keras"],
                ["convert", "--max-shard-size", "300B", source, "\(dir)/m.weights.json"],
                ["convert", "--to", "safetensors", source, "\(dir)/m.safetensors"],
            ]
            for arguments in outputs {
                let run = try heft(arguments)
                let output = arguments.last!
                #expect(run.code == 0, "\(arguments): \(run.stderr)")
                #expect(try heft("verify", output).code == 0 && heft("diff", source, output).code == 0, "\(output)")
                #expect(try heft("convert", output, "\(dir)/back.weights.h5").code == 0, "\(output)")
            }
            let shards = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("m_") }
            #expect(shards.count > 1)
        }
    }

    @Test(arguments: [
        (["--to", "safetensors"], "out.weights.h5"),
        (["--to", "keras-archive"], "out.h5"),
        (["--max-shard-size", "64MB"], "out.weights.h5"),
        (["--max-shard-size", "lots"], "out.weights.json"),
        (["--max-shard-size", "0MB"], "out.weights.json"),
    ])
    func containerOptionsThatDisagreeAreUsageErrors(_ options: [String], _ output: String) throws {
        try withTemporaryDirectory { (dir: String) throws in
            let source = fixturesURL.appendingPathComponent("world/keras3_conv2d.weights.h5").path
            let run = try heft(["convert"] + options + [source, "\(dir)/\(output)"])
            #expect(run.code == 64, "\(options): \(run.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        }
    }

    /// A problem in one shard names the shard, in `verify` and in the JSON report.
    @Test func verifyNamesTheShardOfAChangedTensor() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let source = fixturesURL.appendingPathComponent("world/keras3_conv2d.weights.h5").path
            #expect(try heft("convert", "--max-shard-size", "1KB", source, "\(dir)/m.weights.json").code == 0)
            let last = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("m_") }.max())
            #expect(try heft("dump", "--json", "\(dir)/m.weights.json").stdout.contains(last))
            // The first byte of a tensor in the last shard, changed where it lies: it no longer
            // matches the digest Heft stored beside it.
            let weight = try #require(try WeightFile(path: "\(dir)/m.weights.json").allWeights.first { $0.storageFile == last })
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: "\(dir)/\(last)"))
            let offset = try #require(weight.dataOffset)
            try handle.seek(toOffset: offset)
            let byte = try #require(try handle.read(upToCount: 1))
            try handle.seek(toOffset: offset)
            try handle.write(contentsOf: Data([byte[0] ^ 0x40]))
            try handle.close()
            let run = try heft("verify", "\(dir)/m.weights.json")
            #expect(run.code == 1 && run.stdout.contains("(in \(last))"), "\(run.stdout)\(run.stderr)")
        }
    }
}
