/// What one process wrote of a sharded checkpoint written by several (see ``ShardedWrite``): the
/// shards it made and the digest of each tensor in them. Rank 0 writes the index from every
/// rank's share; a share crosses processes as JSON (`Codable`).
public struct ShardShare: Codable, Sendable, Equatable {
    /// The rank that wrote it.
    public let rank: Int
    /// The names of the shards it made, in the set's order.
    public let shards: [String]
    /// The tensors it wrote (links included), as absolute paths in the set.
    let paths: [String]
    /// The checksum text stored with each tensor of `paths`, in the same order.
    let digests: [String]
}
