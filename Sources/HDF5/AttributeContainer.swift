internal import CHDF5

/// An object that carries attributes: a ``Group`` (including the root group) or a ``Dataset``.
///
/// Every method addresses the object through its open handle and the name `.` (the C `*_by_name`
/// functions), so one implementation serves both kinds and no call looks the path up again from
/// the root. Writing methods replace an existing attribute of the same name.
///
/// ```swift
/// let root = try file.root
/// try root.writeString("backend", "tensorflow")
/// let names = try root.readChunkedStrings("layer_names")
/// ```
public protocol AttributeContainer: AnyObject {
    /// The file the object belongs to.
    var file: File { get }
    /// The absolute path of the object in the file.
    var path: String { get }
}

extension Group: AttributeContainer {}
extension Dataset: AttributeContainer {}

extension AttributeContainer {
    /// The names of the object's attributes, in name order.
    ///
    /// The corresponding C function is `H5Aiterate_by_name`.
    /// - Throws: ``HDF5Error`` if the attributes cannot be listed.
    public func attributeNames() throws -> [String] {
        let names = AttributeNames()
        let status = withExtendedLifetime(names) {
            H5Aiterate_by_name(
                handle, ".", H5_INDEX_NAME, H5_ITER_INC, nil,
                { _, name, _, context in
                    guard let name, let context else { return -1 }
                    Unmanaged<AttributeNames>.fromOpaque(context).takeUnretainedValue().names
                        .append(String(cString: name))
                    return 0
                }, Unmanaged.passUnretained(names).toOpaque(), defaultPropertyList)
        }
        try check(status, "list attributes", objectLocation)
        return names.names
    }

    /// Whether the object has an attribute called `name`.
    ///
    /// The corresponding C function is `H5Aexists_by_name`.
    /// - Throws: ``HDF5Error`` if the object's attributes cannot be read.
    public func hasAttribute(_ name: String) throws -> Bool {
        try check(
            H5Aexists_by_name(handle, ".", name, defaultPropertyList),
            "check attribute '\(name)'", objectLocation) > 0
    }

    /// The class, shape and string properties of the attribute `name`, without reading it.
    ///
    /// The corresponding C functions are `H5Aget_type` and `H5Aget_space`.
    /// - Throws: ``HDF5Error`` if there is no such attribute.
    public func attributeInfo(_ name: String) throws -> AttributeInfo {
        try openAttribute(name).info()
    }

    /// The bytes the object's header and its attributes take in the file: the header, with the
    /// attributes stored in it, plus the heap and index of attributes stored densely. Variable-length
    /// strings count only their references; their text lives in the file's global heap.
    ///
    /// libhdf5 holds an attribute's whole stored value in memory as soon as it is opened, so this is
    /// the only way to judge an attribute's size before it costs memory.
    ///
    /// The corresponding C function is `H5Oget_info2` (header and metadata sizes).
    /// - Throws: ``HDF5Error`` if the object's header cannot be read.
    public func attributeStorageBytes() throws -> Int {
        var info = H5O_info_t()
        try check(
            H5Oget_info2(handle, &info, UInt32(H5O_INFO_HDR | H5O_INFO_META_SIZE)),
            "measure attributes", objectLocation)
        let (total, overflow) = [info.hdr.space.total, info.meta_size.attr.heap_size, info.meta_size.attr.index_size]
            .reduce((UInt64(0), false)) { sum, part in
                let (next, overflow) = sum.0.addingReportingOverflow(part)
                return (next, sum.1 || overflow)
            }
        return overflow || total > UInt64(Int.max) ? .max : Int(total)
    }

    /// Throws unless the object's attributes take at most `maximumBytes` of storage
    /// (``attributeStorageBytes()``), before any of them is opened.
    ///
    /// - Throws: ``HDF5Error`` with ``HDF5Error/exceedsLimit`` past the limit, or if the header
    ///   cannot be read.
    public func requireAttributeStorage(atMost maximumBytes: Int) throws {
        let bytes = try attributeStorageBytes()
        guard bytes > maximumBytes else { return }
        var error = objectLocation.error("read attributes", "they take \(bytes) bytes, more than \(maximumBytes)")
        error.exceedsLimit = true
        throw error
    }

    /// The object's open handle; attribute calls name the object itself as `.` relative to it.
    var handle: hid_t {
        switch self {
        case let group as Group: return group.id
        case let dataset as Dataset: return dataset.id
        default: preconditionFailure("AttributeContainer is adopted by Group and Dataset only")
        }
    }

    /// The location of the object, for errors.
    var objectLocation: Location { Location(file: file.path, object: path) }

    /// Opens the attribute `name`.
    ///
    /// The corresponding C function is `H5Aopen_by_name`.
    func openAttribute(_ name: String) throws(HDF5Error) -> Attribute {
        let id = try check(
            H5Aopen_by_name(handle, ".", name, defaultPropertyList, defaultPropertyList),
            "open attribute '\(name)'", objectLocation)
        return Attribute(owning: id, name: name, location: objectLocation)
    }

    /// Creates the attribute `name`, deleting an existing one first, and writes `bytes` to it
    /// unless they are `nil` (an attribute with no elements needs no write).
    ///
    /// The corresponding C functions are `H5Adelete_by_name`, `H5Acreate_by_name` and `H5Awrite`.
    func writeAttribute(
        _ name: String, fileType: Datatype, shape: [Int], memoryType: Datatype,
        bytes: UnsafeRawPointer?
    ) throws(HDF5Error) {
        try deleteAttribute(name)
        let space = try Dataspace(shape: shape, objectLocation)
        let id = try check(
            H5Acreate_by_name(
                handle, ".", name, fileType.id, space.id, defaultPropertyList,
                defaultPropertyList, defaultPropertyList),
            "create attribute '\(name)'", objectLocation)
        let attribute = Attribute(owning: id, name: name, location: objectLocation)
        if let bytes { try attribute.write(memoryType, from: bytes) }
    }

    /// Deletes the attribute `name` if it exists.
    ///
    /// The corresponding C functions are `H5Aexists_by_name` and `H5Adelete_by_name`.
    /// - Throws: ``HDF5Error`` if the object's attributes cannot be changed.
    public func deleteAttribute(_ name: String) throws(HDF5Error) {
        let exists = try check(
            H5Aexists_by_name(handle, ".", name, defaultPropertyList),
            "check attribute '\(name)'", objectLocation)
        guard exists > 0 else { return }
        try check(
            H5Adelete_by_name(handle, ".", name, defaultPropertyList),
            "delete attribute '\(name)'", objectLocation)
    }
}

/// Collects `H5Aiterate_by_name` results; the C callback cannot capture context.
private final class AttributeNames {
    var names: [String] = []
}
