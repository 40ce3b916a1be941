import Checkpoint
import Foundation
import NeuralNet
import Testing
import TestSupport

/// Functional models built in Swift — branches, merges, a layer shared by two inputs, several
/// inputs and outputs — save weights that Keras 3 (both layouts) and tf-keras 2 (legacy) load
/// into the same graph built from Keras's own classes, giving Heft's outputs. This checks Heft's
/// graph order (which names Keras 3 paths and orders legacy layers) against Keras's, and
/// `summary()` against tf-keras's text (connections included).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["HEFT_PYTHON"] != nil, "needs HEFT_PYTHON (run tools/test)"))
struct KerasFunctionalInteropTests {
    typealias Argument = KerasLayersInteropTests.KerasArgument

    /// Records each layer application twice: as a Heft graph node and as its Keras description.
    final class Recorder {
        struct Node: Encodable {
            let node: String
            let layer: String
            let `class`: String
            let config: [String: Argument]
            let args: [String]
            let list: Bool
            /// Keras takes the inputs as positional arguments (an attention layer's query, value).
            var spread = false
        }

        var nodes: [Node] = []
        private var keys: [ObjectIdentifier: String] = [:]
        private var tensorIDs: [ObjectIdentifier: String] = [:]

        func input(_ tensor: KerasTensor, _ index: Int) -> KerasTensor {
            tensorIDs[ObjectIdentifier(tensor)] = "in\(index)"
            return tensor
        }

        private func key(_ layer: AnyObject) -> String {
            if let key = keys[ObjectIdentifier(layer)] { return key }
            let key = "L\(keys.count)"
            keys[ObjectIdentifier(layer)] = key
            return key
        }

        private func record(_ output: KerasTensor, _ layer: AnyObject, _ kerasClass: String, _ config: [String: Argument],
                            _ inputs: [KerasTensor], list: Bool) -> KerasTensor {
            let id = "n\(nodes.count)"
            tensorIDs[ObjectIdentifier(output)] = id
            nodes.append(Node(node: id, layer: key(layer), class: kerasClass, config: config,
                              args: inputs.map { tensorIDs[ObjectIdentifier($0)]! }, list: list))
            return output
        }

        func apply(_ layer: any Layer, _ kerasClass: String, _ config: [String: Argument], _ input: KerasTensor) -> KerasTensor {
            record(layer(input), layer, kerasClass, config, [input], list: false)
        }

        func merge(_ layer: any Merge, _ kerasClass: String, _ inputs: [KerasTensor], config: [String: Argument] = [:]) -> KerasTensor {
            record(layer(inputs), layer, kerasClass, config, inputs, list: true)
        }

        func attend(_ layer: MultiHeadAttention, _ config: [String: Argument], _ inputs: [KerasTensor]) -> KerasTensor {
            let output = record(layer(inputs), layer, "MultiHeadAttention", config, inputs, list: true)
            nodes[nodes.count - 1].spread = true
            return output
        }

        func id(_ tensor: KerasTensor) -> String { tensorIDs[ObjectIdentifier(tensor)]! }
    }

    struct Built {
        let id: String
        let model: Functional
        let recorder: Recorder
        let inputShapes: [[Int]]
    }

