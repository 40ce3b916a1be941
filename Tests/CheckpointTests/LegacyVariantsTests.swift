import HDF5
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// Legacy files as older Keras versions and other writers produced them.
@Suite struct LegacyVariantsTests {
    /// Writes a two-layer legacy file by hand with the given string storage, as h5py 2.x (fixed
    /// length), h5py 3 with bytes (vlen ASCII) or with str (vlen UTF-8) would.
    func writeLegacy(_ path: String, storage: StringStorage, withVersion: Bool) throws -> [Tensor] {
        let file = try File.create(path, overwrite: true)
        let root = try file.root
        try root.writeStrings("layer_names", ["input_1", "dense", "dense_1"], storage: storage)
        if withVersion { try root.writeString("keras_version", "2.2.4") }
        _ = try root.createGroup("input_1")          // no weight_names at all: a layer without weights
        let values = [Tensor.randomUniform([4, 3], seed: 1), .randomUniform([3], seed: 2),
                      .randomUniform([3, 2], seed: 3), .randomUniform([2], seed: 4)]
        for (layer, offset) in [("dense", 0), ("dense_1", 2)] {
            let group = try root.createGroup(layer)
            try group.writeStrings("weight_names", ["\(layer)/kernel:0", "\(layer)/bias:0"], storage: storage)
            for (index, name) in ["kernel:0", "bias:0"].enumerated() {
                let value = values[offset + index]
                let dataset = try group.createDataset("\(layer)/\(name)", type: .float32, shape: value.shape)
                try dataset.write(value.scalars)
            }
        }
        try file.flush()
        return values
    }

    @Test(arguments: [StringStorage.fixedLength, .variableLength(.ascii), .variableLength(.utf8)], [true, false])
    func olderEncodingsAndMissingAttributesLoad(_ storage: StringStorage, _ withVersion: Bool) throws {
        try withTemporaryDirectory { dir in
            let values = try writeLegacy("\(dir)/old.h5", storage: storage, withVersion: withVersion)
            let model = try withNamingSession { try Sequential([Dense(3, inputShape: [4]), Dense(2)]) }
            try model.loadWeights(from: "\(dir)/old.h5")
            #expect(model.getWeights() == values)
            let byName = try withNamingSession { try Sequential([Dense(3, inputShape: [4]), Dense(2)]) }
            try byName.loadWeights(from: "\(dir)/old.h5", byName: true)
            #expect(byName.getWeights() == values)
            let file = try WeightFile(path: "\(dir)/old.h5")
            #expect(file.layers.map(\.name) == ["input_1", "dense", "dense_1"] && file.layers[0].weights.isEmpty)
            #expect(try file.kerasVersion() == (withVersion ? "2.2.4" : nil) && file.topLevelWeights.isEmpty)
        }
    }

    @Test func manyLongLayerNamesAreChunkedAsKerasDoes() throws {
        try withTemporaryDirectory { dir in
            let prefix = String(repeating: "x", count: 220)
            let layers: [any Layer] = (0..<300).map { Dense(2, inputShape: $0 == 0 ? [2] : nil, name: "\(prefix)_\($0)") }
            let model = try Sequential(layers)
            try model.saveWeights(to: "\(dir)/big.h5")
            let root = try File.open("\(dir)/big.h5").root
            #expect(try !root.hasAttribute("layer_names"))
            #expect(try root.hasAttribute("layer_names0") && root.hasAttribute("layer_names1") && !root.hasAttribute("layer_names2"))
            let file = try WeightFile(path: "\(dir)/big.h5")
            #expect(file.layers.map(\.name) == model.layers.map(\.name))
            let copy = try Sequential((0..<300).map { Dense(2, inputShape: $0 == 0 ? [2] : nil, name: "\(prefix)_\($0)") })
            try copy.loadWeights(from: "\(dir)/big.h5", byName: true)
            #expect(copy.getWeights() == model.getWeights())
        }
    }

    @Test func layerNamesWithSlashesBecomeNestedGroups() throws {
        try withTemporaryDirectory { dir in
            let model = try Sequential([Dense(3, inputShape: [2], name: "fire2"), Dense(2, name: "fire2/squeeze")])
            try model.saveWeights(to: "\(dir)/slash.h5")
            let file = try WeightFile(path: "\(dir)/slash.h5")
            #expect(file.layers.map(\.path) == ["/fire2", "/fire2/squeeze"])
            #expect(file.layers[1].weights[0].path == "/fire2/squeeze/fire2/squeeze/kernel:0")
            let copy = try Sequential([Dense(3, inputShape: [2], name: "fire2"), Dense(2, name: "fire2/squeeze")])
            try copy.loadWeights(from: "\(dir)/slash.h5")
            #expect(copy.getWeights() == model.getWeights())
        }
    }
}
