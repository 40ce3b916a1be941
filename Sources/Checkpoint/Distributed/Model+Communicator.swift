import Cluster
import NeuralNet

extension Model {
    /// Saves the weights from every process of `communicator` at once, each rank writing the
    /// weights it owns (``ownedWeights(rank:of:format:)``; only their values are read on that
    /// rank), as ``saveWeights(to:format:maxShardSize:digest:)`` saves them from one process:
    ///
    /// - `*.weights.json`: a sharded set in Keras 3's layout; each rank writes the shards of its
    ///   weights, rank 0 the index (see ``ShardedWrite``);
    /// - one HDF5 file (`.weights.h5`, or `.h5` in the legacy layout; `format` as for one process):
    ///   rank 0 lays the file out, each rank writes its weights' bytes into it, rank 0 stores the
    ///   digests and moves it into place (see ``SingleFileWrite``).
    ///
    /// Every rank calls it with the same architecture, path and arguments; the directory must be on
    /// a file system every rank sees under the same path. It returns on every rank once the
    /// checkpoint is committed, or throws on every rank: the failing rank its own error, the others
    /// ``CheckpointError/Reason/rankFailed(rank:message:)`` naming it. A rank that does not take part
    /// within `timeout` makes the others throw rather than wait. The previous checkpoint at `path`
    /// is then intact.
    ///
    /// - Throws: ``CheckpointError`` as described, for a `.keras` or `.safetensors` path, or as the
    ///   one-process save does.
    public func saveWeights(to path: String, communicator: Communicator, format: WeightFileFormat? = nil, maxShardSize: Int? = nil,
                            digest: DigestAlgorithm = .xxh3, timeout: Duration = Communicator.defaultTimeout) throws {
        precondition(maxShardSize.map { $0 > 0 } ?? true, "saveWeights: maxShardSize must be positive")
        let exchange = RankExchange(communicator: communicator, timeout: timeout, path: path)
        let (rank, ranks) = (communicator.rank, communicator.size)
        var plan = try exchange.onEveryRank { try SavePlan(model: self, file: path) }
        plan.maximumShardBytes = maxShardSize
        plan.digestAlgorithm = digest
        if path.hasSuffix(".weights.json") {
            let write = try exchange.onRoot { try ShardedWrite.begin(path) }
            defer { if communicator.isRoot { write.end() } }
            let shares = try exchange.onEveryRank({
                try ShardedWriter.writeShare(plan, layout: format ?? .kerasV3, stage: write.stage, rank: rank, ranks: ranks, for: path)
            }, sending: { $0 }).all
            _ = try exchange.onRoot {
                try ShardedWriter.commitShares(plan, layout: format ?? .kerasV3, stage: write.stage, shares: shares ?? [], to: path, check: nil)
                return true
            }
        } else {
            guard ContainerRegistry.format(writing: path) is HDF5Container.Type else {
                throw CheckpointError(file: path, .unsupportedModel("several processes save one HDF5 file (.weights.h5, .h5) or a sharded set (.weights.json)"))
            }
            let write = try exchange.onRoot { try HDF5SharedWriter.layOut(plan, layout: format ?? WeightFileFormat(forPath: path), to: path) }
            defer { if communicator.isRoot { write.end() } }
            let shares = try exchange.onEveryRank({ try HDF5SharedWriter.writeShare(plan, write: write, rank: rank, ranks: ranks) },
                                                  sending: { $0 }).all
            _ = try exchange.onRoot {
                try HDF5SharedWriter.commitShares(plan, write: write, shares: shares ?? [], check: nil)
                return true
            }
        }
    }

    /// Loads, on every process of `communicator`, the weights that rank owns
    /// (``ownedWeights(rank:of:format:)`` in the file's layout) from a Keras weights file in any
    /// container, as ``loadWeights(from:byName:skipMismatch:options:)`` loads all of them: the
    /// whole model is matched and checked against the file on every rank, but each rank reads (and
    /// checks the digests of) only its own tensors and assigns only its own weights. The others
    /// keep their values.
    ///
    /// It returns on every rank once every rank has loaded, or throws on every rank as
    /// ``saveWeights(to:communicator:format:maxShardSize:digest:timeout:)`` does.
    ///
    /// - Throws: ``CheckpointError`` as described, or as the one-process load does.
    @discardableResult
    public func loadWeights(from path: String, communicator: Communicator, options: LoadOptions = LoadOptions(),
                            timeout: Duration = Communicator.defaultTimeout) throws -> LoadReport {
        let exchange = RankExchange(communicator: communicator, timeout: timeout, path: path)
        return try exchange.onEveryRank {
            try loadWeights(from: path, byName: false, skipMismatch: false, options: options) { format in
                Set(try self.ownedWeights(rank: communicator.rank, of: communicator.size, format: format).map(ObjectIdentifier.init))
            }
        }
    }

    /// The weights `rank` of `ranks` processes owns when they save or load together in `format`:
    /// the model's distinct weights in the order that layout writes them (Keras 3: each layer's own
    /// weights in turn; legacy: layers by name), split into `ranks` contiguous shares of nearly
    /// equal bytes, share k to rank k. Every process computes the same split from the same
    /// architecture.
    ///
    /// - Throws: ``CheckpointError`` if the model is not built.
    /// - Precondition: `0 <= rank < ranks`.
    public func ownedWeights(rank: Int, of ranks: Int, format: WeightFileFormat = .kerasV3) throws -> [Parameter] {
        precondition((0..<ranks).contains(rank), "ownedWeights: rank \(rank) of \(ranks)")
        let keys = ShardOwnership(plan: try SavePlan(model: self, file: name), layout: format, ranks: ranks).keys(ownedBy: rank)
        var seen = Set<ObjectIdentifier>()
        return weights.filter { keys.contains(.parameter(ObjectIdentifier($0))) && seen.insert(ObjectIdentifier($0)).inserted }
    }
}
