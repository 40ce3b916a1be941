/// What a container holds, as the Keras layouts name it: the layout found, the layers with their
/// weights, and the model's own, optimizer and metric state.
package struct WeightIndex {
    /// The layout found.
    package var format: WeightFileFormat
    /// Whether the weights sit in the `model_weights` group of a full-model legacy file.
    package var isFullModel = false
    /// The model's config: the `model_config` JSON of a full-model file, or a `.keras` archive's
    /// `config.json`, if present.
    package var modelConfig: String?
    /// A `.keras` archive's `metadata.json`, if the container is one.
    package var archiveMetadata: String?
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

    /// Why the container holds no Keras layout, when it does not (a safetensors file from another
    /// writer: its tensors are grouped by name, not placed as Keras places them).
    package var foreignLayoutNote: String?

    package init(format: WeightFileFormat, isFullModel: Bool = false) {
        self.format = format
        self.isFullModel = isFullModel
    }
}
