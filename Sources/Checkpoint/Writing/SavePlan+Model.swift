import NeuralNet

extension SavePlan {
    /// The plan that saves `model`'s current weights in either layout.
    ///
    /// - Throws: ``CheckpointError`` (for `file`) if the model is not built or two different weights
    ///   of one layer have the same name (Keras cannot store that either).
    init(model: Model, file: String) throws {
        guard model.isBuilt else {
            throw CheckpointError(file: file, .unsupportedModel(
                "model '\(model.name)' is not built: call it on data or build(inputShape:) before saving"))
        }
        let legacyLayers = try model.layers.map { layer in
            LegacyLayer(name: layer.name, weights: try Self.weights(layer.legacyWeights, layer: layer.name, file: file))
        }
        let v3Objects = try KerasV3Paths.placements(of: model).dropFirst().map { placement in
            V3Object(path: placement.path, layerName: placement.layer.name,
                     weights: try Self.weights(placement.layer.ownWeights, layer: placement.layer.name, file: file))
        }
        self.init(modelName: model.name, legacyLayers: legacyLayers, v3Objects: Array(v3Objects))
    }

    private static func weights(_ parameters: [Parameter], layer: String, file: String) throws -> [Weight] {
        var seen = Set<String>()
        return try parameters.map { parameter in
            guard seen.insert(parameter.kerasName).inserted else {
                throw CheckpointError(file: file, .unsupportedModel(
                    "layer '\(layer)' has two different weights named '\(parameter.kerasName)'"))
            }
            return Weight(name: parameter.kerasName, shape: parameter.shape, dtype: parameter.dtype,
                          shareKey: .parameter(ObjectIdentifier(parameter)), source: .tensor { parameter.value })
        }
    }
}
