import Foundation
import HDF5
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint
@testable import Inspection

/// `verify` checks the digest (XXH3-128, or SHA-256) per tensor and the manifest Heft's writer stores, and names every
/// tensor whose bytes changed.
@Suite struct VerifyIntegrityTests {
    @Test(arguments: ["w.h5", "w.weights.h5"])
    func savedFilesCarryADigestPerTensorAndAManifest(_ name: String) throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.build("shared_twice")
            try model.saveWeights(to: "\(dir)/\(name)")
            let file = try WeightFile(path: "\(dir)/\(name)")
            let manifest = try #require(try file.manifest())
            #expect(manifest.tensors == file.weights.count + file.topLevelWeights.count)
            for weight in file.weights {
                let expected = try file.read(weight).withUnsafeBytes { Integrity.digest($0, .xxh3) }
                #expect(try file.storedDigest(of: weight)?.description == expected)
            }
            let report = try Verification.verify(file, options: .init())
            #expect(report.integrity == .init(status: .verified, checked: Verification.uniqueDatasets(file).count, manifest: true))
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


    @Test func kerasFilesVerifyAsAbsent() throws {
        let file = try WeightFile(path: fixturesURL.appendingPathComponent("keras/keras3_mlp_model.weights.h5").path)
        #expect(try Verification.verify(file, options: .init()).integrity.status == .absent)
    }
}
