import NeuralNet

extension Layer {
    /// The weights in the order a legacy `.h5` stores a top-level layer's: trainable ones first,
    /// then the rest, each once (Keras's `_legacy_weights`: `trainable_weights +
    /// non_trainable_weights`). It differs from ``Layer/weights`` only for a layer holding
    /// sublayers with non-trainable weights (a nested model with BatchNormalization).
    var legacyWeights: [Parameter] {
        var seen = Set<ObjectIdentifier>()
        return (trainableWeights + nonTrainableWeights).filter { seen.insert(ObjectIdentifier($0)).inserted }
    }
}
