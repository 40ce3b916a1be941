import Foundation
import HDF5
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

@Suite struct SaveLoadTests {
    static let formats: [WeightFileFormat] = [.kerasLegacy, .kerasV3]

    @Test(arguments: Zoo.names, formats)
    func saveLoadSaveIsBitwiseStable(_ name: String, _ format: WeightFileFormat) throws {
        try withTemporaryDirectory { dir in
            let original = try Zoo.randomized(name)
            try original.saveWeights(to: "\(dir)/a.h5", format: format)
            let copy = try Zoo.build(name)
            let report = try copy.loadWeights(from: "\(dir)/a.h5")
            #expect(report.format == format && report.conversions.isEmpty)
            for (a, b) in zip(original.getWeights(), copy.getWeights()) { #expect(a.dtype == b.dtype && a == b) }
            try copy.saveWeights(to: "\(dir)/b.h5", format: format)
            let first = try WeightFile(path: "\(dir)/a.h5"), second = try WeightFile(path: "\(dir)/b.h5")
            #expect(first.weights.map(\.path) == second.weights.map(\.path))
            for (a, b) in zip(first.weights, second.weights) {
                #expect(try bitwiseEqual(first.read(a), second.read(b)), "\(a.path)")
            }
        }
    }

    @Test func layoutFollowsTheSuffixUnlessOverriddenAndIsDetectedFromContent() throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.randomized("seed_mlp")
            try model.saveWeights(to: "\(dir)/m.weights.h5")
            try model.saveWeights(to: "\(dir)/m.h5")
            try model.saveWeights(to: "\(dir)/m.hdf5")
            try model.saveWeights(to: "\(dir)/v3-named-legacy.h5", format: .kerasV3)
            #expect(try WeightFile(path: "\(dir)/m.weights.h5").format == .kerasV3)
            #expect(try WeightFile(path: "\(dir)/m.h5").format == .kerasLegacy)
            #expect(try WeightFile(path: "\(dir)/m.hdf5").format == .kerasLegacy)
            #expect(try WeightFile(path: "\(dir)/v3-named-legacy.h5").format == .kerasV3)
            #expect(try Zoo.build("seed_mlp").loadWeights(from: "\(dir)/v3-named-legacy.h5").format == .kerasV3)
        }
    }

    @Test func legacyFileHasKerasStructure() throws {
        try withTemporaryDirectory { dir in
            try Zoo.randomized("nested").saveWeights(to: "\(dir)/n.h5")
            let root = try File.open("\(dir)/n.h5").root
            #expect(try root.readStrings("layer_names") == ["d0", "inner", "head"])
            #expect(try root.readString("backend") == "tensorflow")
            #expect(try root.readString("keras_version") == "2.21.0")
            #expect(try root.group("inner").readStrings("weight_names")
                    == ["inner_d1/kernel:0", "inner_d1/bias:0", "inner_d2/kernel:0", "inner_d2/bias:0"])
            #expect(try root.dataset("inner/inner_d1/kernel:0").shape == [8, 5])
            #expect(try root.group("top_level_model_weights").readStrings("weight_names") == [])
            let info = try root.attributeInfo("layer_names")
            #expect(info.isVariableLengthString && info.encoding == .ascii)
            #expect(try root.dataset("d0/d0/kernel:0").layout == .contiguous)
        }
    }

    @Test func v3FileHasKeras3Structure() throws {
        try withTemporaryDirectory { dir in
            try Zoo.randomized("mlp_model").saveWeights(to: "\(dir)/m.weights.h5")
            let file = try WeightFile(path: "\(dir)/m.weights.h5")
            // Keras 3 walks attributes in sorted order: hidden, hidden1, layers (out → layers/dense_2).
            #expect(file.layers.map(\.path) == ["/hidden", "/hidden1", "/layers/dense_2"])
            #expect(file.layers.map(\.name) == ["dense", "dense_1", "dense_2"])
            #expect(file.layers[0].weights.map(\.path) == ["/hidden/vars/0", "/hidden/vars/1"])
            #expect(try File.open("\(dir)/m.weights.h5").root.group("vars").readString("name") == "mlp_model")
        }
    }

    @Test func nonFloat32DTypesAreKept() throws {
        try withTemporaryDirectory { dir in
            for format in Self.formats {
                let dense = Dense(3, inputShape: [2], dtype: .bfloat16, name: "b")
                let model = try Sequential([dense])
                try model.saveWeights(to: "\(dir)/bf.h5", format: format)
                let file = try WeightFile(path: "\(dir)/bf.h5")
                #expect(file.weights.allSatisfy { $0.dtype == .bfloat16 })
                let copy = try Sequential([Dense(3, inputShape: [2], dtype: .bfloat16, name: "b")])
                try copy.loadWeights(from: "\(dir)/bf.h5")
                #expect(copy.getWeights() == model.getWeights())
            }
        }
    }

    @Test func loadingConvertsDTypesExplicitlyAndReportsIt() throws {
        try withTemporaryDirectory { dir in
            let wide = try Zoo.randomized("float64")
            try wide.saveWeights(to: "\(dir)/f64.h5")
            let narrow = try Sequential([Dense(6, activation: .relu, inputShape: [5]), Dense(2)])
            let report = try narrow.loadWeights(from: "\(dir)/f64.h5")
            #expect(report.conversions.count == 4)
            #expect(report.conversions.first?.conversion == "float64 → float32")
            #expect(narrow.weights.allSatisfy { $0.dtype == .float32 })
            #expect(narrow.getWeights()[0] == wide.getWeights()[0].converted(to: .float32))
        }
    }

    @Test func savingAnUnbuiltModelIsAClearError() throws {
        try withTemporaryDirectory { dir in
            let model = try Sequential([Dense(3)], name: "lazy")
            #expect(throws: CheckpointError.self) { try model.saveWeights(to: "\(dir)/x.h5") }
            do { try model.saveWeights(to: "\(dir)/x.h5") } catch {
                #expect("\(error)".contains("model 'lazy' is not built"))
            }
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/x.h5"))
        }
    }

    @Test func concurrentSavesAndLoadsOfDifferentFiles() async throws {
        try await withTemporaryDirectory { dir in try await concurrentRoundTrips(in: dir) }
    }

    func concurrentRoundTrips(in dir: String) async throws {
        let results = await withTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    do {
                        for round in 0..<5 {
                            let model = try Zoo.randomized("seed_mlp", seed: UInt64(task * 100 + round))
                            let path = "\(dir)/t\(task).\(round % 2 == 0 ? "h5" : "weights.h5")"
                            try model.saveWeights(to: path)
                            let copy = try Zoo.build("seed_mlp")
                            try copy.loadWeights(from: path)
                            guard copy.getWeights() == model.getWeights() else { return false }
                        }
                        return true
                    } catch {
                        Issue.record("task \(task): \(error)")
                        return false
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 8))
    }
}
