extension Layer {
    /// All weights: this layer's own, then each sublayer's in tracking order; a weight reached
    /// twice (a shared layer or a tied parameter) appears once, at its first position.
    ///
    /// This is the order of ``getWeights()``, ``setWeights(_:)`` and of Keras's `model.weights`.
    public var weights: [Parameter] {
        unique(ownWeights + layers.flatMap(\.weights))
    }

    /// The trainable weights (`trainable_weights`): empty when ``trainable`` is `false`.
    public var trainableWeights: [Parameter] {
        guard trainable else { return [] }
        return unique(ownWeights.filter(\.trainable) + layers.flatMap(\.trainableWeights))
    }

    /// The non-trainable weights (`non_trainable_weights`): all weights when ``trainable`` is `false`.
    public var nonTrainableWeights: [Parameter] {
        let trainableIDs = Set(trainableWeights.map(ObjectIdentifier.init))
        return weights.filter { !trainableIDs.contains(ObjectIdentifier($0)) }
    }

    /// Value copies of ``weights``, like `get_weights()`.
    public func getWeights() -> [Tensor] {
        weights.map(\.value)
    }

    /// Sets every weight from `values`, in the order of ``weights``, like `set_weights()`.
    ///
    /// Values are assigned in place (ties survive) and converted to each weight's dtype. An unbuilt
    /// layer that can infer its input shape from the values (``Dense``) builds first. Nothing is
    /// changed unless every count and shape matches.
    /// - Throws: ``NeuralNetError/weightCountMismatch(layer:expected:found:)`` or
    ///   ``NeuralNetError/weightShapeMismatch(layer:weight:expected:found:)`` naming the layer and weight.
    public func setWeights(_ values: [Tensor]) throws {
        if let self = self as? any WeightShapeInferring, !isBuilt { self.build(fromWeightShapes: values.map(\.shape)) }
        let targets = weights
        guard targets.count == values.count else {
            throw NeuralNetError.weightCountMismatch(layer: name, expected: targets.count, found: values.count)
        }
        for (target, value) in zip(targets, values) where target.shape != value.shape {
            throw NeuralNetError.weightShapeMismatch(layer: target.layerName, weight: target.kerasName,
                                                     expected: target.shape, found: value.shape)
        }
        for (target, value) in zip(targets, values) { try target.assign(value) }
    }

    /// The number of scalars in ``weights`` (`count_params()`).
    public func countParams() -> Int {
        weights.reduce(0) { $0 + $1.value.count }
    }
}

/// A layer that can build itself from the shapes of the weights it is given (used by `setWeights`
/// on an unbuilt layer).
protocol WeightShapeInferring: Layer {
    func build(fromWeightShapes shapes: [[Int]])
}

/// The parameters in order, each object once.
func unique(_ parameters: [Parameter]) -> [Parameter] {
    var seen = Set<ObjectIdentifier>()
    return parameters.filter { seen.insert(ObjectIdentifier($0)).inserted }
}

/// The layers in order, each object once.
func unique(_ layers: [any Layer]) -> [any Layer] {
    var seen = Set<ObjectIdentifier>()
    return layers.filter { seen.insert(ObjectIdentifier($0)).inserted }
}
