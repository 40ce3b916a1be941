import Foundation
import HDF5
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// Heft's writer stores a SHA-256 per tensor and a manifest; loading and verifying catch bytes
/// that changed afterwards, which HDF5 itself never notices in unfiltered data.
@Suite struct IntegrityTests {
    @Test(arguments: ["w.h5", "w.weights.h5"])
    func savedFilesCarryADigestPerTensorAndAManifest(_ name: String) throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.build("shared_twice")
            try model.saveWeights(to: "\(dir)/\(name)")
            let file = try WeightFile(path: "\(dir)/\(name)")
            let manifest = try #require(try file.manifest())
            #expect(manifest.tensors == file.weights.count + file.topLevelWeights.count)
            for weight in file.weights {
                #expect(try file.storedDigest(of: weight) == (try file.sha256(of: weight)))
            }
            let report = try Verification.verify(file, options: .init())
            #expect(report.integrity == .init(status: .verified, checked: Verification.uniqueDatasets(file).count, manifest: true))
        }
    }

    @Test func kerasFilesHaveNoDigestsAndVerifyAsAbsent() throws {
        let file = try WeightFile(path: fixturesURL.appendingPathComponent("keras/keras3_mlp_model.weights.h5").path)
        #expect(try file.manifest() == nil)
        #expect(try Verification.verify(file, options: .init()).integrity.status == .absent)
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

    @Test func verifyNamesEveryTensorWhoseBytesChanged() throws {
        try withTemporaryDirectory { dir in
            try Zoo.build("seed_mlp").saveWeights(to: "\(dir)/w.h5")
            try flipDataByte(in: "\(dir)/w.h5", weight: 0)
            try flipDataByte(in: "\(dir)/w.h5", weight: 3)
            let file = try WeightFile(path: "\(dir)/w.h5")
            let report = try Verification.verify(file, options: .init())
            #expect(!report.ok)
            #expect(report.integrity.status == .failed)
            #expect(report.problems.map(\.path) == [file.weights[0].path, file.weights[3].path])
            #expect(report.problems.allSatisfy { $0.problem.hasPrefix("integrity: the bytes changed") })
        }
    }

    @Test func aManifestThatNoLongerMatchesThePathsFailsVerification() throws {
        try withTemporaryDirectory { dir in
            try Zoo.build("seed_mlp").saveWeights(to: "\(dir)/w.h5")
            do {
                let root = try File.open("\(dir)/w.h5", access: .readWrite).root
                let text = try root.readString(Integrity.manifestAttribute)
                try root.writeString(Integrity.manifestAttribute, text.replacingOccurrences(of: "\"tensors\":4", with: "\"tensors\":5"))
            }
            let report = try Verification.verify(try WeightFile(path: "\(dir)/w.h5"), options: .init())
            #expect(report.integrity.status == .failed)
            #expect(report.problems.map(\.problem) == ["integrity: the manifest lists 5 tensor path(s), the file has 4 "
                + "(tensors were added, removed, renamed or re-hashed after the file was written)"])
        }
    }

    @Test func digestsAreOfTheCanonicalBytes() throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.build("seed_mlp")
            try model.saveWeights(to: "\(dir)/w.h5")
            let file = try WeightFile(path: "\(dir)/w.h5")
            let kernel = model.getWeights()[0]
            let expected = kernel.withUnsafeBytes { Integrity.digest($0) }
            #expect(try file.storedDigest(of: file.weights[0]) == expected)
        }
    }
}
