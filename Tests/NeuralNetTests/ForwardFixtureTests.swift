import Testing
@testable import NeuralNet

/// Forward passes against outputs computed by real Keras on the same weights and inputs.
@Suite struct ForwardFixtureTests {
    @Test func fixturesArePresent() {
        #expect(ForwardFixture.names.count >= 15)
    }

    @Test(arguments: ForwardFixture.names)
    func forwardMatchesKeras(_ name: String) throws {
        let fixture = try ForwardFixture.load(name)
        var width = fixture.input.shape.last!
        let layers: [any Layer] = try fixture.layers.map { spec in
            defer { width = spec.units }
            return Dense(spec.units, activation: try Activation(identifier: spec.activation),
                         useBias: spec.use_bias, inputShape: [width])
        }
        let net = try Sequential(layers)
        try net.setWeights(fixture.weights.map(Tensor.init))
        let y = net(Tensor(fixture.input))
        let expected = Tensor(fixture.output)
        #expect(y.shape == expected.shape)
        #expect(y.isApproximatelyEqual(to: expected, rtol: 1e-5, atol: 1e-5),
                "\(fixture.writer): max |Δ| = \(y.maxAbsoluteDifference(to: expected))")
    }
}
