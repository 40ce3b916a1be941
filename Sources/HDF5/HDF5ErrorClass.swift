/// The class of an HDF5 error-stack frame (its major or minor code), for the classes callers
/// tell apart; libhdf5's other classes are ``other``.
public enum HDF5ErrorClass: Hashable, Sendable {
    /// Major: invalid arguments to a routine (`H5E_ARGS`).
    case arguments
    /// Major: file accessibility (`H5E_FILE`).
    case file
    /// Major: low-level I/O (`H5E_IO`).
    case io
    /// Major: the metadata cache (`H5E_CACHE`).
    case cache
    /// Minor: the file is shorter than its superblock says (`H5E_TRUNCATED`).
    case truncated
    /// Minor: an address or size beyond what the file allows (`H5E_OVERFLOW`).
    case overflow
    /// Minor: a value out of range (`H5E_BADVALUE`).
    case badValue
    /// Minor: a read failed (`H5E_READERROR`).
    case readError
    /// Minor: a write failed (`H5E_WRITEERROR`).
    case writeError
    /// Minor: no space available (`H5E_NOSPACE`).
    case noSpace
    /// Minor: a file could not be opened (`H5E_CANTOPENFILE`).
    case cannotOpenFile
    /// Found by this wrapper, not by the library.
    case wrapper
    /// Any other class.
    case other
}

/// One frame of libhdf5's error stack: where and what, with its major and minor class.
public struct HDF5ErrorFrame: Sendable, Equatable {
    /// The library function that reported it (`H5F_open`), empty for the wrapper's own errors.
    public let function: String
    /// The library's description.
    public let description: String
    public let major: HDF5ErrorClass
    public let minor: HDF5ErrorClass

    public init(function: String, description: String, major: HDF5ErrorClass, minor: HDF5ErrorClass) {
        self.function = function
        self.description = description
        self.major = major
        self.minor = minor
    }
}
