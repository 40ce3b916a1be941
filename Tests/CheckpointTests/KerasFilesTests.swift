import Checkpoint
import NeuralNet
import Testing
import TestSupport

/// Keras → Heft: files written by tf-keras 2.21 and Keras 3.15 load into the equivalent Heft models
/// and give Keras's outputs.
@Suite struct KerasFilesTests {
    static let cases = (try? KerasCase.all()) ?? []
    static let loads: [(KerasCase, String)] = cases.flatMap { c in c.files.keys.sorted().map { (c, $0) } }

    @Test func everyZooModelHasFilesFromBothKerasLines() {
        for name in Zoo.names {
            #expect(Self.cases.contains { $0.model == name && $0.writer.hasPrefix("tfkeras") && $0.files["legacy"] != nil })
            #expect(Self.cases.contains { $0.model == name && $0.writer.hasPrefix("keras3") && $0.files["v3"] != nil })
        }
        #expect(Self.cases.contains { $0.files["legacy_full"] != nil })
    }

    @Test(arguments: loads)
    func loadsAndMatchesKerasOutput(_ c: KerasCase, _ layout: String) throws {
        let model = try Zoo.build(c.model)
        let report = try model.loadWeights(from: c.path(layout))
        #expect(report.format == (layout == "v3" ? .kerasV3 : .kerasLegacy))
        // The loaded weights are exactly Keras's (get_weights order), bit for bit in their dtype.
        let weights = model.getWeights()
        #expect(weights.count == c.weights.count)
        for (loaded, expected) in zip(weights, c.weights) {
            #expect(loaded.shape == expected.shape && loaded.dtype.rawValue == expected.dtype)
            #expect(loaded.converted(to: .float64).storage == .float64(expected.values))
        }
        let y = model(Tensor(c.input))
        let reference = Tensor(c.reference), keras = Tensor(c.output)
        #expect(y.isApproximatelyEqual(to: reference, rtol: 1e-6, atol: outputTolerance(reference)),
                "vs float64 reference: \(y.maxAbsoluteDifference(to: reference))")
        if c.model == "float16" {
            // Keras computes in float16: agreement to float16 precision.
            #expect(y.isApproximatelyEqual(to: keras, rtol: 2e-3, atol: 2e-3), "vs Keras: \(y.maxAbsoluteDifference(to: keras))")
        } else {
            #expect(y.isApproximatelyEqual(to: keras, rtol: 1e-6, atol: outputTolerance(keras)),
                    "vs Keras: \(y.maxAbsoluteDifference(to: keras))")
        }
    }

    @Test(arguments: cases.filter { $0.files["legacy"] != nil || $0.files["legacy_full"] != nil })
    func legacyFilesAlsoLoadByName(_ c: KerasCase) throws {
        let model = try Zoo.build(c.model)
        let report = try model.loadWeights(from: c.path(c.files["legacy"] != nil ? "legacy" : "legacy_full"), byName: true)
        #expect(report.assignments.count == c.weights.count, "\(report.assignments.map(\.path))")
        let reference = Tensor(c.reference)
        #expect(model(Tensor(c.input)).isApproximatelyEqual(to: reference, rtol: 1e-6, atol: outputTolerance(reference)))
    }

    @Test func modelFreeReaderListsLayersWeightsAndAttributes() throws {
        let legacy = try WeightFile(path: try #require(Self.cases.first { $0.model == "nested" && $0.writer.hasPrefix("tfkeras") }).path("legacy"))
        #expect(legacy.format == .kerasLegacy && !legacy.isFullModel)
        #expect(try legacy.kerasVersion() == "2.21.0" && legacy.backend() == "tensorflow")
        #expect(legacy.layers.map(\.name) == ["d0", "inner", "head"])
        #expect(legacy.layers[1].weights.map(\.path) == ["/inner/inner_d1/kernel:0", "/inner/inner_d1/bias:0",
                                                         "/inner/inner_d2/kernel:0", "/inner/inner_d2/bias:0"])
        #expect(legacy.layers[1].weights[0].shape == [8, 5] && legacy.layers[1].weights[0].storageSize == 160)

        let full = try WeightFile(path: try #require(Self.cases.first { $0.model == "shared_twice" && $0.files["legacy_full"] != nil }).path("legacy_full"))
        #expect(full.isFullModel && full.modelConfig?.contains("\"shared\"") == true)
        #expect(full.layers.map(\.name) == ["x", "shared", "head"] && full.layers[0].weights.isEmpty)

        let v3 = try WeightFile(path: try #require(Self.cases.first { $0.model == "nested" && $0.writer.hasPrefix("keras3") }).path("v3"))
        #expect(v3.format == .kerasV3)
        // Listed in the model's order (the order Keras wrote them), not the paths' alphabetical order.
        #expect(v3.layers.filter { !$0.weights.isEmpty }.map(\.path)
                == ["/layers/dense", "/layers/sequential/layers/dense", "/layers/sequential/layers/dense_1", "/layers/dense_1"])
        #expect(v3.layers.map(\.name).prefix(3) == ["d0", "inner", "inner_d1"])
        #expect(v3.layers.first { $0.path == "/layers/sequential/layers/dense" }?.name == "inner_d1")
    }

    @Test func readsSlicesOfRows() throws {
        let c = try #require(Self.cases.first { $0.model == "seed_mlp" && $0.writer.hasPrefix("tfkeras") })
        let file = try WeightFile(path: c.path("legacy"))
        let kernel = file.layers[0].weights[0]
        let whole = try file.read(kernel)
        let rows = try file.read(kernel, rows: 5..<8)
        #expect(rows.shape == [3, 256])
        #expect(rows.scalars == Array(whole.scalars[(5 * 256)..<(8 * 256)]))
    }

    @Test func float16StaysFloat16() throws {
        let c = try #require(Self.cases.first { $0.model == "float16" && $0.writer.hasPrefix("keras3") })
        let file = try WeightFile(path: c.path("v3"))
        #expect(file.weights.allSatisfy { $0.dtype == .float16 })
        #expect(try file.read(file.weights[0]).dtype == .float16)
    }
}
