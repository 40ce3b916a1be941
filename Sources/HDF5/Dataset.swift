internal import CHDF5

/// An open dataset, which keeps its file open.
///
/// Reading and writing are in `Dataset+IO.swift`; this file holds the metadata queries.
public final class Dataset {
    /// The file the dataset belongs to.
    public let file: File
    /// The absolute path of the dataset in the file, for example `/dense/dense/kernel:0`.
    public let path: String
    /// The owned dataset id.
    let id: hid_t

    /// The attribute Keras 3 puts on bfloat16 datasets.
    static let dtypeAttribute = "dtype"

    init(file: File, path: String, id: hid_t) {
        self.file = file
        self.path = path
        self.id = id
    }

    deinit {
        H5Dclose(id)
    }

    /// Errors about the dataset name its path.
    var location: Location { Location(file: file.path, object: path) }

    /// The dimensions; `[]` for a scalar dataset.
    ///
    /// The corresponding C functions are `H5Dget_space` and `H5Sget_simple_extent_dims`.
    /// - Throws: ``HDF5Error`` if the dataspace cannot be read.
    public var shape: [Int] {
        get throws { try dataspace().shape(location) }
    }

    /// The element type decoded from the file type; see ``ElementType`` for the mapping.
    ///
    /// A 2-byte OPAQUE type decodes as `.bfloat16`; check ``hasBFloat16Tag`` to tell whether the
    /// file says so.
    ///
    /// The corresponding C function is `H5Dget_type`.
    /// - Throws: ``HDF5Error`` naming the type class and size for any other type.
    public var elementType: ElementType {
        get throws { try fileType().elementType(location) }
    }

    /// Whether the dataset carries Keras 3's string attribute `dtype = "bfloat16"`.
    ///
    /// - Throws: ``HDF5Error`` if the attribute exists but cannot be read.
    public var hasBFloat16Tag: Bool {
        get throws {
            guard try hasAttribute(Dataset.dtypeAttribute),
                try attributeInfo(Dataset.dtypeAttribute).kind == .string
            else { return false }
            return try readStrings(Dataset.dtypeAttribute) == ["bfloat16"]
        }
    }

    /// The number of bytes allocated in the file for the raw data (0 if none is allocated).
    ///
    /// The corresponding C function is `H5Dget_storage_size`; it has no error return.
    public var storageSize: Int {
        get throws { try location.int(H5Dget_storage_size(id), "get storage size") }
    }

    /// How the raw data is stored.
    ///
    /// The corresponding C function is `H5Pget_layout`.
    /// - Throws: ``HDF5Error`` if the creation properties cannot be read.
    public var layout: Layout {
        get throws { try layout(of: try creationProperties()) }
    }

    private func layout(of properties: PropertyList) throws(HDF5Error) -> Layout {
        let layout = H5Pget_layout(properties.id)
        try check(layout.rawValue, "get layout", location)
        switch layout {
        case H5D_CHUNKED: return .chunked
        case H5D_COMPACT: return .compact
        case H5D_VIRTUAL: return .virtual
        default: return .contiguous
        }
    }

    /// Layout, external-file count, filters and chunk shape, read from one copy of the creation
    /// properties: everything a reader checks before trusting a dataset.
    ///
    /// The corresponding C functions are `H5Dget_create_plist`, `H5Pget_layout`,
    /// `H5Pget_external_count`, `H5Pget_nfilters`, `H5Pget_filter2` and `H5Pget_chunk`.
    /// - Throws: ``HDF5Error`` if the creation properties cannot be read.
    public var storageProperties: StorageProperties {
        get throws {
            let properties = try creationProperties()
            let count = try check(H5Pget_external_count(properties.id), "count external files", location)
            let layout = try layout(of: properties)
            return StorageProperties(layout: layout, externalFileCount: Int(count), filters: try filters(of: properties),
                                     chunkShape: layout == .chunked ? try chunkShape(of: properties) : nil)
        }
    }

