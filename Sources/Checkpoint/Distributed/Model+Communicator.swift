import Cluster
import NeuralNet

extension Model {
    /// Saves the weights to the sharded checkpoint `path` (`*.weights.json`, Keras 3's sharded
    /// layout) from every process of `communicator` at once: each rank writes the shards of the
    /// weights it owns (``ownedWeights(rank:of:)``; only their values are read on that rank), then
    /// rank 0 writes the index and commits the set as ``saveWeights(to:format:maxShardSize:digest:)``
    /// does (see ``ShardedWrite``). Every rank calls it with the same architecture, path and
    /// arguments; the directory must be on a file system every rank sees under the same path.
    ///
    /// It returns on every rank once the set is committed, or throws on every rank: the failing
    /// rank its own error, the others ``CheckpointError/Reason/rankFailed(rank:message:)`` naming
    /// it. A rank that does not take part within `timeout` makes the others throw rather than wait.
    /// The previous checkpoint at `path` is then intact.
    ///
    /// - Throws: ``CheckpointError`` as described, or as the one-process save does.
    public func saveWeights(to path: String, communicator: Communicator, maxShardSize: Int? = nil, digest: DigestAlgorithm = .xxh3,
                            timeout: Duration = Communicator.defaultTimeout) throws {
        precondition(maxShardSize.map { $0 > 0 } ?? true, "saveWeights: maxShardSize must be positive")
        let exchange = RankExchange(communicator: communicator, timeout: timeout, path: path)
        var plan = try exchange.onEveryRank { try SavePlan(model: self, file: path) }
        plan.maximumShardBytes = maxShardSize
        plan.digestAlgorithm = digest
        let write = try exchange.onRoot { try ShardedWrite.begin(path) }
        defer { if communicator.isRoot { write.end() } }
        let shares = try exchange.onEveryRank({
            try ShardedWriter.writeShare(plan, layout: .kerasV3, stage: write.stage, rank: communicator.rank, ranks: communicator.size, for: path)
        }, sending: { $0 }).all
        _ = try exchange.onRoot {
            try ShardedWriter.commitShares(plan, layout: .kerasV3, stage: write.stage, shares: shares ?? [], to: path, check: nil)
            return true
        }
    }

    /// Loads, on every process of `communicator`, the weights that rank owns
    /// (``ownedWeights(rank:of:)``) from a Keras 3 checkpoint in any container — sharded,
    /// one file, archive or safetensors — as ``loadWeights(from:byName:skipMismatch:options:)``
    /// loads all of them: the whole model is matched and checked against the file on every rank,
    /// but each rank reads (and checks the digests of) only its own tensors and assigns only its
    /// own weights. The others keep their values.
    ///
    /// It returns on every rank once every rank has loaded, or throws on every rank as
    /// ``saveWeights(to:communicator:maxShardSize:digest:timeout:)`` does.
    ///
    /// - Throws: ``CheckpointError`` as described, or as the one-process load does.
    @discardableResult
    public func loadWeights(from path: String, communicator: Communicator, options: LoadOptions = LoadOptions(),
                            timeout: Duration = Communicator.defaultTimeout) throws -> LoadReport {
        let exchange = RankExchange(communicator: communicator, timeout: timeout, path: path)
        return try exchange.onEveryRank {
            let owned = try ownedWeights(rank: communicator.rank, of: communicator.size).map(ObjectIdentifier.init)
            return try loadWeights(from: path, byName: false, skipMismatch: false, options: options, owned: Set(owned))
        }
    }

    /// The weights `rank` of `ranks` processes owns when they save or load together: the model's
    /// weights in Keras 3 order (each layer's own weights in turn, a shared weight at its first
    /// place) split into `ranks` contiguous shares of nearly equal bytes, share k to rank k. Every
    /// process computes the same split from the same architecture.
    ///
    /// - Throws: ``CheckpointError`` if the model is not built.
    /// - Precondition: `0 <= rank < ranks`.
    public func ownedWeights(rank: Int, of ranks: Int) throws -> [Parameter] {
        precondition((0..<ranks).contains(rank), "ownedWeights: rank \(rank) of \(ranks)")
        let plan = try SavePlan(model: self, file: name)
        let keys = ShardOwnership(plan: plan, ranks: ranks).keys(ownedBy: rank)
        var seen = Set<ObjectIdentifier>()
        return KerasV3Paths.placements(of: self).dropFirst().flatMap(\.layer.ownWeights).filter { parameter in
            keys.contains(.parameter(ObjectIdentifier(parameter))) && seen.insert(ObjectIdentifier(parameter)).inserted
        }
    }
}