    static func cases() throws -> [Built] {
        var built: [Built] = []
        try withNamingSession {
            let r = Recorder()
            let x = r.input(Input(shape: [6]), 0)
            let h = r.apply(Dense(16, activation: .relu), "Dense", ["units": .int(16), "activation": .string("relu")], x)
            let a = r.apply(Dense(8), "Dense", ["units": .int(8)], h)
            let b = r.apply(Dense(8, activation: .tanh), "Dense", ["units": .int(8), "activation": .string("tanh")], h)
            let sum = r.merge(Add(), "Add", [a, b])
            let y = r.apply(Dense(3), "Dense", ["units": .int(3)], sum)
            built.append(Built(id: "branches", model: try Functional(inputs: [x], outputs: [y]), recorder: r, inputShapes: [[6]]))
        }
        try withNamingSession {
            let r = Recorder()
            let x1 = r.input(Input(shape: [5]), 0), x2 = r.input(Input(shape: [5]), 1)
            let shared = Dense(4, activation: .relu)
            let s1 = r.apply(shared, "Dense", ["units": .int(4), "activation": .string("relu")], x1)
            let s2 = r.apply(shared, "Dense", ["units": .int(4), "activation": .string("relu")], x2)
            let joined = r.merge(Concatenate(), "Concatenate", [s1, s2])
            let out1 = r.apply(Dense(2), "Dense", ["units": .int(2)], joined)
            let difference = r.merge(Subtract(), "Subtract", [s1, s2])
            let product = r.merge(Multiply(), "Multiply", [difference, s1])
            let mean = r.merge(Average(), "Average", [product, s2])
            let out2 = r.apply(Dense(3, activation: .sigmoid), "Dense", ["units": .int(3), "activation": .string("sigmoid")], mean)
            built.append(Built(id: "shared_multi_io", model: try Functional(inputs: [x1, x2], outputs: [out1, out2]), recorder: r,
                               inputShapes: [[5], [5]]))
        }
        try withNamingSession {
            let r = Recorder()
            let x = r.input(Input(shape: [5, 6]), 0), memory = r.input(Input(shape: [4, 3]), 1)
            let attended = r.attend(MultiHeadAttention(numHeads: 2, keyDim: 3), ["num_heads": .int(2), "key_dim": .int(3)], [x, x])
            let residual = r.merge(Add(), "Add", [x, attended])
            let normed = r.apply(LayerNormalization(), "LayerNormalization", [:], residual)
            let cross = r.attend(MultiHeadAttention(numHeads: 3, keyDim: 2, valueDim: 4), [
                "num_heads": .int(3), "key_dim": .int(2), "value_dim": .int(4)], [normed, memory])
            let pooled = r.apply(GlobalAveragePooling1D(), "GlobalAveragePooling1D", [:], cross)
            let y = r.apply(Dense(2), "Dense", ["units": .int(2)], pooled)
            built.append(Built(id: "attention", model: try Functional(inputs: [x, memory], outputs: [y]), recorder: r,
                               inputShapes: [[5, 6], [4, 3]]))
        }
        try withNamingSession {
            let r = Recorder()
            let x = r.input(Input(shape: [7]), 0)
            let h = r.apply(Dense(5, activation: .relu), "Dense", ["units": .int(5), "activation": .string("relu")], x)
            let y = r.apply(Dense(2), "Dense", ["units": .int(2)], h)
            built.append(Built(id: "chain", model: try Functional(inputs: [x], outputs: [y]), recorder: r, inputShapes: [[7]]))
        }
        try withNamingSession {
            let r = Recorder()
            let x = r.input(Input(shape: [8, 8, 3]), 0)
            let c = r.apply(Conv2D(4, kernelSize: 3, padding: .same, activation: .relu), "Conv2D", [
                "filters": .int(4), "kernel_size": .int(3), "padding": .string("same"), "activation": .string("relu")], x)
            let p1 = r.apply(MaxPooling2D(), "MaxPooling2D", [:], c)
            let p2 = r.apply(AveragePooling2D(), "AveragePooling2D", ["pool_size": .ints([2, 2])], c)
            let joined = r.merge(Concatenate(), "Concatenate", [p1, p2])
            let n = r.apply(BatchNormalization(), "BatchNormalization", [:], joined)
            let g = r.apply(GlobalAveragePooling2D(), "GlobalAveragePooling2D", [:], n)
            let y = r.apply(Dense(2, activation: .softmax), "Dense", ["units": .int(2), "activation": .string("softmax")], g)
            built.append(Built(id: "conv_branches", model: try Functional(inputs: [x], outputs: [y]), recorder: r, inputShapes: [[8, 8, 3]]))
        }
        return built
    }

    struct Manifest: Encodable {
        struct Input: Encodable { let shape: [Int]; let values: [Double] }
        struct Entry: Encodable {
            let id: String
            let inputs: [Input]
            let graph: [Recorder.Node]
            let outputs: [String]
            let v3: String
            let legacy: String
        }
        let cases: [Entry]
    }

    struct Output: Decodable { let values: [Double]?; let summary: String?; let error: String? }

    @Test func functionalModelsMatchKerasInBothLines() throws {
        try withTemporaryDirectory { (dir: String) throws in
            var entries: [Manifest.Entry] = []
            var expected: [String: [Double]] = [:]
            var summaries: [String: String] = [:]
            for (index, built) in try Self.cases().enumerated() {
                let model = built.model
                try randomizeWeights(model)
                let inputs = built.inputShapes.enumerated().map { number, shape in
                    Tensor.randomUniform([2] + shape, minval: -2, maxval: 2, seed: UInt64(100 * index + number))
                }
                let v3 = "\(dir)/\(built.id).weights.h5", legacy = "\(dir)/\(built.id).h5"
                try model.saveWeights(to: v3)
                try model.saveWeights(to: legacy)
                entries.append(.init(id: built.id, inputs: inputs.map { .init(shape: $0.shape, values: $0.scalars.map(Double.init)) },
                                     graph: built.recorder.nodes, outputs: model.outputs.map(built.recorder.id), v3: v3, legacy: legacy))
                expected[built.id] = model(inputs).flatMap(\.scalars).map(Double.init)
                summaries[built.id] = model.summary()
            }
            let results: [String: [String: Output]] = try runKerasCheck("functional", manifest: Manifest(cases: entries), in: dir)
            for (id, values) in expected.sorted(by: { $0.key < $1.key }) {
                let outputs = try #require(results[id], "no result for \(id)")
                #expect(Set(outputs.keys) == ["keras3_v3", "keras3_legacy", "tfkeras_legacy"])
                let summary = outputs["tfkeras_legacy"]?.summary ?? ""
                #expect(summaries[id]! == String(summary.dropLast(summary.hasSuffix("\n") ? 1 : 0)),
                        "\(id): summary differs from tf-keras's\n\(summaries[id]!)\n\(summary)")
                for (loader, output) in outputs.sorted(by: { $0.key < $1.key }) {
                    #expect(output.error == nil, "\(id) \(loader): \(output.error ?? "")")
                    guard let found = output.values else { continue }
                    let scale = max(1, values.map(abs).max() ?? 0)
                    let largest = zip(found, values).map { abs($0 - $1) }.max() ?? 0
                    #expect(found.count == values.count && largest <= 1e-5 * scale, "\(id) \(loader): max |Δ| \(largest)")
                }
            }
        }
    }
}
