import Foundation
import NeuralNet

extension SavePlan {
    /// The plan that rewrites `file` in `format`, reading each tensor only when it is written.
    ///
    /// Same layout: layer names, weight names and paths are kept. Legacy → Keras 3: each layer's
    /// Keras class comes from the file's `model_config` when it has one, else from its weights
    /// (`kernel` of rank 2 [+ `bias`] → Dense, rank 3–5 → Conv1D–3D, `gamma, beta, moving_mean,
    /// moving_variance` → BatchNormalization, `embeddings` → Embedding); a layer whose weights belong
    /// to several sublayers is a nested Sequential. Keras 3 → legacy: each top-level object becomes a
    /// layer named by its `name` attribute, with the weights of its nested objects, named
    /// `<object name>/<variable>:0` after the class its path names (dense → kernel, bias).
    /// Hard-linked datasets stay hard links.
    ///
    /// - Throws: ``CheckpointError`` when a layer's class cannot be determined.
    init(file: WeightFile, format: WeightFileFormat) throws {
        switch (file.format, format) {
        case (.kerasLegacy, .kerasLegacy):
            self.init(modelName: "model", legacyLayers: file.layers.map { layer in
                LegacyLayer(name: layer.name, weights: layer.weights.map { Self.weight($0, named: $0.name, in: file) })
            }, v3Objects: [])
        case (.kerasV3, .kerasV3):
            self.init(modelName: "model", legacyLayers: [], v3Objects: file.layers.map { layer in
                V3Object(path: String(layer.path.dropFirst()), layerName: layer.name,
                         weights: layer.weights.map { Self.weight($0, named: $0.name, in: file) })
            })
        case (.kerasLegacy, .kerasV3):
            let classes = ModelConfigClasses(json: file.modelConfig)
            var objects: [V3Object] = []
            var counters: [String: Int] = [:]
            for layer in file.layers where !layer.weights.isEmpty {
                try LegacyToV3.place(layer, file: file, classes: classes, container: "layers", counters: &counters, into: &objects)
            }
            self.init(modelName: classes.modelName ?? "model", legacyLayers: [], v3Objects: objects)
        case (.kerasV3, .kerasLegacy):
            self.init(modelName: "model", legacyLayers: V3ToLegacy.layers(of: file), v3Objects: [])
        }
    }

    /// The weight that copies `entry`, checking the digest the file stored for it (if any) against
    /// the bytes written: the dtype is kept, so they are the bytes the digest was computed over.
    static func weight(_ entry: WeightEntry, named name: String, in file: WeightFile) -> Weight {
        Weight(name: name, shape: entry.shape, dtype: entry.dtype, shareKey: .dataset(entry.objectAddress),
               value: { try file.read(entry) },
               checkDigest: { written in
                   guard let stored = try file.storedDigest(of: entry) else { return }
                   try file.requireDigest(written, matches: stored, for: entry)
               })
    }
}

extension WeightFile {
    /// Rewrites this file's weights to `path` in `format` through the same writer as
    /// `Model.saveWeights` (atomic replacement, dtypes and hard links kept), one tensor at a time.
    /// Each SHA-256 this file stores is checked against the bytes written, with the hash the output
    /// needs anyway: a tensor that changed since it was written stops the conversion.
    ///
    /// - Throws: ``CheckpointError`` naming the file: a layer whose Keras class cannot be determined,
    ///   a tensor whose digest does not match (naming this file and the tensor), or a read, write or
    ///   file-system failure (the previous file at `path` is then intact).
    public func convert(to path: String, format: WeightFileFormat) throws {
        try WeightWriter.write(SavePlan(file: self, format: format), format: format, to: path)
    }
}

/// Layer classes by layer name, from a full-model file's `model_config` JSON (empty without one;
/// an unparsable config also leaves it empty, and classes are then inferred from the weights).
struct ModelConfigClasses {
    private(set) var classes: [String: String] = [:]
    private(set) var modelName: String?

    init(json: String?) {
        guard let data = json?.data(using: .utf8) else { return }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch { return }
        guard let root = object as? [String: Any] else { return }
        modelName = (root["config"] as? [String: Any])?["name"] as? String
        collect(root)
    }

    private mutating func collect(_ node: [String: Any]) {
        guard let config = node["config"] as? [String: Any], let layers = config["layers"] as? [[String: Any]] else { return }
        for layer in layers {
            let layerConfig = layer["config"] as? [String: Any]
            guard let className = layer["class_name"] as? String,
                  let name = layerConfig?["name"] as? String ?? layer["name"] as? String else { continue }
            classes[name] = className
            collect(layer)
        }
    }
}
