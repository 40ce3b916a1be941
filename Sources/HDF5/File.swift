internal import CHDF5

#if canImport(Glibc)
    internal import Glibc
#else
    internal import Darwin
#endif

/// An open HDF5 file.
///
/// The file is closed when the last reference to it, or to any group or dataset opened from it,
/// goes away.
///
/// ```swift
/// let file = try File.create("weights.h5", overwrite: true)
/// let kernel = try file.root.createDataset("dense/dense/kernel:0", type: .float32, shape: [4, 3])
/// try kernel.write([Float](repeating: 0, count: 12))
/// ```
public final class File {
    /// The file-system path the file was opened or created with.
    public let path: String
    /// The owned file id.
    let id: hid_t

    /// Takes ownership of a checked file id and marks its descriptor close-on-exec.
    private init(path: String, id: hid_t) throws(HDF5Error) {
        self.path = path
        self.id = id
        try markCloseOnExec()
    }

    deinit {
        H5Fclose(id)
    }

    /// Opens the dataset whose object header is at `address` (a hard link's ``Link/objectAddress``),
    /// without walking the path to it: with tens of thousands of objects, each walk from the root
    /// costs more than the read. `path` names it in errors.
    ///
    /// The corresponding C functions are `H5Oopen_by_addr` and `H5Iget_type`.
    /// - Throws: ``HDF5Error`` if there is no object at `address` or it is not a dataset.
    public func dataset(atAddress address: UInt64, path: String) throws -> Dataset {
        let location = Location(file: self.path, object: path)
        let id = try check(H5Oopen_by_addr(self.id, haddr_t(address)), "open dataset", location)
        guard H5Iget_type(id) == H5I_DATASET else {
            H5Oclose(id)
            throw location.error("open dataset", "the object at address \(address) is not a dataset")
        }
        return Dataset(file: self, path: path, id: id)
    }

    /// Errors about the file as a whole name the root group.
    var location: Location { Location(file: path, object: "/") }

    /// Opens an existing HDF5 file with the POSIX driver and no file lock (see docs/design.md,
    /// "No HDF5 file locks").
    ///
    /// The corresponding C functions are `H5Fopen`, `H5Pset_fapl_sec2` and `H5Pset_file_locking`.
    /// - Throws: ``HDF5Error`` if the file is missing, unreadable, not HDF5 or corrupt.
    public static func open(_ path: String, access: FileAccess = .readOnly) throws -> File {
        try Library.initialize()
        let location = Location(file: path, object: "/")
        let properties = try PropertyList.opening(location)
        let id = try check(
            H5Fopen(path, access.openFlag, properties.id), "open file", location)
        return try File(path: path, id: id)
    }

    /// Opens, read-only, the HDF5 file held in the bytes `range` of the file at `path` — an
    /// uncompressed entry of a zip archive (a `.keras` file's `model.weights.h5`) — in place,
    /// without copying it out. Addresses in the HDF5 file are relative to the range's start; the
    /// range's end is the HDF5 file's end.
    ///
    /// The corresponding C functions are `H5Fopen` and `H5Pset_driver` (a driver of `CHDF5Window`).
    /// - Throws: ``HDF5Error`` if the range lies outside the file, or its bytes are not a sound
    ///   HDF5 file.
    public static func open(_ path: String, byteRange range: Range<UInt64>) throws -> File {
        try Library.initialize()
        let location = Location(file: path, object: "/")
        let properties = try PropertyList.opening(location, window: range)
        let id = try check(H5Fopen(path, FileAccess.readOnly.openFlag, properties.id), "open file", location)
        return try File(path: path, id: id)
    }

    /// Creates a file in the most compatible format (superblock version 0, old-style groups, as
    /// h5py's default `libver='earliest'` and Keras write).
    ///
    /// The corresponding C function is `H5Fcreate`, with `H5F_ACC_TRUNC` or `H5F_ACC_EXCL`.
    /// - Parameter overwrite: Whether to replace an existing file; if `false`, an existing file
    ///   is an error.
    /// - Throws: ``HDF5Error`` if the file cannot be created.
    public static func create(_ path: String, overwrite: Bool) throws -> File {
        try Library.initialize()
        let location = Location(file: path, object: "/")
        let access = try PropertyList.earliestFormat(location)
        let id = try check(
            H5Fcreate(path, createFlag(overwrite: overwrite), defaultPropertyList, access.id),
            "create file", location)
        return try File(path: path, id: id)
    }

    /// The root group `/`.
    ///
    /// The corresponding C function is `H5Gopen2`.
    /// - Throws: ``HDF5Error`` if the root group cannot be opened.
    public var root: Group {
        get throws {
            let id = try check(H5Gopen2(id, "/", defaultPropertyList), "open group", location)
            return Group(file: self, path: "/", id: id)
        }
    }

    /// Writes buffered data of this file to disk (HDF5 does not `fsync`).
    ///
    /// The corresponding C function is `H5Fflush`.
    /// - Throws: ``HDF5Error`` if the data cannot be written.
    public func flush() throws {
        try check(H5Fflush(id, H5F_SCOPE_LOCAL), "flush file", location)
    }

    /// How many HDF5 files and objects (groups, datasets, named datatypes, attributes) this process
    /// has open: 0 once every handle is released (a leak check for tests and the fuzzer).
    ///
    /// The corresponding C function is `H5Fget_obj_count` with `H5F_OBJ_ALL` over all files.
    public static var openObjectCount: Int {
        let all = UInt32(H5F_OBJ_FILE | H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR)
        return Int(H5Fget_obj_count(hid_t(all), all))
    }

    /// Whether `path` is an HDF5 file; `false` for a readable file in another format.
    ///
    /// The corresponding C function is `H5Fis_hdf5`.
    /// - Throws: ``HDF5Error`` if the file cannot be read, for example because it is missing.
    public static func isHDF5(_ path: String) throws -> Bool {
        try Library.initialize()
        let location = Location(file: path, object: "/")
        return try check(H5Fis_hdf5(path), "check file signature", location) > 0
    }

    /// Marks the file's descriptor close-on-exec.
    ///
    /// HDF5 opens files without `O_CLOEXEC`, so a child process (a worker, or `h5dump` started
    /// by a tool or test) would otherwise inherit the descriptor and hold the file's lock after
    /// this process has closed it.
    ///
    /// The corresponding C functions are `H5Fget_vfd_handle` and `fcntl`.
    private func markCloseOnExec() throws(HDF5Error) {
        let descriptor = try self.descriptor()
        let flags = fcntl(descriptor, F_GETFD)
        guard flags >= 0, fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) >= 0 else {
            throw location.error("mark file close-on-exec", String(cString: strerror(errno)))
        }
    }

    /// The operating system's descriptor libhdf5 reads the file through: the file itself for a
    /// plain file, the enclosing file for one opened in a byte range. Valid while the file is
    /// open; it belongs to libhdf5 and must not be closed.
    ///
    /// The corresponding C function is `H5Fget_vfd_handle`.
    /// - Throws: ``HDF5Error`` if the file driver has no descriptor.
    package func descriptor() throws(HDF5Error) -> Int32 {
        var handle: UnsafeMutableRawPointer?
        try check(
            H5Fget_vfd_handle(id, defaultPropertyList, &handle), "get file descriptor", location)
        guard let descriptor = handle?.load(as: Int32.self) else {
            throw location.error("get file descriptor", "the file driver has no descriptor")
        }
        return descriptor
    }
}
