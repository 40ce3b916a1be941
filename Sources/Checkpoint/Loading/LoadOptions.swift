/// How ``NeuralNet/Model/loadWeights(from:byName:skipMismatch:options:)`` treats the file.
public struct LoadOptions: Sendable {
    /// Check each tensor against the SHA-256 Heft stored when it wrote the file, before any weight
    /// changes (files without digests load unchecked). Default `true`; costs one extra pass over
    /// the data (see docs/performance.md).
    public var verifyIntegrity = true
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
