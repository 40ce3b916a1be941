import Foundation
import HDF5
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// Heft's writer stores a digest per tensor (XXH3-128 by default, SHA-256 when asked) and a manifest; loading and verifying catch bytes
/// that changed afterwards, which HDF5 itself never notices in unfiltered data.
@Suite struct IntegrityTests {
    @Test func kerasFilesHaveNoDigests() throws {
        let file = try WeightFile(path: fixturesURL.appendingPathComponent("keras/keras3_mlp_model.weights.h5").path)
        #expect(try file.manifest() == nil)
        #expect(try file.weights.allSatisfy { try file.storedDigest(of: $0) == nil })
    }

    @Test func aFlippedDataByteFailsTheLoadAndLeavesTheModelUnchanged() throws {
        try withTemporaryDirectory { dir in
            let saved = try Zoo.build("seed_mlp")
            try saved.saveWeights(to: "\(dir)/w.h5")
            try flipDataByte(in: "\(dir)/w.h5", weight: 0)
            let model = try Zoo.build("seed_mlp")
            let before = model.getWeights()
            #expect { try model.loadWeights(from: "\(dir)/w.h5") } throws: { error in
                guard case let .integrity(path, _)? = (error as? CheckpointError)?.reason else { return false }
                return path == (try? WeightFile(path: "\(dir)/w.h5").weights[0].path)
            }
            #expect(model.getWeights() == before)

            var options = LoadOptions()
            options.verifyIntegrity = false
            let report = try model.loadWeights(from: "\(dir)/w.h5", options: options)
            #expect(report.verifiedDigests == 0)
            #expect(model.getWeights()[0] != saved.getWeights()[0])
            #expect(Array(model.getWeights().dropFirst()) == Array(saved.getWeights().dropFirst()))
        }
    }

    @Test func aCleanLoadReportsEveryTensorVerified() throws {
        try withTemporaryDirectory { dir in
            let saved = try Zoo.build("seed_mlp")
            try saved.saveWeights(to: "\(dir)/w.weights.h5")
            let model = try Zoo.build("seed_mlp")
            let report = try model.loadWeights(from: "\(dir)/w.weights.h5")
            #expect(report.verifiedDigests == saved.getWeights().count)
            #expect(model.getWeights() == saved.getWeights())
        }
    }

    @Test func digestsAreOfTheCanonicalBytes() throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.build("seed_mlp")
            try model.saveWeights(to: "\(dir)/w.h5")
            let file = try WeightFile(path: "\(dir)/w.h5")
            let kernel = model.getWeights()[0]
            let expected = kernel.withUnsafeBytes { Integrity.digest($0, .xxh3) }
            #expect(try file.storedDigest(of: file.weights[0])?.description == expected)
            #expect(expected.hasPrefix("xxh3-128:") && expected.count == 9 + 32)
        }
    }

    /// XXH3-128 as xxHash defines it (the empty input's published value), in the canonical
    /// big-endian form `xxhsum -H2` prints; SHA-256 likewise.
    @Test func digestsFollowTheirSpecifications() {
        #expect(Integrity.digest(UnsafeRawBufferPointer(start: nil, count: 0), .xxh3) == "xxh3-128:99aa06d3014798d86001c324468d497f")
        #expect(Integrity.digest(UnsafeRawBufferPointer(start: nil, count: 0), .sha256)
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest(text: "xxh3-128:99aa06d3014798d86001c324468d497f")?.algorithm == .xxh3)
        #expect(Digest(text: String(repeating: "a", count: 64))?.algorithm == .sha256)
        for bad in ["xxh3-128:99AA06D3014798D86001C324468D497F", "xxh3-128:99aa", String(repeating: "a", count: 63), "md5:00"] {
            #expect(Digest(text: bad) == nil, "\(bad)")
        }
    }

    /// SHA-256 stored when asked, and files of Heft 0.1 (SHA-256 in a `sha256` attribute, a
    /// manifest without a writer) are read and checked as before: a changed byte is caught.
    @Test func sha256DigestsStayChecked() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let model = try Zoo.build("seed_mlp")
            try model.saveWeights(to: "\(dir)/asked.h5", digest: .sha256)
            let asked = try WeightFile(path: "\(dir)/asked.h5")
            #expect(try asked.storedDigest(of: asked.weights[0])?.algorithm == .sha256)
            #expect(try asked.manifest()?.algorithm == "sha256")
            #expect(try Zoo.build("seed_mlp").loadWeights(from: "\(dir)/asked.h5").verifiedDigests == asked.weights.count)

            // A Heft 0.1 file: the same digests under the old attribute name.
            try model.saveWeights(to: "\(dir)/old.h5", digest: .sha256)
            do {
                let file = try File.open("\(dir)/old.h5", access: .readWrite)
                for weight in try WeightFile(path: "\(dir)/asked.h5").weights {
                    let dataset = try file.root.dataset(String(weight.path.dropFirst()))
                    let digest = try dataset.readString(Integrity.digestAttribute)
                    try dataset.deleteAttribute(Integrity.digestAttribute)
                    try dataset.writeString(Integrity.legacyDigestAttribute, digest)
                }
            }
            #expect(try Zoo.build("seed_mlp").loadWeights(from: "\(dir)/old.h5").verifiedDigests == asked.weights.count)
            try flipDataByte(in: "\(dir)/old.h5", weight: 1)
            #expect { try Zoo.build("seed_mlp").loadWeights(from: "\(dir)/old.h5") } throws: { error in
                "\(error)".contains("sha256 stored")
            }
        }
    }
}
