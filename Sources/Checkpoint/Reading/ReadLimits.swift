/// The limits a reader enforces before it trusts a file's metadata: a weights file can declare any
/// size in a few bytes, so every tensor is measured against these before anything is allocated or
/// read. The defaults admit every real Keras checkpoint and refuse shape bombs, decompression
/// bombs and object floods.
///
/// ```swift
/// var limits = ReadLimits()
/// limits.maximumTensorBytes = 256 << 30      // a 256 GiB embedding is expected here
/// let file = try WeightFile(path: "big.h5", limits: limits)
/// ```
public struct ReadLimits: Sendable, Equatable {
    /// The most bytes one tensor may declare (element count × element size). Default 64 GiB.
    public var maximumTensorBytes = 64 << 30
    /// The most bytes one chunk of a chunked dataset may hold: reading any element inflates its
    /// whole chunk. Default 256 MiB.
    public var maximumChunkBytes = 256 << 20
    /// The largest ratio of declared to stored bytes a compressed tensor may have once it declares
    /// more than ``compressionCheckBytes``. Default 1000 (deflate's ceiling is about 1032:1, so only
    /// near-constant data reaches it).
    public var maximumCompressionRatio = 1000
    /// Compressed tensors declaring fewer bytes than this are not ratio-checked. Default 64 MiB.
    public var compressionCheckBytes = 64 << 20
    /// The most links the reader lists in one file. Default 1,000,000 (a legacy layer with two
    /// weights takes three; a model of 30,000 such layers, 120,000).
    public var maximumObjects = 1_000_000
    /// The deepest group nesting the reader follows. Default 64.
    public var maximumDepth = 64
    /// The most text one attribute may hold: a name list (`layer_names`, `weight_names`, all
    /// chunks together) or a model config. Default 64 MiB. A single name (a Keras 3 `vars` group's
    /// `name`) may hold 64 KiB; `keras_version` and `backend` are cut after 256 bytes.
    public var maximumAttributeBytes = 64 << 20

    /// The default limits.
    public init() {}
}
