import Foundation
import NeuralNet

/// Builds the model a Keras file describes and loads its weights, like
/// `keras.saving.load_model(path)`: a `.keras` archive (its `config.json`) or a full-model `.h5`
/// of tf-keras 2 or Keras 3 (its `model_config`). Sequential and functional models of the layers
/// Heft implements (see ``KerasLayerFactory``) are built with their names and arguments, then
/// loaded with ``Model/loadWeights(from:byName:skipMismatch:options:)``'s checks.
///
/// - Throws: ``CheckpointError`` naming the file: a weights-only file (no config), a subclassed
///   model, a layer class or argument Heft does not implement (naming the layer, class and
///   argument), or anything loading the weights throws.
public func loadModel(from path: String, options: LoadOptions = LoadOptions()) throws -> Model {
    let file = try WeightFile(path: path, limits: options.limits)
    guard let text = file.modelConfig else {
        throw CheckpointError(file: path, .unsupportedModel(
            "holds weights only, no model config: build the model in Swift and call loadWeights(from:)"))
    }
    let config: JSONValue
    do {
        config = try JSONValue.parse(Data(text.utf8))
    } catch {
        throw CheckpointError(file: path, .corruptObject(path: "model config", detail: "not JSON"))
    }
    let model = try KerasModelBuilder(file: path).model(config)
    try model.loadWeights(from: path, options: options)
    return model
}
