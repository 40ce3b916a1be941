internal import CHDF5

/// An owned HDF5 attribute id, closed on deinit.
final class Attribute {
    /// The owned id.
    let id: hid_t
    /// The attribute's name.
    let name: String
    /// The object the attribute is attached to, for errors.
    let location: Location

    /// Takes ownership of an id that has already been checked.
    init(owning id: hid_t, name: String, location: Location) {
        self.id = id
        self.name = name
        self.location = location
    }

    deinit {
        H5Aclose(id)
    }

    /// The attribute's dataspace.
    ///
    /// The corresponding C function is `H5Aget_space`.
    func dataspace() throws(HDF5Error) -> Dataspace {
        Dataspace(
            owning: try check(H5Aget_space(id), "get dataspace of attribute '\(name)'", location))
    }

    /// The attribute's datatype, usable as the memory type for strings.
    ///
    /// The corresponding C function is `H5Aget_type`.
    func datatype() throws(HDF5Error) -> Datatype {
        Datatype(
            owning: try check(H5Aget_type(id), "get datatype of attribute '\(name)'", location))
    }

    /// Reads all elements in one call, converted to `memoryType`.
    ///
    /// The corresponding C function is `H5Aread`.
    func read(_ memoryType: Datatype, into buffer: UnsafeMutableRawPointer?) throws(HDF5Error) {
        try check(H5Aread(id, memoryType.id, buffer), "read attribute '\(name)'", location)
    }

    /// Writes all elements in one call, converted from `memoryType`.
    ///
    /// The corresponding C function is `H5Awrite`.
    func write(_ memoryType: Datatype, from buffer: UnsafeRawPointer?) throws(HDF5Error) {
        try check(H5Awrite(id, memoryType.id, buffer), "write attribute '\(name)'", location)
    }

    /// The shape, class and string properties, without reading data.
    func info() throws(HDF5Error) -> AttributeInfo {
        let type = try datatype()
        let kind: AttributeInfo.Kind =
            switch try type.typeClass(location) {
            case H5T_STRING: .string
            case H5T_FLOAT: .float
            case H5T_INTEGER: .integer
            default: .other
            }
        let isString = kind == .string
        return AttributeInfo(
            kind: kind, shape: try dataspace().shape(location),
            elementSize: try type.size(location),
            isVariableLengthString: isString ? try type.isVariableLengthString(location) : false,
            encoding: isString ? try type.encoding(location) : nil)
    }
}
