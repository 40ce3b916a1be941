extension AttributeContainer {
    /// Keras's limit on the size of one attribute (`HDF5_OBJECT_HEADER_LIMIT`).
    static var chunkedAttributeLimit: Int { 64512 }
    /// Bytes one variable-length string takes in an attribute's object header message (its length
    /// and its global-heap id), whatever the string's length.
    static var variableLengthItemBytes: Int { 16 }

    /// Reads a string list that Keras may have split into chunks: the attribute `name` if it
    /// exists, otherwise `name0`, `name1`, … concatenated until one is missing.
    ///
    /// The corresponding C function is `H5Aread`, once per chunk.
    /// - Throws: ``HDF5Error`` if neither `name` nor `name0` exists, or a chunk cannot be read.
    public func readChunkedStrings(_ name: String) throws -> [String] {
        guard let list = try readChunkedStringsIfPresent(name) else {
            throw objectLocation.error(
                "read attribute '\(name)'", "neither '\(name)' nor '\(name)0' exists")
        }
        return list.strings
    }

    /// ``readChunkedStrings(_:)`` for a list that may be absent, with one lookup of each
    /// attribute: `nil` when neither `name` nor `name0` exists. `isScalar` is true when `name` is
    /// one scalar attribute rather than an array (Keras always writes an array).
    ///
    /// The corresponding C functions are `H5Aexists_by_name`, `H5Aget_space` and `H5Aread`.
    /// - Throws: ``HDF5Error`` if an attribute cannot be read.
    /// More than `maximumBytes` of text in all throws (``HDF5Error/exceedsLimit``).
    public func readChunkedStringsIfPresent(_ name: String, maximumBytes: Int = .max) throws -> (strings: [String], isScalar: Bool)? {
        if try hasAttribute(name) {
            let attribute = try openAttribute(name)
            let isScalar = try attribute.dataspace().shape(objectLocation).isEmpty
            return (try attribute.readStrings(maximumBytes: maximumBytes), isScalar)
        }
        var strings: [String] = []
        var index = 0
        var used = 0
        while try hasAttribute("\(name)\(index)") {
            let chunk = try readStrings("\(name)\(index)", maximumBytes: maximumBytes - used)
            used += chunk.reduce(0) { $0 + $1.utf8.count }
            strings += chunk
            index += 1
        }
        return index == 0 ? nil : (strings, false)
    }

    /// Writes a string list by Keras's rule (`save_attributes_to_hdf5_group`), replacing any
    /// earlier `name` or `name0`, `name1`, … attributes.
    ///
    /// - An empty list is written as an empty `float64` array, as numpy turns `[]` into one.
    /// - If the list fits in 64512 bytes as a fixed-length array (count × longest), it is one
    ///   attribute `name`: variable-length ASCII when its message also fits (each variable-length
    ///   item takes 16 bytes of the object header: length and global-heap id), else fixed-length
    ///   NULLPAD ASCII sized to the longest item (thousands of short names).
    /// - Otherwise it is split like numpy's `array_split` into the fewest chunks that each fit
    ///   (the first `count % chunks` one item longer), written as fixed-length NULLPAD ASCII
    ///   attributes `name0` … sized to the longest item of the whole list.
    ///
    /// The corresponding C functions are `H5Acreate_by_name` and `H5Awrite`.
    /// - Throws: ``HDF5Error`` if one item is longer than 64512 bytes (Keras raises too) or an
    ///   attribute cannot be written.
    public func writeChunkedStrings(_ name: String, _ values: [String]) throws {
        let limit = Self.chunkedAttributeLimit
        let longest = max(1, values.map(\.utf8.count).max() ?? 0)
        guard longest <= limit else {
            throw objectLocation.error(
                "write attribute '\(name)'",
                "an item of \(longest) bytes exceeds the \(limit)-byte object header limit")
        }
        try deleteChunkedStrings(name)
        if values.isEmpty { return try writeEmptyFloat64Array(name) }
        if values.count * longest <= limit {
            if values.count * Self.variableLengthItemBytes <= limit {
                return try writeStrings(name, values, storage: .variableLength(.ascii))
            }
            return try writeFixedLengthStrings(name, values, size: longest)
        }
        let chunkCount = (values.count + limit / longest - 1) / (limit / longest)
        var start = 0
        for chunk in 0..<chunkCount {
            let length = values.count / chunkCount + (chunk < values.count % chunkCount ? 1 : 0)
            try writeFixedLengthStrings(
                "\(name)\(chunk)", Array(values[start..<start + length]), size: longest)
            start += length
        }
    }

    /// Deletes `name` and the chunks `name0`, `name1`, … up to the first missing one.
    private func deleteChunkedStrings(_ name: String) throws {
        try deleteAttribute(name)
        var index = 0
        while try hasAttribute("\(name)\(index)") {
            try deleteAttribute("\(name)\(index)")
            index += 1
        }
    }
}
