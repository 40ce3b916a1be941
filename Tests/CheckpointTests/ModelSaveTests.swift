import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// `model.save(to:)` without Keras: what it writes (Heft's own checks and loader accept it, the
/// full-model `.h5` has Keras's attributes where Keras's loaders read them) and what it refuses,
/// each refusal one error naming the file and saying what to do. Keras loading the files is
/// ModelSaveInteropTests's.
@Suite struct ModelSaveTests {
    func sample() throws -> Sequential {
        try withNamingSession {
            try Sequential([Dense(4, activation: .relu, inputShape: [3]), Dropout(0.1), Dense(2, activation: .softmax)], name: "small")
        }
    }

    @Test func fullModelH5HoldsTheConfigAndCheckedWeights() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let model = try sample(), path = "\(dir)/m.h5"
            try model.save(to: path)
            let file = try WeightFile(path: path)
            #expect(file.isFullModel)
            try file.checkTensors(verifyingDigests: true)
            let config = try #require(file.modelConfig)
            let parsed = try JSONValue.parse(Data(config.utf8))
            guard case .object(let top) = parsed, case .object(let body)? = top["config"], case .array(let layers)? = body["layers"] else {
                Issue.record("model_config is not a Sequential config: \(config)")
                return
            }
            #expect(top["class_name"] == .string("Sequential"))
            #expect(layers.count == 4, "an InputLayer and the three layers")
            let x = Tensor.randomUniform([5, 3], seed: 1)
            #expect(try loadModel(from: path)(x).scalars == model(x).scalars)
        }
    }

    @Test func kerasArchiveRoundTrips() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let model = try sample(), path = "\(dir)/m.keras"
            try model.save(to: path)
            let file = try WeightFile(path: path)
            #expect(file.format == .kerasV3)
            try file.checkTensors(verifyingDigests: true)
            let x = Tensor.randomUniform([5, 3], seed: 2)
            let loaded = try loadModel(from: path)
            #expect(loaded.name == "small")
            #expect(loaded(x).scalars == model(x).scalars)
        }
    }

    @Test func refusesWhatAKerasConfigCannotHold() throws {
        try withTemporaryDirectory { (dir: String) throws in
            func refusal(_ model: Model, _ name: String) -> String {
                do {
                    try model.save(to: "\(dir)/\(name)")
                    return ""
                } catch {
                    #expect(!FileManager.default.fileExists(atPath: "\(dir)/\(name)"), "\(name): a refused save left a file")
                    return "\(error)"
                }
            }
            let sample = try sample()
            #expect(refusal(sample, "m.weights.h5").contains("saveWeights"))
            #expect(refusal(sample, "m.npz").contains("saveWeights"))
            let subclassed = MLPModel()
            _ = subclassed(.zeros([1, 2]))
            #expect(refusal(subclassed, "sub.keras").contains("subclassed"))
            let elu = try Sequential([Dense(2, activation: .elu(alpha: 0.5), inputShape: [3], name: "d")])
            #expect(refusal(elu, "elu.keras").contains("layer 'd' (Dense): its elu activation"))
            let shared = Dense(3, name: "twice")
            let twice = try Sequential([shared, shared], name: "t")
            twice.build(inputShape: [3])
            #expect(refusal(twice, "twice.h5").contains("applies a layer twice"))
            let unbuilt = try Sequential([Dense(2)], name: "u")
            #expect(refusal(unbuilt, "u.keras").contains("not built"))
        }
    }
}
