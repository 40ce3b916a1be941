/// What one process wrote of a checkpoint written by several (see ``ShardedWrite`` and
/// ``SingleFileWrite``): the shards it made, if any, and the digest of each tensor it wrote. Rank 0
/// finishes the checkpoint from every rank's share; a share crosses processes as JSON (`Codable`).
public struct WriteShare: Codable, Sendable, Equatable {
    /// The rank that wrote it.
    public let rank: Int
    /// The names of the shards it made, in the set's order (none for one file).
    public let shards: [String]
    /// The tensors it wrote (links included), as absolute paths in the checkpoint.
    let paths: [String]
    /// The checksum text stored with each tensor of `paths`, in the same order.
    let digests: [String]
}
