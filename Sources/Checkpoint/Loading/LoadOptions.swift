/// How ``NeuralNet/Model/loadWeights(from:byName:skipMismatch:options:)`` treats the file.
public struct LoadOptions: Sendable {
    /// Check each tensor against the checksum (XXH3-128, or SHA-256) Heft stored when it wrote the
    /// file, before any weight changes (files without digests load unchecked). Default `true`.
    /// Small tensors are read and checked in one pass; large ones are checked by a streaming pass
    /// before any weight changes, then read straight into the weights (see docs/performance.md).
    public var verifyIntegrity = true
    /// How many bytes a checked load may stage (read and check in one pass, holding a second copy
    /// of those weights until every check has passed); `nil`: 64 MiB. `0` checks every tensor
    /// the file did not read while indexing by streaming first (tests take both routes with it).
    package var digestStagingBudget: Int?
    /// The reader's limits on declared sizes, chunks, compression and objects.
    public var limits = ReadLimits()
    /// When set, the file is first opened and every tensor read (and its digest checked) in an
    /// isolated child process under these limits (see ``Isolation``): a file that crashes or hangs
    /// libhdf5 becomes a ``CheckpointError`` instead of taking the caller down. Costs one more
    /// pass over the file. Default `nil` (files you wrote yourself need no isolation).
    public var isolation: Isolation.Limits?

    /// The default options.
    public init() {}
}
