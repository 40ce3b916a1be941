import Checkpoint
import Foundation
import NeuralNet
import Testing
import TestSupport

/// Heft → Keras: files Heft writes load in real tf-keras 2.21 and Keras 3.15 (the pinned venv of
/// tools/python/requirements.txt, passed in HEFT_PYTHON by tools/test) and give Heft's outputs; h5py
/// reads every weight path, hard-linked ones included.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["HEFT_PYTHON"] != nil, "needs HEFT_PYTHON (run tools/test)"))
struct HeftToKerasTests {
    struct Manifest: Encodable {
        struct Case: Encodable {
            let model: String
            let legacy: String
            let v3: String
            let input: Array
        }
        struct Array: Encodable { let shape: [Int]; let values: [Float] }
        let cases: [Case]
    }

    struct Result: Decodable {
        struct Output: Decodable { let values: [Double]?; let error: String? }
        let outputs: [String: Output]
        let paths: [String: [Double]]
    }

    static let loaders = ["tfkeras_legacy_by_order", "tfkeras_legacy_by_name", "keras3_legacy_by_order",
                          "keras3_legacy_by_name", "keras3_v3", "tfkeras_v3"]

    @Test func kerasLoadsHeftFilesAndComputesHeftsOutputs() throws {
        try withTemporaryDirectory { (dir: String) throws in
            var models: [String: Model] = [:]
            var outputs: [String: Tensor] = [:]
            var cases: [Manifest.Case] = []
            for (index, name) in Zoo.names.enumerated() {
                let model = try Zoo.build(name)
                try model.setWeights(model.weights.enumerated().map { i, p in
                    .randomUniform(p.shape, minval: -0.8, maxval: 0.8, dtype: p.dtype, seed: UInt64(100 * index + i))
                })
                let x = Tensor.randomUniform([3, Zoo.inputWidth(name)], minval: -1, maxval: 1, seed: UInt64(index))
                outputs[name] = model(x)   // MLPModel's call copies hidden into hidden1 before saving, as in Keras
                try model.saveWeights(to: "\(dir)/\(name).h5")
                try model.saveWeights(to: "\(dir)/\(name).weights.h5")
                models[name] = model
                cases.append(.init(model: name, legacy: "\(dir)/\(name).h5", v3: "\(dir)/\(name).weights.h5",
                                   input: .init(shape: x.shape, values: x.scalars)))
            }
            let results: [String: Result] = try runKerasCheck(nil, manifest: Manifest(cases: cases), in: dir)
            for name in Zoo.names {
                let result = try #require(results[name], "no result for \(name)")
                let expected = outputs[name]!
                for loader in Self.loaders where !(loader == "tfkeras_v3" && name == "mlp_model") {
                    let output = try #require(result.outputs[loader], "\(name): \(loader) missing")
                    #expect(output.error == nil, "\(name) via \(loader): \(output.error ?? "")")
                    guard let values = output.values else { continue }
                    let keras = Tensor(shape: expected.shape, scalars: values.map { Float($0) })
                    let tolerance: Float = name == "float16" ? 2e-3 : outputTolerance(expected)
                    #expect(keras.isApproximatelyEqual(to: expected, rtol: name == "float16" ? 2e-3 : 1e-6, atol: tolerance),
                            "\(name) via \(loader): max |Δ| = \(keras.maxAbsoluteDifference(to: expected))")
                }
                try checkPaths(result.paths, of: name, in: dir)
            }
        }
    }

    /// `heft convert`'s library path: Keras-written files converted to the other layout load in real
    /// Keras into the model they came from and give Keras's original outputs. tf-keras's weights-only
    /// files do not record their layers' classes (custom names, a subclassed model), so they convert
    /// like Keras 3's file of the same model, which also gives a subclassed model's attribute paths.
    @Test func kerasLoadsConvertedFiles() throws {
        try withTemporaryDirectory { (dir: String) throws in
            var cases: [Manifest.Case] = []
            var expected: [String: Tensor] = [:]
            for name in Zoo.names {
                let all = try KerasCase.all()
                let tfKeras = try #require(all.first { $0.model == name && $0.writer.hasPrefix("tfkeras") })
                let keras3 = try #require(all.first { $0.model == name && $0.writer.hasPrefix("keras3") })
                try WeightFile(path: tfKeras.path("legacy")).convert(to: "\(dir)/\(name).weights.h5", format: .kerasV3,
                                                                     like: WeightFile(path: keras3.path("v3")))
                try WeightFile(path: keras3.path("v3")).convert(to: "\(dir)/\(name).h5", format: .kerasLegacy)
                expected[name] = Tensor(keras3.output)
                cases.append(.init(model: name, legacy: "\(dir)/\(name).h5", v3: "\(dir)/\(name).weights.h5",
                                   input: .init(shape: keras3.input.shape, values: keras3.input.values.map { Float($0) })))
            }
            let results: [String: Result] = try runKerasCheck(nil, manifest: Manifest(cases: cases), in: dir)
            for name in Zoo.names {
                let result = try #require(results[name])
                for loader in Self.loaders where !(name == "mlp_model" && loader == "tfkeras_v3") {
                    let output = try #require(result.outputs[loader], "\(name): \(loader) missing")
                    #expect(output.error == nil, "\(name) via \(loader): \(output.error ?? "")")
                    guard let values = output.values, let reference = expected[name] else { continue }
                    let keras = Tensor(shape: reference.shape, scalars: values.map { Float($0) })
                    let float16 = name == "float16"
                    #expect(keras.isApproximatelyEqual(to: reference, rtol: float16 ? 2e-3 : 1e-6, atol: float16 ? 2e-3 : outputTolerance(reference)),
                            "\(name) via \(loader): max |Δ| = \(keras.maxAbsoluteDifference(to: reference))")
                }
            }
        }
    }

    /// h5py's view of every weight path equals Heft's own reading of it, bit for bit (as float64).
    func checkPaths(_ paths: [String: [Double]], of name: String, in dir: String) throws {
        for (layout, file) in [("legacy", "\(dir)/\(name).h5"), ("v3", "\(dir)/\(name).weights.h5")] {
            let weightFile = try WeightFile(path: file)
            #expect(weightFile.weights.count == paths.keys.filter { $0.hasPrefix("\(layout):") }.count, "\(name) \(layout)")
            for weight in weightFile.weights {
                let values = try #require(paths["\(layout):\(weight.path)"], "h5py did not read \(layout):\(weight.path)")
                #expect(try weightFile.read(weight).converted(to: .float64).storage == .float64(values), "\(weight.path)")
            }
        }
    }
}
