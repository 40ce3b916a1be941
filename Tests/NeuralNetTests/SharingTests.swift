import Testing
import TestSupport
@testable import NeuralNet

/// A custom model that applies one Dense layer twice (true sharing).
final class TwiceModel: Model {
    let shared = Dense(4, activation: .relu, inputShape: [4])
    let head = Dense(1, inputShape: [4])
    override func call(_ x: Tensor) -> Tensor { head(shared(shared(x))) }
}

@Suite struct SharingTests {
    @Test func copySharingGivesIdenticalArrays() throws {
        let model = MLPModel()
        _ = model(.randomUniform([2, 2]))
        let weights = model.getWeights()
        #expect(weights[0] == weights[2] && weights[1] == weights[3])
        #expect(weights[0] != weights[4] || weights[1] != weights[5])
        // A copy, not a tie: changing one afterwards leaves the other alone.
        try model.hidden.setWeights([.ones([2, 2]), .ones([2])])
        #expect(model.hidden1.getWeights()[0] != .ones([2, 2]))
    }

    @Test func oneLayerAppliedTwiceInASequentialCountsOnce() throws {
        let shared = Dense(4, activation: .relu, inputShape: [4])
        let net = try Sequential([shared, shared, Dense(1)])
        #expect(net.layers.count == 2)
        #expect(net.weights.count == 4 && net.countParams() == 20 + 5)
        try shared.setWeights([Tensor.full([4, 4], value: 1), .zeros([4])])
        try net.layers[1].setWeights([.ones([4, 1]), .zeros([1])])
        // ones·[1,1,1,1]ᵀ twice: 4 → 16 per unit; the head sums four of them.
        #expect(net(.ones([1, 4])).scalars == [64])
        #expect(net.summaryOutputShapes() == ["multiple", "(None, 1)"])
    }

    @Test func oneLayerAppliedTwiceInACustomModelCountsOnce() throws {
        let model = TwiceModel()
        #expect(model.layers.count == 2 && model.weights.count == 4)
        #expect(model(.ones([3, 4])).shape == [3, 1])
    }

    @Test func tiedKernelIsOneObjectSeenByBothLayers() throws {
        let encoder = Dense(3, inputShape: [3], name: "enc")
        let decoder = Dense(3, name: "dec")
        decoder.tie(kernel: encoder.kernel!)
        #expect(decoder.kernel === encoder.kernel)
        let net = try Sequential([encoder, decoder])
        #expect(net.weights.count == 3)           // the tied kernel appears once
        #expect(decoder.weights.count == 2)       // but each layer still lists it
        try encoder.kernel!.assign(.ones([3, 3]))
        #expect(decoder.kernel!.value == .ones([3, 3]))
        // A later setWeights through the model updates in place: the tie survives.
        try net.setWeights([Tensor.full([3, 3], value: 2), .zeros([3]), .zeros([3])])
        #expect(decoder.kernel === encoder.kernel && decoder.kernel!.value == .full([3, 3], value: 2))
    }
}
