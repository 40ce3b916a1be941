import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// Every mismatch says what Keras would say, plus the file, the paths and the divergence.
@Suite struct MismatchTests {
    func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        return "no error"
    }

    @Test func layerCountMismatchNamesTheFirstDivergence() throws {
        try withTemporaryDirectory { dir in
            try Zoo.build("seed_mlp").saveWeights(to: "\(dir)/two.h5")
            let three = try Sequential([Dense(256, inputShape: [20]), Dense(5), Dense(10)])
            let text = message { try three.loadWeights(from: "\(dir)/two.h5") }
            #expect(text.hasPrefix("\(dir)/two.h5: Layer count mismatch when loading weights from file. Model expected 3 layers, found 2 saved layers."))
            #expect(text.contains("First divergence at layer #1: model layer '\(three.layers[1].name)' [(256, 5), (5,)] vs file layer 'dense_1' (/dense_1) [(256, 10), (10,)]"))
            #expect(!text.contains("\n"))
        }
    }

    @Test func weightCountMismatchByOrder() throws {
        try withTemporaryDirectory { dir in
            try Sequential([Dense(3, inputShape: [4], name: "a")]).saveWeights(to: "\(dir)/w.h5")
            let noBias = try Sequential([Dense(3, useBias: false, inputShape: [4], name: "b")])
            #expect(message { try noBias.loadWeights(from: "\(dir)/w.h5") }
                    == "\(dir)/w.h5: Weight count mismatch for layer #0 (named b in the current model, a in the save file). "
                    + "Layer expects 1 weight(s). Received 2 saved weight(s) (model weights [(4, 3)], file weights at /a [(4, 3), (3,)])")
        }
    }

    @Test func shapeMismatchByOrderAndByName() throws {
        try withTemporaryDirectory { dir in
            try Sequential([Dense(3, inputShape: [4], name: "dense")]).saveWeights(to: "\(dir)/s.h5")
            let wider = try Sequential([Dense(3, inputShape: [5], name: "dense")])
            let expected = "\(dir)/s.h5: Shape mismatch in layer #0 (named dense) for weight dense/kernel:0. Weight expects shape (5, 3). "
                + "Received saved weight with shape (4, 3) (/dense/dense/kernel:0)"
            #expect(message { try wider.loadWeights(from: "\(dir)/s.h5") } == expected)
            #expect(message { try wider.loadWeights(from: "\(dir)/s.h5", byName: true) } == expected)
        }
    }

    @Test func skipMismatchLeavesMismatchedLayersAndReportsThem() throws {
        try withTemporaryDirectory { dir in
            let saved = try Sequential([Dense(3, inputShape: [4], name: "a"), Dense(2, name: "b")])
            try saved.saveWeights(to: "\(dir)/k.h5")
            let target = try Sequential([Dense(3, inputShape: [4], name: "a"), Dense(7, name: "b")])
            let before = target.layers[1].getWeights()
            let report = try target.loadWeights(from: "\(dir)/k.h5", byName: true, skipMismatch: true)
            #expect(report.skipped.count == 1 && report.skipped[0].contains("named b"))
            #expect(target.layers[0].getWeights() == saved.layers[0].getWeights())
            #expect(target.layers[1].getWeights() == before)
        }
    }

    @Test func byNameIgnoresUnknownNamesLikeKeras() throws {
        try withTemporaryDirectory { dir in
            try Sequential([Dense(3, inputShape: [4], name: "a")]).saveWeights(to: "\(dir)/n.h5")
            let other = try Sequential([Dense(3, inputShape: [4], name: "z")])
            let report = try other.loadWeights(from: "\(dir)/n.h5", byName: true)
            #expect(report.assignments.isEmpty)
            #expect(report.unusedFileLayers == ["/a"])
        }
    }

    @Test func v3MissingObjectsUseKeras3Wording() throws {
        try withTemporaryDirectory { dir in
            try Sequential([Dense(3, inputShape: [4])]).saveWeights(to: "\(dir)/one.weights.h5")
            let two = try withNamingSession { try Sequential([Dense(3, inputShape: [4]), Dense(2)]) }
            let text = message { try two.loadWeights(from: "\(dir)/one.weights.h5") }
            try Sequential([Dense(3, inputShape: [4]), Dense(2)]).saveWeights(to: "\(dir)/two.weights.h5")
            #expect(try Sequential([Dense(3, inputShape: [4])]).loadWeights(from: "\(dir)/two.weights.h5").unusedFileLayers == ["/layers/dense_1"])
            #expect(text == "\(dir)/one.weights.h5: A total of 1 objects could not be loaded. Example error message: "
                    + "Layer 'dense_1' expected 2 variables, but received 0 variables during loading. Expected: ['kernel', 'bias'] (at /layers/dense_1/vars)")
            #expect(message { try two.loadWeights(from: "\(dir)/one.weights.h5", byName: true) }.contains("by name loading needs a legacy .h5 file"))
        }
    }

    @Test func v3ShapeMismatch() throws {
        try withTemporaryDirectory { dir in
            try Sequential([Dense(3, inputShape: [4])]).saveWeights(to: "\(dir)/s.weights.h5")
            let wider = try withNamingSession { try Sequential([Dense(3, inputShape: [5])]) }
            #expect(message { try wider.loadWeights(from: "\(dir)/s.weights.h5") }.contains(
                "variable.shape=(5, 3), Received: value.shape=(4, 3). Target variable: dense/kernel:0 of layer 'dense' (/layers/dense/vars/0)"))
        }
    }
}
