/// How a dataset's raw data is stored; see ``Dataset/layout``.
public enum Layout: Hashable, Sendable {
    /// One contiguous block (what Keras writes). The corresponding C constant is `H5D_CONTIGUOUS`.
    case contiguous
    /// Fixed-size chunks, possibly filtered. The corresponding C constant is `H5D_CHUNKED`.
    case chunked
    /// Stored in the object header. The corresponding C constant is `H5D_COMPACT`.
    case compact
    /// Mapped from other datasets, possibly in other files.
    ///
    /// The corresponding C constant is `H5D_VIRTUAL`.
    case virtual
}
