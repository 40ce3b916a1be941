import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint
@testable import Inspection

/// A `.keras` archive as Python's `zipfile` (hence Keras) writes it puts the weights entry at any
/// byte, so its tensors lie unaligned in the file's map. The inspection engines read them there
/// in place and must report exactly what they report for the same weights in one `.weights.h5`.
@Suite struct UnalignedArchiveTests {
    /// Writes `weights` into a stored `.keras` archive whose weights entry starts one byte past a
    /// multiple of 8 (metadata padded with spaces, as JSON allows).
    func archive(of weights: String, at path: String) throws {
        let script = """
            import sys, zipfile
            source, target = sys.argv[1], sys.argv[2]
            name, config = "model.weights.h5", b"{}"
            for pad in range(8):
                metadata = b'{"keras_version": "3.15.1"}' + b" " * pad
                start = (30 + len("metadata.json") + len(metadata)) + (30 + len("config.json") + len(config)) + 30 + len(name)
                if start % 8 == 1:
                    break
            with zipfile.ZipFile(target, "w") as archive:
                archive.writestr("metadata.json", metadata)
                archive.writestr("config.json", config)
                archive.write(source, name)
            """
        let python = try runProcess(ProcessInfo.processInfo.environment["HEFT_PYTHON"]!, ["-c", script, weights, path])
        try #require(python.code == 0, "\(python.stderr)")
    }

    @Test func unalignedArchiveReportsWhatItsWeightsFileReports() throws {
        try withTemporaryDirectory { dir in
            // 1 MiB kernels go through the worker lanes, the small biases through the calling thread.
            let model = try Sequential([Dense(512, inputShape: [512], name: "a"), Dense(512, name: "b"), Dense(3, name: "c")])
            try model.setWeights(model.getWeights().enumerated().map { Tensor.randomUniform($1.shape, minval: -1, maxval: 1, seed: UInt64($0)) })
            try model.saveWeights(to: "\(dir)/m.weights.h5")
            try archive(of: "\(dir)/m.weights.h5", at: "\(dir)/m.keras")
            let (plain, zipped) = (try WeightFile(path: "\(dir)/m.weights.h5"), try WeightFile(path: "\(dir)/m.keras"))
            let regions = try zipped.weights.map { try #require(try zipped.container.mappedBytes(of: $0)) }
            #expect(regions.allSatisfy { !$0.isAligned }, "the archive's tensors should lie unaligned in the map")

            for (a, b) in zip(plain.weights, zipped.weights) {
                #expect(try zipped.statistics(of: b) == plain.statistics(of: a), "\(b.path)")
            }
            let summaries = try zipped.summaries(of: zipped.weights, statistics: true, sha256: true)
            let expected = try plain.summaries(of: plain.weights, statistics: true, sha256: true)
            for (a, b) in zip(plain.weights, zipped.weights) {
                #expect(summaries[b.storageID].map { "\($0)" } == expected[a.storageID].map { "\($0)" }, "\(b.path)")
            }

            let (report, reference) = (try Verification.verify(zipped, options: .init()), try Verification.verify(plain, options: .init()))
            #expect(report.ok && report.integrity == reference.integrity && report.tensors == reference.tensors)
            #expect(report.integrity.status == .verified)

            let same = try WeightDiff.compare(zipped, plain, options: .init())
            #expect(same.equal && same.tensors.count == plain.weights.count)
        }
    }
}
