/// The two HDF5 layouts Keras uses for weights.
public enum WeightFileFormat: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// Keras 2 / tf.keras `.h5`: root `layer_names`, one group per layer with `weight_names`, data at
    /// `<layer>/<weight name>` (also the `model_weights` group of a full-model `model.save('m.h5')`).
    case kerasLegacy = "keras-legacy"
    /// Keras 3 `.weights.h5`: `layers/<path>/vars/<i>`, paths named after layer classes and attributes.
    case kerasV3 = "keras-v3"

    /// The layout Keras would use for a file name: `*.weights.h5`, `*.weights.json` (sharded),
    /// `*.keras` and `*.safetensors` → ``kerasV3``, anything else (`.h5`, `.hdf5`) →
    /// ``kerasLegacy``. Used only to choose how to *save*; reading always detects the layout from
    /// the content.
    public init(forPath path: String) {
        let keras3 = [".weights.h5", ".weights.json", ".keras", ".safetensors"].contains { path.hasSuffix($0) }
        self = keras3 ? .kerasV3 : .kerasLegacy
    }

    public var description: String { rawValue }
}
