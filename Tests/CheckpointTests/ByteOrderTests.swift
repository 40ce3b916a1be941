import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint
@testable import HDF5

/// Data stored big-endian is converted by libhdf5 when it is read straight into the weights.
@Suite struct ByteOrderTests {
    @Test func bigEndianWeightsLoadWithTheirValues() throws {
        try withTemporaryDirectory { dir in
            let kernel = Tensor.randomUniform([4, 3], seed: 1), bias = Tensor.randomUniform([3], seed: 2)
            do {
                let root = try File.create("\(dir)/be.h5", overwrite: true).root
                try root.writeStrings("layer_names", ["dense"], storage: .variableLength(.ascii))
                let group = try root.createGroup("dense")
                try group.writeStrings("weight_names", ["dense/kernel:0", "dense/bias:0"], storage: .variableLength(.ascii))
                for (name, value) in [("kernel:0", kernel), ("bias:0", bias)] {
                    let dataset = try group.createDataset("dense/\(name)", type: .float32, shape: value.shape, byteOrder: .bigEndian)
                    try dataset.write(value.scalars)
                }
            }
            let file = try WeightFile(path: "\(dir)/be.h5")
            #expect(file.weights.allSatisfy { file.hasVerifiedExtent($0) })   // read in place, converted
            let model = try Sequential([Dense(3, inputShape: [4], name: "dense")])
            try model.loadWeights(from: "\(dir)/be.h5")
            #expect(model.getWeights() == [kernel, bias])
        }
    }

    @Test func contiguousWeightsAreReadInPlace() throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.build("seed_mlp")
            try model.saveWeights(to: "\(dir)/le.h5")
            let file = try WeightFile(path: "\(dir)/le.h5")
            #expect(file.weights.allSatisfy { file.hasVerifiedExtent($0) })
            let copy = try Zoo.build("seed_mlp")
            try copy.loadWeights(from: "\(dir)/le.h5")
            #expect(copy.getWeights() == model.getWeights())
        }
    }
}

/// Every HDF5 element type has the Heft dtype of the same name, and back.
@Suite struct DTypeMappingTests {
    @Test func everyElementTypeMapsToItsDTypeAndBack() {
        for elementType in ElementType.allCases {
            #expect(DType(elementType).elementType == elementType)
            #expect("\(DType(elementType))" == "\(elementType)")
        }
        #expect(Set(DType.allCases.map(\.elementType)).count == ElementType.allCases.count)
    }
}
