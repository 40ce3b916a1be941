import Testing
@testable import NeuralNet

@Suite struct DenseTests {
    @Test func weightsHaveKerasShapesAndDefaults() throws {
        let layer = Dense(256, activation: .relu, inputShape: [20], name: "probe")
        #expect(layer.isBuilt)
        #expect(layer.kernel?.shape == [20, 256])
        #expect(layer.bias?.shape == [256])
        #expect(layer.bias?.value.scalars.allSatisfy { $0 == 0 } == true)
        #expect(layer.kernelInitializer.name == "glorot_uniform")
        #expect(layer.weights.map(\.kerasName) == ["probe/kernel:0", "probe/bias:0"])
        let limit = Float((6.0 / 276).squareRoot())
        #expect(layer.kernel!.value.scalars.allSatisfy { abs($0) <= limit })
    }

    @Test func buildsOnFirstCallWhenTheInputWidthIsNotGiven() {
        let layer = Dense(3)
        #expect(!layer.isBuilt && layer.weights.isEmpty)
        let y = layer(.ones([5, 7]))
        #expect(layer.isBuilt && layer.kernel?.shape == [7, 3])
        #expect(y.shape == [5, 3])
    }

    @Test func forwardIsXTimesKernelPlusBiasThenActivation() throws {
        let layer = Dense(2, activation: .relu, inputShape: [3])
        try layer.setWeights([Tensor([[1, -1], [2, 0], [0, 3]]), Tensor(shape: [2], scalars: [0.5, -10])])
        let y = layer(Tensor([[1, 1, 1], [2, 0, -1]]))
        // [1,1,1]·K = [3, 2] + b = [3.5, -8] → relu [3.5, 0];  [2,0,-1]·K = [2, -5] + b = [2.5, -15] → [2.5, 0]
        #expect(y == Tensor([[3.5, 0], [2.5, 0]]))
    }

    @Test func withoutBiasThereIsOnlyAKernel() {
        let layer = Dense(4, useBias: false, inputShape: [2])
        #expect(layer.weights.count == 1 && layer.bias == nil)
        #expect(layer(.zeros([1, 2])) == .zeros([1, 4]))
    }

    @Test func higherRankInputsApplyToTheLastAxis() throws {
        let layer = Dense(1, useBias: false, kernelInitializer: .ones, inputShape: [2])
        let y = layer(Tensor(shape: [2, 2, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8]))
        #expect(y.shape == [2, 2, 1] && y.scalars == [3, 7, 11, 15])
    }

    @Test func weightsKeepTheLayerDType() {
        let layer = Dense(3, inputShape: [2], dtype: .float64)
        #expect(layer.kernel?.dtype == .float64)
        #expect(layer(.ones([1, 2])).dtype == .float32)
    }

    @Test func wrongInputWidthStopsWithTheLayerAndWidths() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let layer = Dense(4, inputShape: [20], name: "narrow")
            _ = layer(.zeros([2, 19]))
        } .map { result in
            let text = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(text.contains("Dense layer 'narrow': expected input width 20, found 19"))
        }
    }
}
