import NeuralNet

extension Model {
    /// Saves the weights to `path` in a Keras layout, like `model.save_weights(path)`.
    ///
    /// The container comes from the name: `*.weights.json` → a sharded set as Keras ≥ 3.10 writes
    /// it (`save_weights(path, max_shard_size=…)`: the index and shards `<name>_00000.weights.h5`, …
    /// of at most `maxShardSize` bytes, 5 GiB by default; shards first, the index last, old shards of
    /// a replaced set removed after), `*.safetensors` → one safetensors file (tensors under their
    /// Keras identities, see ``SafetensorsIndex``), anything else → one HDF5 file. The layout is
    /// `format` or, by default, chosen from the name: `.h5` and `.hdf5` → legacy Keras 2
    /// (`layer_names`, `<layer>/<weight name>`), anything else → Keras 3 (`layers/<path>/vars/<i>`).
    /// A parameter shared by several layers is stored once. Each tensor carries a checksum checked on
    /// every load — XXH3-128, or SHA-256 with `digest: .sha256` (see ``Integrity``). The checkpoint is replaced atomically
    /// (temporary files, fsync, rename, directory fsync): on any failure the previous one at `path`
    /// is intact.
    ///
    /// - Throws: ``CheckpointError`` naming the file: the model is not built, two weights of one
    ///   layer share a name, two layers share a name (legacy), a `.keras` archive (which needs the
    ///   model's config), or a file-system / HDF5 failure.
    public func saveWeights(to path: String, format: WeightFileFormat? = nil, maxShardSize: Int? = nil,
                            digest: DigestAlgorithm = .xxh3) throws {
        precondition(maxShardSize.map { $0 > 0 } ?? true, "saveWeights: maxShardSize must be positive")
        var plan = try SavePlan(model: self, file: path)
        plan.maximumShardBytes = maxShardSize
        plan.digestAlgorithm = digest
        try WeightWriter.write(plan, format: format ?? WeightFileFormat(forPath: path), to: path)
    }

    /// Loads weights from a Keras weights file of either layout, like `model.load_weights(path)`,
    /// in any container: one HDF5 file, a `.keras` archive, a sharded `.weights.json` set, or a
    /// safetensors file Heft wrote.
    ///
    /// The container and layout are detected from the content. Legacy files load by Keras's topological rule (the
    /// n-th layer with weights in the file into the n-th layer with weights in the model) or, with
    /// `byName`, into every model layer of the same name. Keras 3 files load by object path, as
    /// Keras 3 does. Every structural, shape, dtype and tie check runs before any weight changes, so a
    /// mismatched or damaged file leaves the model as it was (with `skipMismatch`, mismatched layers
    /// are left alone and reported). Values stored as one verified contiguous block inside the file
    /// are then read straight into the weights' storage (no second copy of the model in memory); only
    /// an I/O error during that last step can leave the model partly loaded, and the error says so. Values whose dtype differs from
    /// the weight's are converted to the weight's dtype (rounded to nearest) and listed in
    /// ``LoadReport/conversions``. Ties survive: values are assigned in place.
    ///
    /// Files Heft wrote carry a SHA-256 per tensor (see ``Integrity``); they are checked before any
    /// weight changes unless `options.verifyIntegrity` is off. `options` also sets the reader's
    /// ``ReadLimits`` and whether the file is first checked in an isolated process.
    ///
    /// - Throws: ``CheckpointError`` naming the file and, for mismatches, the layer and weight with
    ///   expected and found counts or shapes and the first point where file and model diverge; for
    ///   a tensor whose bytes changed since Heft wrote it, an integrity error naming it.
    @discardableResult
    public func loadWeights(from path: String, byName: Bool = false, skipMismatch: Bool = false,
                            options: LoadOptions = LoadOptions()) throws -> LoadReport {
        try loadWeights(from: path, byName: byName, skipMismatch: skipMismatch, options: options, owned: nil)
    }

    /// ``loadWeights(from:byName:skipMismatch:options:)``, assigning only the parameters `owned`
    /// gives for the file's layout (all when `nil`); the whole model is matched and checked.
    func loadWeights(from path: String, byName: Bool, skipMismatch: Bool, options: LoadOptions,
                     owned: ((WeightFileFormat) throws -> Set<ObjectIdentifier>)?) throws -> LoadReport {
        if let isolation = options.isolation {
            try Isolation.check(files: [path], limits: isolation) { worker in
                try WeightFile(path: path, limits: options.limits, observer: worker.observer)
                    .checkTensors(verifyingDigests: options.verifyIntegrity)
            }
        }
        let file = try WeightFile(path: path, options: OpenOptions(
            limits: options.limits, prefetch: Prefetch(budget: WeightLoader.digestStagingBytes, digests: options.verifyIntegrity)))
        if let foreign = file.foreignLayoutNote {
            throw CheckpointError(file: path, .unsupportedModel(foreign))
        }
        let loader = WeightLoader(file: file, model: self, skipMismatch: skipMismatch, verifyIntegrity: options.verifyIntegrity,
                                   stagingBudget: options.digestStagingBudget, owned: try owned?(file.format))
        switch file.format {
        case .kerasLegacy:
            return try byName ? loader.loadLegacyByName() : loader.loadLegacyByOrder()
        case .kerasV3:
            guard !byName else {
                throw CheckpointError(file: path, .mismatch(.byNameNeedsLegacy))
            }
            return try loader.loadV3()
        }
    }
}
