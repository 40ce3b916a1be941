import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// Silent corruption of files Heft wrote: HDF5 checks nothing in unfiltered data, Heft's digests
/// and manifest must. Seeded byte flips anywhere in such a file either fail `heft verify` or leave
/// every value as written; never a changed value with a passing verify.
@Suite struct IntegrityCommandTests {
    /// A Heft-written legacy file of a few Dense layers with random weights, and its data extents.
    func makeFile(_ path: String) throws -> [Range<Int>] {
        let model = try Sequential([Dense(64, inputShape: [32], name: "dense"), Dense(64, name: "dense_1"), Dense(10, name: "dense_2")])
        try model.setWeights(model.weights.enumerated().map { .randomUniform($1.shape, minval: -1, maxval: 1, seed: UInt64($0)) })
        try model.saveWeights(to: path)
        let file = try WeightFile(path: path)
        return try file.weights.map { weight in
            let offset = Int(try #require(weight.dataOffset))
            return offset..<(offset + weight.count * weight.dtype.byteCount)
        }
    }

    func flipped(_ original: Data, at offset: Int, mask: UInt8, into path: String) throws {
        var copy = original
        copy[offset] ^= mask
        try copy.write(to: URL(fileURLWithPath: path))
    }

    @Test func everyFlippedDataByteFailsVerifyNamingTheTensor() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let extents = try makeFile("\(dir)/w.h5")
            let original = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/w.h5"))
            var generator = SeededGenerator(seed: 6)
            for trial in 0..<40 {
                let extent = extents[trial % extents.count]
                try flipped(original, at: Int.random(in: extent, using: &generator), mask: 1 << UInt8(trial % 8), into: "\(dir)/f.h5")
                let run = try heft("verify", "\(dir)/f.h5")
                let path = try WeightFile(path: "\(dir)/w.h5").weights[trial % extents.count].path
                #expect(run.code == 1, "trial \(trial)")
                #expect(run.stdout.contains("\(path): integrity: the bytes changed after the file was written"), "trial \(trial)")
            }
        }
    }

    @Test func flipsAnywhereNeverPassVerifyWithChangedValues() throws {
        try withTemporaryDirectory { (dir: String) throws in
            _ = try makeFile("\(dir)/w.h5")
            let original = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/w.h5"))
            var generator = SeededGenerator(seed: 7)
            var endings: [Int32: Int] = [:]
            for _ in 0..<120 {
                try flipped(original, at: Int.random(in: 0..<original.count, using: &generator),
                            mask: UInt8.random(in: 1...255, using: &generator), into: "\(dir)/f.h5")
                let verify = try heft("verify", "\(dir)/f.h5")
                #expect([0, 1, 2].contains(verify.code))
                endings[verify.code, default: 0] += 1
                if verify.code == 0 {
                    let diff = try heft("diff", "\(dir)/w.h5", "\(dir)/f.h5")
                    #expect(diff.code == 0, "verify passed but the values changed:\n\(diff.stdout)")
                }
            }
            print("IntegrityCommand: 120 random flips in a Heft file: verify exit 0 (unchanged values) \(endings[0] ?? 0), "
                  + "exit 1 (integrity) \(endings[1] ?? 0), exit 2 (unreadable) \(endings[2] ?? 0)")
        }
    }

    /// A conversion must not launder a changed tensor into a file whose fresh digests verify: the
    /// source's digests are checked on the bytes written, and the output is never created.
    @Test(arguments: ["out.h5", "out.weights.h5"])
    func convertRefusesASourceWhoseBytesChanged(_ output: String) throws {
        try withTemporaryDirectory { (dir: String) throws in
            let extents = try makeFile("\(dir)/w.h5")
            let original = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/w.h5"))
            try flipped(original, at: extents[1].lowerBound + 3, mask: 0x04, into: "\(dir)/f.h5")
            let run = try heft("convert", "\(dir)/f.h5", "\(dir)/\(output)")
            let path = try WeightFile(path: "\(dir)/w.h5").weights[1].path
            #expect(run.code == 2)
            #expect(run.stderr.contains("f.h5: \(path): integrity check failed"), "\(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/\(output)"))
            #expect(try heft("convert", "\(dir)/w.h5", "\(dir)/\(output)").code == 0)
            #expect(try heft("verify", "\(dir)/\(output)").code == 0)
        }
    }

    /// `convert --digest sha256` stores SHA-256 (checked like XXH3 by every command), and `verify
    /// --digest sha256` reports each tensor's SHA-256 — equal to `dump --hash`'s — whatever the
    /// file stores.
    @Test func digestChoices() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let source = fixturesURL.appendingPathComponent("world/keras3_conv2d.weights.h5").path
            #expect(try heft("convert", source, "\(dir)/x.weights.h5").code == 0)
            #expect(try heft("convert", source, "\(dir)/s.weights.h5", "--digest", "sha256").code == 0)
            let xxh3 = try WeightFile(path: "\(dir)/x.weights.h5"), sha = try WeightFile(path: "\(dir)/s.weights.h5")
            #expect(try xxh3.storedDigest(of: xxh3.weights[0])?.algorithm == .xxh3)
            #expect(try sha.storedDigest(of: sha.weights[0])?.algorithm == .sha256)
            for path in ["\(dir)/x.weights.h5", "\(dir)/s.weights.h5"] {
                let verify = try heft("verify", path, "--digest", "sha256", "--json")
                #expect(verify.code == 0)
                let digests = try #require(try verify.json()["sha256"] as? [String: String])
                let dump = try heft("dump", path, "--hash", "--json").json()
                let layers = try #require(dump["layers"] as? [[String: Any]])
                let hashes = layers.flatMap { ($0["weights"] as? [[String: Any]]) ?? [] }
                    .map { ($0["path"] as? String ?? "", $0["sha256"] as? String ?? "") }
                #expect(!hashes.isEmpty && hashes.allSatisfy { digests[$0.0] == $0.1 }, "\(path)")
            }
            try flipDataByte(in: "\(dir)/s.weights.h5", weight: 0)
            let changed = try heft("verify", "\(dir)/s.weights.h5", "--color", "never")
            #expect(changed.code == 1 && changed.stdout.contains("sha256 stored"), "\(changed.stdout)")
            #expect(try heft("verify", "\(dir)/x.weights.h5", "--digest", "xxh3-128").code == 64)
        }
    }
}