    /// The dataspace's dimensions, maximum dimensions and element count, read together: what a
    /// reader checks before trusting ``shape``.
    ///
    /// The corresponding C functions are `H5Dget_space`, `H5Sget_simple_extent_dims` and
    /// `H5Sget_simple_extent_npoints`.
    /// - Throws: ``HDF5Error`` if the dataspace cannot be read or a dimension does not fit in `Int`.
    public var extent: Extent {
        get throws { try dataspace().extent(location) }
    }

    /// The filter pipeline, in order (empty for Keras files).
    ///
    /// The corresponding C functions are `H5Pget_nfilters` and `H5Pget_filter2`.
    /// - Throws: ``HDF5Error`` if the creation properties cannot be read.
    public var filters: [Filter] {
        get throws { try filters(of: try creationProperties()) }
    }

    private func filters(of properties: PropertyList) throws(HDF5Error) -> [Filter] {
        let count = try check(H5Pget_nfilters(properties.id), "count filters", location)
        return try (0..<UInt32(count)).map { index throws(HDF5Error) in
            try filter(at: index, properties)
        }
    }

    private func chunkShape(of properties: PropertyList) throws(HDF5Error) -> [Int] {
        var dims = [hsize_t](repeating: 0, count: 32)
        let rank = try check(H5Pget_chunk(properties.id, Int32(dims.count), &dims), "get chunk shape", location)
        return try dims.prefix(Int(rank)).map { dim throws(HDF5Error) in try location.int(dim, "get chunk shape") }
    }

    /// The object's address in the file: equal for two paths that are hard links to one object.
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

    /// Where a contiguous dataset's data starts in the file, or `nil` when the data is not one
    /// allocated contiguous block (chunked, compact, virtual, or not yet written).
    ///
    /// The corresponding C function is `H5Dget_offset` (`HADDR_UNDEF` becomes `nil`).
    public var fileOffset: UInt64? {
        let offset = UInt64(H5Dget_offset(id))
        return offset == UInt64.max ? nil : offset
    }

    /// ``elementType``, and whether the elements are stored exactly as it lays them out in memory
    /// (same width, little-endian byte order, IEEE fields; any 2-byte opaque for bfloat16), so
    /// that the stored bytes are the elements without conversion.
    ///
    /// The corresponding C functions are `H5Dget_type` and `H5Tequal`.
    /// - Throws: ``HDF5Error`` if the type cannot be read, or is none Heft decodes.
    public var elementLayout: (elementType: ElementType, storesNativeElements: Bool) {
        get throws {
            let stored = try fileType()
            let type = try stored.elementType(location)
            if type == .bfloat16 { return (type, true) }
            let native = try Datatype.memory(for: type, location)
            return (type, try check(H5Tequal(stored.id, native.id), "compare datatypes", location) > 0)
        }
    }

    /// The dataset's dataspace.
    ///
    /// The corresponding C function is `H5Dget_space`.
    func dataspace() throws(HDF5Error) -> Dataspace {
        Dataspace(owning: try check(H5Dget_space(id), "get dataspace", location))
    }

    /// The dataset's file type.
    ///
    /// The corresponding C function is `H5Dget_type`.
    func fileType() throws(HDF5Error) -> Datatype {
        Datatype(owning: try check(H5Dget_type(id), "get datatype", location))
    }

    /// The creation properties.
    ///
    /// The corresponding C function is `H5Dget_create_plist`.
    private func creationProperties() throws(HDF5Error) -> PropertyList {
        PropertyList(
            owning: try check(H5Dget_create_plist(id), "get creation properties", location))
    }

    /// One filter of the pipeline.
    ///
    /// The corresponding C function is `H5Pget_filter2`.
    private func filter(at index: UInt32, _ properties: PropertyList) throws(HDF5Error) -> Filter {
        var flags: UInt32 = 0
        var valueCount = 0
        var name = [CChar](repeating: 0, count: 256)
        var config: UInt32 = 0
        let id = try check(
            H5Pget_filter2(
                properties.id, index, &flags, &valueCount, nil, name.count, &name, &config),
            "get filter \(index)", location)
        return Filter(id: Int(id), name: String(nulTerminated: name))
    }
}
