extension AttributeContainer {
    /// Reads the string attribute `name` in one `H5Aread`.
    ///
    /// Accepts variable-length and fixed-length strings (NULLPAD, NULLTERM and SPACEPAD padding
    /// removed), ASCII or UTF-8, scalar (one element) or 1-D. An attribute with no elements, of
    /// any type (Keras writes `float64[0]` for an empty `weight_names`), reads as `[]`.
    ///
    /// Past `maximumBytes` of text in all the read throws (``HDF5Error/exceedsLimit``) or, with
    /// `truncating`, each longer string is cut there and ends `… (<length> bytes)`.
    ///
    /// The corresponding C functions are `H5Aread` and `H5Dvlen_reclaim`.
    /// - Throws: ``HDF5Error`` if there is no such attribute, it does not hold strings, a value is
    ///   not valid UTF-8, or it holds more text than `maximumBytes`.
    public func readStrings(_ name: String, maximumBytes: Int = .max, truncating: Bool = false) throws -> [String] {
        try openAttribute(name).readStrings(maximumBytes: maximumBytes, truncating: truncating)
    }

    /// Reads a string attribute that holds exactly one string (scalar or one element), under the
    /// limit of ``readStrings(_:maximumBytes:truncating:)``.
    ///
    /// The corresponding C function is `H5Aread`.
    /// - Throws: ``HDF5Error`` if there is no such attribute, it does not hold strings, it holds a
    ///   number of strings other than one, or more text than `maximumBytes`.
    public func readString(_ name: String, maximumBytes: Int = .max, truncating: Bool = false) throws -> String {
        let strings = try readStrings(name, maximumBytes: maximumBytes, truncating: truncating)
        guard strings.count == 1 else {
            throw objectLocation.error(
                "read attribute '\(name)'", "expected 1 string, found \(strings.count)")
        }
        return strings[0]
    }

    /// Writes a scalar variable-length string attribute, as h5py writes a Python `str`
    /// (`.utf8`) or `bytes` (`.ascii`).
    ///
    /// The corresponding C functions are `H5Acreate_by_name` and `H5Awrite`.
    /// - Precondition: `value` contains no NUL character.
    /// - Throws: ``HDF5Error`` if the attribute cannot be written.
    public func writeString(_ name: String, _ value: String, encoding: StringEncoding = .ascii)
        throws
    {
        try writeVariableLengthStrings(name, [value], shape: [], encoding: encoding)
    }

    /// Writes a 1-D string attribute.
    ///
    /// The corresponding C functions are `H5Acreate_by_name` and `H5Awrite`.
    /// - Parameter storage: Variable-length with a character set, or fixed-length NULLPAD ASCII
    ///   sized to the longest value (at least 1 byte).
    /// - Precondition: No value contains a NUL character.
    /// - Throws: ``HDF5Error`` if the attribute cannot be written.
    public func writeStrings(_ name: String, _ values: [String], storage: StringStorage) throws {
        switch storage {
        case .variableLength(let encoding):
            try writeVariableLengthStrings(name, values, shape: [values.count], encoding: encoding)
        case .fixedLength:
            try writeFixedLengthStrings(
                name, values, size: max(1, values.map(\.utf8.count).max() ?? 0))
        }
    }

    /// Writes an empty `float64` array of shape `(0,)`, as numpy writes `np.asarray([])` and
    /// Keras writes `weight_names` for a layer without weights.
    ///
    /// The corresponding C functions are `H5Screate_simple` and `H5Acreate_by_name`.
    /// - Throws: ``HDF5Error`` if the attribute cannot be written.
    public func writeEmptyFloat64Array(_ name: String) throws {
        try writeScalars(name, [Double](), shape: [0])
    }

    /// Writes variable-length strings with NULLTERM padding.
    func writeVariableLengthStrings(
        _ name: String, _ values: [String], shape: [Int], encoding: StringEncoding
    ) throws {
        let type = try Datatype.string(size: nil, encoding: encoding, objectLocation)
        try withCStringPointers(values) { pointers in
            try writeAttribute(
                name, fileType: type, shape: shape, memoryType: type, bytes: pointers)
        }
    }

    /// Writes fixed-length NULLPAD ASCII strings of `size` bytes each.
    /// - Precondition: No value is longer than `size` bytes or contains a NUL character.
    func writeFixedLengthStrings(_ name: String, _ values: [String], size: Int) throws {
        var bytes = [UInt8](repeating: 0, count: values.count * size)
        for (index, value) in values.enumerated() {
            precondition(value.utf8.count <= size && !value.utf8.contains(0), "bad string \(value)")
            bytes.replaceSubrange(index * size..<index * size + value.utf8.count, with: value.utf8)
        }
        let type = try Datatype.string(size: size, encoding: .ascii, objectLocation)
        try bytes.withUnsafeBytes { buffer in
            try writeAttribute(
                name, fileType: type, shape: [values.count], memoryType: type,
                bytes: values.isEmpty ? nil : buffer.baseAddress)
        }
    }
}

/// Calls `body` with an array of C string pointers to `strings` (`nil` when there are none),
/// backed by one contiguous buffer.
private func withCStringPointers<Result>(
    _ strings: [String], _ body: (UnsafeRawPointer?) throws -> Result
) throws -> Result {
    var storage: [CChar] = []
    var offsets: [Int] = []
    for string in strings {
        precondition(!string.utf8.contains(0), "string contains NUL: \(string)")
        offsets.append(storage.count)
        storage.append(contentsOf: string.utf8CString)
    }
    return try storage.withUnsafeBufferPointer { characters in
        let pointers = offsets.map { characters.baseAddress! + $0 }
        return try pointers.withUnsafeBufferPointer { buffer in
            try body(strings.isEmpty ? nil : UnsafeRawPointer(buffer.baseAddress))
        }
    }
}
