import Testing
@testable import NeuralNet

@Suite struct ParameterAccessTests {
    func seedNet() throws -> Sequential {
        try withNamingSession { try Sequential([Dense(256, activation: .relu, inputShape: [20]), Dense(10)]) }
    }

    @Test func trainableWeightsAndGetWeightsFollowKerasOrder() throws {
        let net = try seedNet()
        #expect(net.trainableWeights.map(\.shape) == [[20, 256], [256], [256, 10], [10]])
        #expect(net.nonTrainableWeights.isEmpty)
        #expect(net.getWeights().map(\.shape) == [[20, 256], [256], [256, 10], [10]])
        #expect(net.weights.map(\.kerasName) == ["dense/kernel:0", "dense/bias:0", "dense_1/kernel:0", "dense_1/bias:0"])
        #expect(net.countParams() == 7946)
    }

    @Test func getWeightsReturnsValueCopies() throws {
        let net = try seedNet()
        var copies = net.getWeights()
        copies[1] = .ones([256])
        #expect(try net.layer(named: "dense").getWeights()[1] == .zeros([256]))
    }

    @Test func freezingALayerMovesItsWeightsToNonTrainable() throws {
        let net = try seedNet()
        net.layers[0].trainable = false
        #expect(net.trainableWeights.map(\.kerasName) == ["dense_1/kernel:0", "dense_1/bias:0"])
        #expect(net.nonTrainableWeights.map(\.kerasName) == ["dense/kernel:0", "dense/bias:0"])
        #expect(net.weights.count == 4)
        net.trainable = false
        #expect(net.trainableWeights.isEmpty && net.nonTrainableWeights.count == 4)
    }

    @Test func setWeightsAssignsInPlaceAndConverts() throws {
        let net = try seedNet()
        let kernel = net.weights[0]
        let values = net.getWeights().map { Tensor.full($0.shape, value: 0.25, dtype: .float64) }
        try net.setWeights(values)
        #expect(net.weights[0] === kernel)
        #expect(kernel.dtype == .float32 && kernel.value.scalars.allSatisfy { $0 == 0.25 })
    }

    @Test func setWeightsCountMismatchNamesTheLayer() throws {
        let net = try seedNet()
        #expect(throws: NeuralNetError.weightCountMismatch(layer: net.name, expected: 4, found: 3)) {
            try net.setWeights(Array(net.getWeights().prefix(3)))
        }
        let error = NeuralNetError.weightCountMismatch(layer: "dense", expected: 2, found: 1)
        #expect(error.description == "layer 'dense': expected 2 weight(s), received 1")
    }

    @Test func setWeightsShapeMismatchNamesLayerWeightAndShapesAndChangesNothing() throws {
        let net = try seedNet()
        let before = net.getWeights()
        var values = before.map { Tensor.ones($0.shape) }
        values[2] = .ones([10, 256])
        #expect(throws: NeuralNetError.weightShapeMismatch(layer: "dense_1", weight: "dense_1/kernel:0",
                                                           expected: [256, 10], found: [10, 256])) {
            try net.setWeights(values)
        }
        #expect(net.getWeights() == before)
        let text = NeuralNetError.weightShapeMismatch(layer: "dense_1", weight: "dense_1/kernel:0",
                                                      expected: [256, 10], found: [10, 256]).description
        #expect(text == "layer 'dense_1', weight 'dense_1/kernel:0': expected shape (256, 10), received (10, 256)")
    }

    @Test func perLayerAccess() throws {
        let net = try seedNet()
        for layer in net.layers {
            #expect(try net.layer(named: layer.name).weights.count == 2)
        }
        let dense = try net.layer(named: "dense")
        #expect(dense.getWeights()[1] == .zeros([256]))
        #expect(dense.countParams() == 5376)
    }

    @Test func setWeightsBuildsAnUnbuiltDense() throws {
        let layer = Dense(3)
        try layer.setWeights([.ones([4, 3]), .zeros([3])])
        #expect(layer.isBuilt && layer.inputWidth == 4)
    }
}
