import NeuralNet

/// Gives every weight of `model` seeded random values in −1…1 (moving variances 0.5…2, which
/// must stay positive), so that interop tests compare outputs of non-trivial weights.
public func randomizeWeights(_ model: Model) throws {
    try model.setWeights(model.weights.enumerated().map { position, weight in
        weight.name == "moving_variance"
            ? .randomUniform(weight.shape, minval: 0.5, maxval: 2, seed: UInt64(position))
            : .randomUniform(weight.shape, minval: -1, maxval: 1, seed: UInt64(position))
    })
}
