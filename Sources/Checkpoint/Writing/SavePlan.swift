import NeuralNet

/// What to write, independent of the layout: the legacy view (top-level layers, each with its
/// flattened weights) and the Keras 3 view (object paths, each with the weights it owns).
///
/// A weight's `shareKey` identifies one array: a second weight with the same key is written as an
/// HDF5 hard link to the first path instead of a copy.
package struct SavePlan {
    package struct Weight {
        /// The legacy weight name (`dense/kernel:0`), a path relative to the layer group.
        package let name: String
        package let shape: [Int]
        package let dtype: DType
        package let shareKey: ShareKey
        package let source: Source
        /// Whether the bytes written are checked against the digest the source file stored for
        /// them (a file being converted, ``Source/file(_:_:)``), so a changed tensor is not
        /// rewritten under a fresh digest.
        package var checksSourceDigest = false
    }

    package struct LegacyLayer {
        package let name: String
        package let weights: [Weight]
    }

    package struct V3Object {
        /// The object path without a leading slash, e.g. `layers/dense`; `""` for the model's own
        /// variables (the root `vars`).
        package let path: String
        /// The object's name, stored as the `name` attribute of its `vars` group (`nil`: none, as
        /// tf-keras writes its optimizer).
        package let layerName: String?
        package let weights: [Weight]
    }

    /// Where a weight's values come from.
    package enum Source {
        /// A tensor in memory (a model's parameter).
        case tensor(() throws -> Tensor)
        /// A tensor of a file being converted, copied block by block (bounded memory whatever its
        /// size or filters).
        case file(WeightFile, WeightEntry)
    }

    /// What identifies one array: a model parameter, or a dataset of the file being converted.
    package enum ShareKey: Hashable {
        case parameter(ObjectIdentifier)
        case dataset(UInt64)
    }

    /// What a `.keras` archive holds besides the weights: the model's `config.json` and
    /// `metadata.json`, taken from another archive of the same model.
    package struct ArchiveContents {
        package let config: String
        package let metadata: String
    }

    package let modelName: String
    package let legacyLayers: [LegacyLayer]
    /// Variables of the model itself, written to a legacy file's `top_level_model_weights`.
    package var legacyTopLevel: [Weight] = []
    package let v3Objects: [V3Object]
    /// The config and metadata a `.keras` archive needs, when the plan has them.
    package var archive: ArchiveContents?
    /// The model's config, carried where the container holds one (a `.keras` archive's
    /// `config.json`, a safetensors file's `heft.index`).
    package var modelConfig: String? { archive?.config }
    /// The `model_config` of a full-model legacy `.h5` (`model.save("m.h5")`): when set, the legacy
    /// layout is written in the `model_weights` group, the config and Keras's version attributes on
    /// the root.
    package var fullModelConfig: String?
    /// The checksum stored with each tensor (see ``Integrity``): XXH3-128 unless asked otherwise.
    package var digestAlgorithm = DigestAlgorithm.xxh3
    /// The largest shard of a sharded checkpoint, in bytes (`nil`: Keras's default, 5 GB).
    package var maximumShardBytes: Int?
    /// Called with the bytes of each tensor written (a progress line's feed); links count nothing.
    package var progress: ((_ bytes: Int) -> Void)?

    /// The bytes of every distinct array the plan writes (what ``progress`` adds up to).
    package var totalBytes: Int {
        var seen = Set<ShareKey>()
        return (legacyLayers.flatMap(\.weights) + legacyTopLevel + v3Objects.flatMap(\.weights))
            .filter { seen.insert($0.shareKey).inserted }
            .reduce(0) { $0 + $1.shape.reduce($1.dtype.byteCount, *) }
    }
}
