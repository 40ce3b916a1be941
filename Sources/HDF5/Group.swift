internal import CHDF5

/// An open group, including the root group `/`, which keeps its file open.
///
/// Paths passed to a group's methods are relative to it, may have several components
/// (`"dense/dense"`), and are taken from the root when they start with `/`.
public final class Group {
    /// The file the group belongs to.
    public let file: File
    /// The absolute path of the group in the file, `/` for the root group.
    public let path: String
    /// The owned group id.
    let id: hid_t

    init(file: File, path: String, id: hid_t) {
        self.file = file
        self.path = path
        self.id = id
    }

    deinit {
        H5Gclose(id)
    }

    /// Errors about the group itself name its path.
    var location: Location { Location(file: file.path, object: path) }

    /// The group's address in the file: equal for two paths that are hard links to one group.
    ///
    /// The corresponding C function is `H5Oget_info2`.
    /// - Throws: ``HDF5Error`` if the object header cannot be read.
    public var objectAddress: UInt64 {
        get throws {
            var info = H5O_info_t()
            try check(H5Oget_info2(id, &info, UInt32(H5O_INFO_BASIC)), "get object info", location)
            return UInt64(info.addr)
        }
    }

    /// The location of `relativePath` for errors, as an absolute path.
    func location(of relativePath: String) -> Location {
        Location(file: file.path, object: absolutePath(relativePath))
    }

    /// The absolute path of `relativePath`; a programmer error traps on an empty path.
    func absolutePath(_ relativePath: String) -> String {
        precondition(!relativePath.isEmpty, "empty HDF5 path")
        if relativePath.hasPrefix("/") { return relativePath }
        return path == "/" ? "/" + relativePath : path + "/" + relativePath
    }

    /// Opens the group at `relativePath`.
    ///
    /// The corresponding C function is `H5Gopen2`.
    /// - Throws: ``HDF5Error`` if there is no group at that path.
    public func group(_ relativePath: String) throws -> Group {
        let location = location(of: relativePath)
        let id = try check(H5Gopen2(id, relativePath, defaultPropertyList), "open group", location)
        return Group(file: file, path: location.object, id: id)
    }

    /// Creates a group at `relativePath`, creating missing intermediate groups.
    ///
    /// The corresponding C function is `H5Gcreate2`.
    /// - Throws: ``HDF5Error`` if the link already exists or the file is read-only.
    public func createGroup(_ relativePath: String) throws -> Group {
        let location = location(of: relativePath)
        let links = try PropertyList.creatingIntermediateGroups(location)
        let id = try check(
            H5Gcreate2(id, relativePath, links.id, defaultPropertyList, defaultPropertyList),
            "create group", location)
        return Group(file: file, path: location.object, id: id)
    }

    /// Opens the dataset at `relativePath`.
    ///
    /// The corresponding C function is `H5Dopen2`.
    /// - Throws: ``HDF5Error`` if there is no dataset at that path.
    public func dataset(_ relativePath: String) throws -> Dataset {
        let location = location(of: relativePath)
        let id = try check(
            H5Dopen2(id, relativePath, defaultPropertyList), "open dataset", location)
        return Dataset(file: file, path: location.object, id: id)
    }

    /// Creates a dataset as Keras writes them: contiguous, unfiltered, little-endian, with missing
    /// intermediate groups created.
    ///
    /// A `.bfloat16` dataset also gets the Keras 3 attribute `dtype = "bfloat16"` (scalar,
    /// variable-length UTF-8).
    ///
    /// The corresponding C function is `H5Dcreate2`.
    /// - Parameter shape: The dimensions; `[]` creates a scalar dataset.
    /// - Throws: ``HDF5Error`` if the link already exists or the file is read-only.
    public func createDataset(_ relativePath: String, type: ElementType, shape: [Int]) throws
        -> Dataset
    {
        try createDataset(relativePath, type: type, shape: shape, byteOrder: .littleEndian)
    }

    /// ``createDataset(_:type:shape:)`` with the data's space allocated at once (and never
    /// filled), so ``Dataset/fileOffset`` tells where its bytes go before any are written: other
    /// processes can then write them straight into the file.
    ///
    /// The corresponding C functions are `H5Dcreate2`, `H5Pset_alloc_time` and `H5Pset_fill_time`.
    /// - Throws: ``HDF5Error`` as ``createDataset(_:type:shape:)`` does.
    public func createAllocatedDataset(_ relativePath: String, type: ElementType, shape: [Int]) throws
        -> Dataset
    {
        try createDataset(relativePath, type: type, shape: shape, byteOrder: .littleEndian, allocatedEarly: true)
    }

    /// ``createDataset(_:type:shape:)`` with a choice of byte order, for tests that need
    /// big-endian files.
    func createDataset(
        _ relativePath: String, type: ElementType, shape: [Int], byteOrder: ByteOrder,
        allocatedEarly: Bool = false
    )
        throws -> Dataset
    {
        let location = location(of: relativePath)
        let fileType = try Datatype.file(for: type, byteOrder: byteOrder, location)
        let space = try Dataspace(shape: shape, location)
        let links = try PropertyList.creatingIntermediateGroups(location)
        let creation = allocatedEarly ? try PropertyList.allocatedEarly(location) : nil
        let id = try check(
            H5Dcreate2(
                id, relativePath, fileType.id, space.id, links.id, creation?.id ?? defaultPropertyList,
                defaultPropertyList), "create dataset", location)
        let dataset = Dataset(file: file, path: location.object, id: id)
        if type == .bfloat16 {
            try dataset.writeString(Dataset.dtypeAttribute, "bfloat16", encoding: .utf8)
        }
        return dataset
    }
}
