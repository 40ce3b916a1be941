import NeuralNet

extension Model {
    /// Saves the whole model — its architecture and its weights — like Keras's `model.save(path)`,
    /// so that Keras (or ``loadModel(from:options:)``) rebuilds it ready to run.
    ///
    /// - `m.keras`: a Keras 3 archive (`metadata.json`, `config.json`, `model.weights.h5` in the
    ///   Keras 3 layout), which `keras.saving.load_model` loads.
    /// - `m.h5` / `m.hdf5`: a full-model legacy HDF5 file (`model_config` on the root, the weights
    ///   in `model_weights` in the legacy layout), which tf-keras 2's `load_model` and Keras 3's
    ///   legacy loader load.
    ///
    /// The config names each layer's class and the arguments Heft implements (see
    /// ``KerasLayerFactory``'s list); initializers are not recorded (the weights are). Weights carry
    /// Heft's integrity digests (`digest`: XXH3-128 or SHA-256); the file is replaced atomically, as by
    /// ``saveWeights(to:format:maxShardSize:)``.
    ///
    /// - Throws: ``CheckpointError`` naming the file: another extension (`.weights.h5` is a weights
    ///   file: use `saveWeights`), a subclassed model (no config describes it), a model that is not
    ///   built, a Sequential model applying a layer twice, a layer or activation a Keras config cannot
    ///   describe, or a file-system / HDF5 failure.
    public func save(to path: String, digest: DigestAlgorithm = .xxh3) throws {
        let name = path.lowercased()
        let line: KerasConfigWriter.KerasLine
        if name.hasSuffix(".keras") {
            line = .keras3
        } else if (name.hasSuffix(".h5") || name.hasSuffix(".hdf5")) && !name.hasSuffix(".weights.h5") {
            line = .tfKeras2
        } else {
            throw CheckpointError(file: path, .unsupportedModel(
                "save(to:) writes a whole model to a .keras archive or a full-model .h5; for weights alone use saveWeights(to:)"))
        }
        var plan = try SavePlan(model: self, file: path)
        plan.digestAlgorithm = digest
        let config = try KerasConfigWriter(line: line, file: path).modelConfig(self).jsonText
        switch line {
        case .keras3:
            plan.archive = SavePlan.ArchiveContents(config: config, metadata: "{}")
            try WeightWriter.write(plan, format: .kerasV3, to: path)
        case .tfKeras2:
            plan.fullModelConfig = config
            try WeightWriter.write(plan, format: .kerasLegacy, to: path)
        }
    }
}
