import Checkpoint
import Foundation
import NeuralNet
import Testing
import TestSupport

/// Whole models saved by Heft (`model.save(to:)`) load in Keras with no Python code describing
/// them: every layer case and every functional case of the other interop suites, plus a nested
/// model, saved as a `.keras` archive and as a full-model `.h5`; Keras 3 loads both with
/// `keras.saving.load_model`, tf-keras 2 loads the `.h5` with `load_model`, and each gives Heft's
/// outputs. Heft's own `loadModel(from:)` reads both files back to the same outputs, bit for bit.
///
/// Keras 3's legacy `.h5` loader cannot read tf-keras's serialization of an attention layer's
/// call (its `value` keyword) or of a nested model (node numbers from 1) — not in tf-keras's own
/// files either (`fixtures/world/tfkeras_attention.full.h5`, `tfkeras_nested.full.h5`) — so those
/// cases are checked in Keras 3 through the `.keras` archive and in tf-keras through the `.h5`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["HEFT_PYTHON"] != nil, "needs HEFT_PYTHON (run tools/test)"))
struct ModelSaveInteropTests {
    struct Built {
        let id: String
        let model: Model
        let inputShapes: [[Int]]
        var indicesBelow: Int? = nil
        var tolerance = 1e-5
        /// Whether Keras 3's legacy loader can read the `.h5` (see the suite's note).
        var keras3ReadsH5 = true
    }

    struct Manifest: Encodable {
        struct Input: Encodable { let shape: [Int]; let values: [Double] }
        struct Entry: Encodable { let id: String; let inputs: [Input]; let keras: String; let h5: String }
        let cases: [Entry]
    }

    struct Output: Decodable { let values: [Double]?; let error: String? }

    static func models() throws -> [Built] {
        var built = try KerasLayersInteropTests.cases().map { testCase in
            try withNamingSession {
                let model = try Sequential(testCase.layers.map(\.heft))
                model.build(inputShape: testCase.inputShape)
                return Built(id: "sequential_" + testCase.id, model: model, inputShapes: [testCase.inputShape],
                             indicesBelow: testCase.indicesBelow, tolerance: testCase.tolerance)
            }
        }
        built += try KerasFunctionalInteropTests.cases().map {
            Built(id: "functional_" + $0.id, model: $0.model, inputShapes: $0.inputShapes,
                  keras3ReadsH5: !$0.model.layers.contains { $0 is MultiHeadAttention })
        }
        try withNamingSession {
            let inner = try Sequential([Dense(4, activation: .relu), Dense(3)], name: "inner")
            inner.build(inputShape: [5])
            let x = Input(shape: [5])
            let y = Dense(2)(Add()([inner(x), Dense(3)(x)]))
            built.append(Built(id: "nested_sequential", model: try Functional(inputs: [x], outputs: [y], name: "outer"), inputShapes: [[5]], keras3ReadsH5: false))
        }
        try withNamingSession {
            let a = Input(shape: [4])
            let block = try Functional(inputs: [a], outputs: [Dense(3, activation: .tanh)(a)], name: "block")
            let x = Input(shape: [4])
            let y = Dense(2)(Concatenate()([block(x), x]))
            built.append(Built(id: "nested_functional", model: try Functional(inputs: [x], outputs: [y], name: "outer"), inputShapes: [[4]], keras3ReadsH5: false))
        }
        return built
    }

    @Test func savedModelsLoadInKerasAndHeft() throws {
        try withTemporaryDirectory { (dir: String) throws in
            var entries: [Manifest.Entry] = []
            var expected: [String: (values: [Double], tolerance: Double, keras3ReadsH5: Bool)] = [:]
            for (index, built) in try Self.models().enumerated() {
                let model = built.model
                try randomizeWeights(model)
                let inputs = built.inputShapes.enumerated().map { number, shape -> Tensor in
                    let full = [2] + shape
                    if let bound = built.indicesBelow {
                        return Tensor(shape: full, scalars: (0..<full.reduce(1, *)).map { Float(($0 * 7 + 3) % bound) })
                    }
                    return .randomUniform(full, minval: -2, maxval: 2, seed: UInt64(100 * index + number))
                }
                let keras = "\(dir)/\(built.id).keras", h5 = "\(dir)/\(built.id).h5"
                try model.save(to: keras)
                try model.save(to: h5)
                let outputs = Self.run(model, inputs)
                expected[built.id] = (outputs.flatMap(\.scalars).map(Double.init), built.tolerance, built.keras3ReadsH5)
                for path in [keras, h5] {
                    let loaded = try loadModel(from: path)
                    #expect(Self.run(loaded, inputs).map(\.scalars) == outputs.map(\.scalars), "\(built.id): loadModel(\(path)) differs")
                }
                entries.append(.init(id: built.id, inputs: inputs.map { .init(shape: $0.shape, values: $0.scalars.map(Double.init)) },
                                     keras: keras, h5: h5))
            }
            let results: [String: [String: Output]] = try runKerasCheck("saved", manifest: Manifest(cases: entries), in: dir)
            for (id, (values, tolerance, keras3ReadsH5)) in expected.sorted(by: { $0.key < $1.key }) {
                let outputs = try #require(results[id], "no result for \(id)")
                #expect(Set(outputs.keys) == ["keras3_keras", "keras3_h5", "tfkeras_h5"])
                for (loader, output) in outputs.sorted(by: { $0.key < $1.key }) where keras3ReadsH5 || loader != "keras3_h5" {
                    #expect(output.error == nil, "\(id) \(loader): \(output.error ?? "")")
                    guard let found = output.values else { continue }
                    let scale = max(1, values.map(abs).max() ?? 0)
                    let largest = zip(found, values).map { abs($0 - $1) }.max() ?? 0
                    #expect(found.count == values.count && largest <= tolerance * scale, "\(id) \(loader): max |Δ| \(largest)")
                }
            }
        }
    }

    private static func run(_ model: Model, _ inputs: [Tensor]) -> [Tensor] {
        if let functional = model as? Functional { return functional(inputs) }
        return [model(inputs[0])]
    }
}
