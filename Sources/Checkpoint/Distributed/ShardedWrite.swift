/// A sharded checkpoint (`*.weights.json`) written by several processes at once — the ranks of an
/// `mpirun`, or any processes that share a file system and can pass a few bytes between them.
///
/// Rank 0 begins the write (``begin(_:)``), which makes a staging directory beside the index, and
/// hands the value (it is `Codable`) to the other ranks. Each rank writes, into that directory, the
/// shards holding the arrays it owns and returns a ``WriteShare``
/// (``Model/saveWeights(to:communicator:maxShardSize:digest:timeout:)``,
/// ``WeightFile/convertShare(to:rank:of:like:dropOptimizer:maxShardSize:digest:progress:)``).
/// Rank 0 then writes the index from every share and commits the set as a one-process save does:
/// every file synced, the index last, the previous checkpoint intact on any failure.
///
/// Ownership: the arrays in Keras 3 writing order are split into contiguous shares of nearly equal
/// bytes, share k to rank k, and a shard never holds two ranks' arrays. The set is the one a single
/// process writes, tensor for tensor, with a shard boundary added where the owner changes.
/// The staging directory must be on a file system every rank sees under the same path.
public struct ShardedWrite: Codable, Sendable, Equatable {
    /// The index being written, as the user named it.
    public let path: String
    /// The staging directory the shards are written into.
    public let stage: String

    /// Begins a write of the set indexed at `path` (on rank 0): makes its staging directory.
    ///
    /// - Throws: ``CheckpointError`` if `path` does not name a `*.weights.json` index or the
    ///   directory cannot be made.
    public static func begin(_ path: String) throws -> ShardedWrite {
        guard path.hasSuffix(".weights.json") else {
            throw CheckpointError(file: path, .unsupportedModel("several processes write a sharded checkpoint: name it *.weights.json"))
        }
        return ShardedWrite(path: path, stage: try ShardedWriter.createStage(for: path))
    }

    /// Removes the staging directory and whatever is left in it (after a commit, nothing; after a
    /// failure, the shards written). Call it on rank 0 once the write has ended either way.
    public func end() {
        ShardedWriter.removeTree(stage)
    }
}
