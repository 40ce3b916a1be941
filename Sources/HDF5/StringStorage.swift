/// How ``AttributeContainer/writeStrings(_:_:storage:)`` stores an array of strings.
public enum StringStorage: Hashable, Sendable {
    /// Variable-length strings, NULLTERM, with the given character set: what h5py ≥ 3 writes for
    /// a list of `bytes` (ASCII) or `str` (UTF-8).
    case variableLength(StringEncoding)
    /// Fixed-length NULLPAD ASCII strings as long as the longest value (at least 1 byte): what
    /// numpy's `S<n>` arrays and Keras's chunked attributes are.
    case fixedLength
}
