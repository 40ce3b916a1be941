internal import CHDF5

extension Datatype {
    /// The type class.
    ///
    /// The corresponding C function is `H5Tget_class`.
    func typeClass(_ location: Location) throws(HDF5Error) -> H5T_class_t {
        let value = H5Tget_class(id)
        try check(value.rawValue, "get datatype class", location)
        return value
    }

    /// The size in bytes (for a variable-length string, the size of its pointer).
    ///
    /// The corresponding C function is `H5Tget_size`.
    func size(_ location: Location) throws(HDF5Error) -> Int {
        try checkNonZero(H5Tget_size(id), "get datatype size", location)
    }

    /// Whether this is a variable-length string.
    ///
    /// The corresponding C function is `H5Tis_variable_str`.
    func isVariableLengthString(_ location: Location) throws(HDF5Error) -> Bool {
        try check(H5Tis_variable_str(id), "check for variable-length string", location) > 0
    }

    /// The character set of a string type.
    ///
    /// The corresponding C function is `H5Tget_cset`.
    func encoding(_ location: Location) throws(HDF5Error) -> StringEncoding {
        let value = H5Tget_cset(id)
        try check(value.rawValue, "get string character set", location)
        return value == H5T_CSET_UTF8 ? .utf8 : .ascii
    }

    /// The padding of a fixed-length string type.
    ///
    /// The corresponding C function is `H5Tget_strpad`.
    func stringPadding(_ location: Location) throws(HDF5Error) -> H5T_str_t {
        let value = H5Tget_strpad(id)
        try check(value.rawValue, "get string padding", location)
        return value
    }

    /// A readable name for errors, for example `OPAQUE (4 bytes)`.
    func summary(_ location: Location) throws(HDF5Error) -> String {
        let names: [H5T_class_t: String] = [
            H5T_INTEGER: "INTEGER", H5T_FLOAT: "FLOAT", H5T_TIME: "TIME", H5T_STRING: "STRING",
            H5T_BITFIELD: "BITFIELD", H5T_OPAQUE: "OPAQUE", H5T_COMPOUND: "COMPOUND",
            H5T_REFERENCE: "REFERENCE", H5T_ENUM: "ENUM", H5T_VLEN: "VLEN", H5T_ARRAY: "ARRAY",
        ]
        let typeClass = try typeClass(location)
        return "\(names[typeClass] ?? "class \(typeClass.rawValue)") (\(try size(location)) bytes)"
    }
}
