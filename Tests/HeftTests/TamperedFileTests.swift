import Foundation
import HDF5
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// A Heft file changed after it was written fails `verify` and is refused by `convert` (exit 2,
/// naming the tensor or the manifest), so no tampered file is re-signed under fresh digests.
@Suite struct TamperedFileTests {
    enum Tamper: String, CaseIterable, CustomStringConvertible {
        /// A value changed and its tensor's digest recomputed: the manifest is stale.
        case rehashed
        /// Two same-shape tensors swapped between layers, digests and all.
        case swapped
        /// A tensor renamed.
        case renamed
        /// A tensor added (without a digest).
        case added
        /// The manifest removed.
        case manifestRemoved
        /// One tensor's digest removed.
        case digestRemoved

        var description: String { rawValue }
    }

    /// A Heft file of two Dense(4) layers with automatic names (so it could change layout).
    func makeFile(_ path: String) throws {
        let model = try withNamingSession { try Sequential([Dense(4, inputShape: [4]), Dense(4)]) }
        try model.setWeights(model.weights.enumerated().map { .randomUniform($1.shape, minval: -1, maxval: 1, seed: UInt64($0)) })
        try model.saveWeights(to: path)
    }

    func apply(_ tamper: Tamper, to path: String) throws {
        let root = try HDF5.File.open(path, access: .readWrite).root
        let kernel = try root.dataset("dense/dense/kernel:0"), other = try root.dataset("dense_1/dense_1/kernel:0")
        switch tamper {
        case .rehashed:
            let values = [Float](repeating: 0.5, count: 16)
            try kernel.write(values)
            try kernel.writeString(Integrity.digestAttribute, values.withUnsafeBytes { Integrity.digest($0, .xxh3) })
        case .swapped:
            let (a, b) = (try kernel.read(as: Float.self), try other.read(as: Float.self))
            let (digestA, digestB) = (try kernel.readString(Integrity.digestAttribute), try other.readString(Integrity.digestAttribute))
            try kernel.write(b)
            try other.write(a)
            try kernel.writeString(Integrity.digestAttribute, digestB)
            try other.writeString(Integrity.digestAttribute, digestA)
        case .renamed:
            try root.moveLink("dense/dense/kernel:0", to: "dense/dense/weights:0")
            try root.group("dense").writeStrings("weight_names", ["dense/weights:0", "dense/bias:0"], storage: .variableLength(.ascii))
        case .added:
            try root.createDataset("dense/dense/extra:0", type: .float32, shape: [2]).write([1, 2] as [Float])
            try root.group("dense").writeStrings("weight_names", ["dense/kernel:0", "dense/bias:0", "dense/extra:0"],
                                                 storage: .variableLength(.ascii))
        case .manifestRemoved:
            try root.deleteAttribute(Integrity.manifestAttribute)
        case .digestRemoved:
            try kernel.deleteAttribute(Integrity.digestAttribute)
        }
    }

    @Test(arguments: Tamper.allCases)
    func verifyFailsAndConvertRefuses(_ tamper: Tamper) throws {
        try withTemporaryDirectory { (dir: String) throws in
            let path = "\(dir)/w.h5"
            try makeFile(path)
            try apply(tamper, to: path)
            #expect(try heft("verify", path).code == 1, "verify after \(tamper)")
            for output in ["out.h5", "out.weights.h5"] {
                let run = try heft("convert", path, "\(dir)/\(output)")
                #expect(run.code == 2 && run.stderr.hasPrefix("heft: error: \(path): /") && run.stderr.contains("integrity check failed"),
                        "\(tamper) → \(output): \(run.stderr)")
                #expect(!FileManager.default.fileExists(atPath: "\(dir)/\(output)"))
            }
        }
    }

    /// A file stripped of every digest and its manifest, then edited, cannot be checked: verify says
    /// so plainly (and passes, having nothing to compare with), and convert treats it as Keras's.
    @Test func aFileWithoutDigestsSaysNothingWasChecked() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let path = "\(dir)/w.h5"
            try makeFile(path)
            do {
                let root = try HDF5.File.open(path, access: .readWrite).root
                try root.deleteAttribute(Integrity.manifestAttribute)
                for name in ["dense/dense/kernel:0", "dense/dense/bias:0", "dense_1/dense_1/kernel:0", "dense_1/dense_1/bias:0"] {
                    try root.dataset(name).deleteAttribute(Integrity.digestAttribute)
                }
                try root.dataset("dense/dense/kernel:0").write([Float](repeating: 9, count: 16))
            }
            let run = try heft("verify", path)
            #expect(run.code == 0 && run.stdout.contains("integrity: NOT CHECKED: the file carries no digests"), "\(run.stdout)")
            #expect(try heft("verify", "--json", path).json()["integrity"].flatMap { ($0 as? [String: Any])?["status"] as? String } == "absent")
            #expect(try heft("convert", path, "\(dir)/out.weights.h5").code == 0)
        }
    }
}
