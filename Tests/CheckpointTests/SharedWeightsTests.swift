import HDF5
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

@Suite struct SharedWeightsTests {

    @Test(arguments: [WeightFileFormat.kerasLegacy, .kerasV3])
    func aTiedParameterIsStoredOnceAndHardLinked(_ format: WeightFileFormat) throws {
        try withTemporaryDirectory { dir in
            let (model, _, _) = try Zoo.tiedModel()
            try model.saveWeights(to: "\(dir)/t.h5", format: format)
            let file = try WeightFile(path: "\(dir)/t.h5")
            let kernels = file.weights.filter { $0.shape == [3, 3] }
            #expect(kernels.count == 2)
            #expect(kernels[0].storageID == kernels[1].storageID)
            #expect(kernels[0].sharedWith == nil && kernels[1].sharedWith == kernels[0].path)
            if format == .kerasLegacy {
                #expect(kernels.map(\.path) == ["/enc/enc/kernel:0", "/dec/enc/kernel:0"])
            }
        }
    }

    @Test(arguments: [WeightFileFormat.kerasLegacy, .kerasV3])
    func loadingKeepsTheTie(_ format: WeightFileFormat) throws {
        try withTemporaryDirectory { dir in
            let (model, _, _) = try Zoo.tiedModel()
            try model.saveWeights(to: "\(dir)/t.h5", format: format)
            let (copy, encoder, decoder) = try Zoo.tiedModel()
            try copy.loadWeights(from: "\(dir)/t.h5")
            #expect(decoder.kernel === encoder.kernel)
            #expect(copy.getWeights() == model.getWeights())
            try encoder.kernel!.assign(.zeros([3, 3]))
            #expect(decoder.kernel!.value == .zeros([3, 3]))
        }
    }

    @Test func twoDifferentCopiesOfATiedParameterAreAnError() throws {
        try withTemporaryDirectory { dir in
            // The same architecture without the tie writes two independent kernels.
            let untied = try Sequential([Dense(3, inputShape: [3], name: "enc"), Dense(3, name: "dec")])
            try untied.saveWeights(to: "\(dir)/u.h5")
            let (model, encoder, _) = try Zoo.tiedModel()
            let before = encoder.kernel!.value
            // The tied model's dec layer expects [enc/kernel, dec/bias]; give the file that shape.
            let file = try File.open("\(dir)/u.h5", access: .readWrite)
            try file.root.group("dec").writeStrings("weight_names", ["dec/kernel:0", "dec/bias:0"], storage: .variableLength(.ascii))
            #expect {
                try model.loadWeights(from: "\(dir)/u.h5")
            } throws: { error in
                "\(error)".contains("ties /enc/enc/kernel:0 and /dec/dec/kernel:0 to one parameter, but the file stores different values")
            }
            #expect(encoder.kernel!.value == before)
        }
    }

    @Test func equalCopiesOfATiedParameterLoad() throws {
        try withTemporaryDirectory { dir in
            let (model, encoder, decoder) = try Zoo.tiedModel()
            let untied = try Sequential([Dense(3, inputShape: [3], name: "enc"), Dense(3, name: "dec")])
            try untied.layers[0].setWeights(encoder.getWeights())
            try untied.layers[1].setWeights(decoder.getWeights())
            try untied.saveWeights(to: "\(dir)/u.h5")
            try model.loadWeights(from: "\(dir)/u.h5")
            #expect(decoder.kernel === encoder.kernel)
        }
    }

    @Test(arguments: [WeightFileFormat.kerasLegacy, .kerasV3])
    func aLayerUsedTwiceIsSavedOnce(_ format: WeightFileFormat) throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.build("shared_twice")
            try model.saveWeights(to: "\(dir)/s.h5", format: format)
            let file = try WeightFile(path: "\(dir)/s.h5")
            #expect(file.weights.count == 4)
            #expect(file.layers.filter { !$0.weights.isEmpty }.map(\.name) == ["shared", "head"])
        }
    }
}
