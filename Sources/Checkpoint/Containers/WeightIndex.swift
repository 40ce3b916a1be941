/// What a container holds, as the Keras layouts name it: the layout found, the layers with their
/// weights, and the model's own, optimizer and metric state.
package struct WeightIndex {
    /// The layout found.
    package var format: WeightFileFormat
    /// Whether the weights sit in the `model_weights` group of a full-model legacy file.
    package var isFullModel = false
    /// The `model_config` JSON of a full-model file, if present.
    package var modelConfig: String?
    /// The layers in the container's order (see ``WeightFile/layers``).
    package var layers: [LayerEntry] = []
    /// Weights owned by the model itself: legacy `top_level_model_weights`, Keras 3 root `vars`.
    package var topLevelWeights: [WeightEntry] = []
    /// The optimizer's state: legacy `optimizer_weights`, Keras 3 `optimizer/vars`.
    package var optimizerWeights: [WeightEntry] = []
    /// The optimizer's stored name (Keras 3's `optimizer/vars` `name`, e.g. `adam`).
    package var optimizerName: String?
    /// Metric state objects (Keras 3 `metrics/<metric>/vars`).
    package var metricLayers: [LayerEntry] = []

    package init(format: WeightFileFormat, isFullModel: Bool = false) {
        self.format = format
        self.isFullModel = isFullModel
    }
}
