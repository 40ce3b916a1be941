import NeuralNet

extension WeightFile {
    /// What a conversion did beyond writing the file.
    public struct ConversionReport: Sendable {
        /// What the output does not hold, one sentence each (optimizer state a legacy weights file
        /// cannot keep, a model config a weights file does not carry).
        public let notes: [String]
        /// The output's top-level layers with weights, as its check read them back.
        public let layers: Int
        /// The output's model tensors.
        public let weights: Int
        /// The output's optimizer tensors.
        public let optimizerWeights: Int
    }

    /// Rewrites this file's weights to `path` in `format` through the same writer as
    /// `Model.saveWeights` (atomic replacement, dtypes and hard links kept), one tensor at a time.
    /// The container is the one `path` names (see ``ContainerRegistry``): `.keras` (an archive with
    /// `reference`'s config and metadata, or this file's if it is an archive), `.weights.json`
    /// (shards of at most `maxShardSize` bytes, Keras's 5 GB by default), `.safetensors`, or HDF5.
    ///
    /// Same layout: paths, names and order are kept. Another layout: each tensor goes where Keras
    /// keeps that variable there, by its Keras identity (see ``KerasModelView``): the layer classes
    /// come from the file's model config, its Keras 3 paths or automatic layer names, or from
    /// `reference` (any Keras weights or model file of the same architecture), whose own layout
    /// then also decides names and order. Optimizer state goes along to a Keras 3 file and is left
    /// out, with a note, where the layout cannot hold it or `dropOptimizer` asks so.
    ///
    /// A file Heft wrote must pass its integrity check as `heft verify` judges it (every tensor's
    /// SHA-256 and the manifest), or it is refused: a tampered file is never re-signed under fresh
    /// digests. Files without Heft's digests (Keras's) convert unchecked.
    ///
    /// Before the result replaces anything at `path`, it is read back and checked: every tensor
    /// must show the identity, shape and dtype of the source tensor written there, and the result
    /// must load into the model `reference` (if given) and the source describe, by the rules of
    /// Keras's own loader. Each SHA-256 this file stores is checked against the bytes written.
    ///
    /// - Throws: ``CheckpointError`` naming the file: a failed integrity check (naming the tensor or
    ///   the manifest), a layer whose class, structure or order is
    ///   not known (with the remedy), a reference that does not fit, a result that would not load
    ///   as the source does, a tensor whose digest does not match, or a read, write or file-system
    ///   failure; a `.keras` output without a config to carry. The previous file at `path` is then
    ///   intact.
    ///
    /// The output's tensors carry `digest` checksums (XXH3-128 by default; each source tensor's own
    /// stored digest, of either algorithm, is checked as it is copied). `progress`, when given, is
    /// called as tensors are written with the bytes written so far and
    /// the total (for a progress line).
    @discardableResult
    public func convert(to path: String, format: WeightFileFormat, like reference: WeightFile? = nil,
                        dropOptimizer: Bool = false, maxShardSize: Int? = nil, digest: DigestAlgorithm = .xxh3,
                        progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> ConversionReport {
        let (plan, planner, outcome) = try conversionPlan(format: format, like: reference, dropOptimizer: dropOptimizer,
                                                          maxShardSize: maxShardSize, digest: digest, progress: progress)
        var written: KerasModelView?
        try WeightWriter.write(plan, format: format, to: path) { temporary in
            written = try ConversionCheck(source: self, view: planner.view, expected: outcome.expected, reference: reference, target: path)
                .verify(temporary)
        }
        return report(outcome, written: written)
    }

    /// This process's share of a conversion to a sharded checkpoint that `ranks` processes write
    /// (see ``ShardedWrite``): the shards holding the tensors `rank` owns, written into the write's
    /// staging directory. The other arguments are those of
    /// ``convert(to:format:like:dropOptimizer:maxShardSize:digest:progress:)`` and must be the same
    /// on every rank.
    ///
    /// - Throws: ``CheckpointError`` as ``convert(to:format:like:dropOptimizer:maxShardSize:digest:progress:)`` does.
    public func convertShare(to write: ShardedWrite, rank: Int, of ranks: Int, like reference: WeightFile? = nil,
                             dropOptimizer: Bool = false, maxShardSize: Int? = nil, digest: DigestAlgorithm = .xxh3,
                             progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> WriteShare {
        precondition((0..<ranks).contains(rank), "convertShare: rank \(rank) of \(ranks)")
        let (plan, _, _) = try conversionPlan(format: .kerasV3, like: reference, dropOptimizer: dropOptimizer,
                                              maxShardSize: maxShardSize, digest: digest, progress: progress)
        return try ShardedWriter.writeShare(plan, layout: .kerasV3, stage: write.stage, rank: rank, ranks: ranks, for: write.path)
    }

    /// The last step of a conversion that several processes wrote (see ``ShardedWrite``), on rank
    /// 0 once every rank's share is in `shares` (in rank order): writes the index, checks the
    /// whole set as a one-process conversion does, and commits it to the write's path.
    ///
    /// - Throws: ``CheckpointError`` for a shard or tensor no share holds, or as
    ///   ``convert(to:format:like:dropOptimizer:maxShardSize:digest:progress:)`` does; the
    ///   previous checkpoint is then intact.
    @discardableResult
    public func convert(to write: ShardedWrite, shares: [WriteShare], like reference: WeightFile? = nil,
                        dropOptimizer: Bool = false, maxShardSize: Int? = nil, digest: DigestAlgorithm = .xxh3) throws -> ConversionReport {
        let (plan, planner, outcome) = try conversionPlan(format: .kerasV3, like: reference, dropOptimizer: dropOptimizer,
                                                          maxShardSize: maxShardSize, digest: digest, progress: nil)
        var written: KerasModelView?
        try ShardedWriter.commitShares(plan, layout: .kerasV3, stage: write.stage, shares: shares, to: write.path) { temporary in
            written = try ConversionCheck(source: self, view: planner.view, expected: outcome.expected, reference: reference, target: write.path)
                .verify(temporary)
        }
        return report(outcome, written: written)
    }

    /// The first step of a conversion to one HDF5 file that several processes write (see
    /// ``SingleFileWrite``), on rank 0: lays the file out in a temporary beside `path`. The
    /// arguments are those of ``convert(to:format:like:dropOptimizer:maxShardSize:digest:progress:)``
    /// and must be the same in every step and on every rank.
    ///
    /// - Throws: ``CheckpointError`` for a `path` that does not name one HDF5 file (a `.keras`,
    ///   `.weights.json` or `.safetensors` output), or as a one-process conversion does.
    public func beginConvert(to path: String, format: WeightFileFormat, like reference: WeightFile? = nil,
                             dropOptimizer: Bool = false, digest: DigestAlgorithm = .xxh3) throws -> SingleFileWrite {
        guard ContainerRegistry.format(writing: path) is HDF5Container.Type else {
            throw CheckpointError(file: path, .unsupportedModel("several processes write one HDF5 file (.weights.h5, .h5) or a sharded set (.weights.json)"))
        }
        let (plan, _, _) = try conversionPlan(format: format, like: reference, dropOptimizer: dropOptimizer, maxShardSize: nil,
                                              digest: digest, progress: nil)
        return try HDF5SharedWriter.layOut(plan, layout: format, to: path)
    }

    /// Each rank's step of a conversion to one HDF5 file (see ``SingleFileWrite``): writes the
    /// bytes of the datasets `rank` owns into the file rank 0 laid out.
    ///
    /// - Throws: ``CheckpointError`` as a one-process conversion does.
    public func convertShare(to write: SingleFileWrite, rank: Int, of ranks: Int, like reference: WeightFile? = nil,
                             dropOptimizer: Bool = false, digest: DigestAlgorithm = .xxh3,
                             progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> WriteShare {
        precondition((0..<ranks).contains(rank), "convertShare: rank \(rank) of \(ranks)")
        let (plan, _, _) = try conversionPlan(format: write.format, like: reference, dropOptimizer: dropOptimizer, maxShardSize: nil,
                                              digest: digest, progress: progress)
        return try HDF5SharedWriter.writeShare(plan, write: write, rank: rank, ranks: ranks)
    }

    /// The last step of a conversion to one HDF5 file (see ``SingleFileWrite``), on rank 0 once
    /// every rank's share is in `shares`: stores the digests and the manifest, checks the file as
    /// a one-process conversion does, and moves it into place atomically.
    ///
    /// - Throws: ``CheckpointError`` for a tensor no share holds, or as a one-process conversion
    ///   does; the previous file is then intact.
    @discardableResult
    public func convert(to write: SingleFileWrite, shares: [WriteShare], like reference: WeightFile? = nil,
                        dropOptimizer: Bool = false, digest: DigestAlgorithm = .xxh3) throws -> ConversionReport {
        let (plan, planner, outcome) = try conversionPlan(format: write.format, like: reference, dropOptimizer: dropOptimizer,
                                                          maxShardSize: nil, digest: digest, progress: nil)
        var written: KerasModelView?
        try HDF5SharedWriter.commitShares(plan, write: write, shares: shares) { temporary in
            written = try ConversionCheck(source: self, view: planner.view, expected: outcome.expected, reference: reference, target: write.path)
                .verify(temporary)
        }
        return report(outcome, written: written)
    }

    /// The plan of a conversion to `format`, after the checks every conversion makes first.
    private func conversionPlan(format: WeightFileFormat, like reference: WeightFile?, dropOptimizer: Bool, maxShardSize: Int?,
                                digest: DigestAlgorithm, progress: ((_ done: Int, _ total: Int) -> Void)?)
        throws -> (SavePlan, ConversionPlanner, ConversionPlanner.Outcome) {
        if let note = foreignLayoutNote { throw CheckpointError(file: self.path, .unsupportedModel("cannot convert to \(format): \(note)")) }
        let planner = ConversionPlanner(source: self, format: format, reference: reference, dropOptimizer: dropOptimizer)
        try requireIntact()
        let outcome = try planner.outcome()
        var plan = outcome.plan
        plan.archive = reference?.archiveContents ?? archiveContents
        plan.maximumShardBytes = maxShardSize
        plan.digestAlgorithm = digest
        if let progress {
            let total = plan.totalBytes
            var done = 0
            plan.progress = { bytes in
                done += bytes
                progress(done, total)
            }
        }
        return (plan, planner, outcome)
    }

    private func report(_ outcome: ConversionPlanner.Outcome, written: KerasModelView?) -> ConversionReport {
        ConversionReport(notes: outcome.notes, layers: written?.layers.filter { !$0.variables.isEmpty }.count ?? 0,
                         weights: written?.variables.count ?? 0, optimizerWeights: written?.optimizer?.variables.count ?? 0)
    }
}
