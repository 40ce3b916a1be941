/// How ``File/open(_:access:)`` opens a file.
public enum FileAccess: Sendable {
    /// Read only. The corresponding C constant is `H5F_ACC_RDONLY`.
    case readOnly
    /// Read and write. The corresponding C constant is `H5F_ACC_RDWR`.
    case readWrite
}
