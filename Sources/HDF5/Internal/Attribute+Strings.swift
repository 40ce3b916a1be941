internal import CHDF5

extension Attribute {
    /// Reads every element as a string in one `H5Aread`: variable-length or fixed-length (with its
    /// NULLTERM, NULLPAD or SPACEPAD padding removed), ASCII or UTF-8, any rank, flattened in
    /// row-major order.
    ///
    /// An attribute with no elements, of any type, gives `[]`.
    ///
    /// A file can declare any amount of text: past `maximumBytes` in all, the read throws (an
    /// ``HDF5Error`` with ``HDF5Error/exceedsLimit``) or, with `truncating`, each longer string is
    /// cut there and ends `… (<length> bytes)`. Fixed-length text is measured before it is read;
    /// variable-length text, which libhdf5 allocates as it reads, before it is copied.
    ///
    /// - Throws: ``HDF5Error`` for a non-string attribute, a value that is not valid UTF-8, or
    ///   more text than `maximumBytes`.
    func readStrings(maximumBytes: Int = .max, truncating: Bool = false) throws -> [String] {
        let limit = TextLimit(maximumBytes: maximumBytes, truncating: truncating)
        let space = try dataspace()
        let count = try space.elementCount(location)
        guard count > 0 else { return [] }
        let type = try datatype()
        guard try type.typeClass(location) == H5T_STRING else {
            throw location.error(
                "read attribute '\(name)' as strings", "not a string: \(try type.summary(location))"
            )
        }
        return try type.isVariableLengthString(location)
            ? try readVariableLength(count: count, type: type, space: space, limit: limit)
            : try readFixedLength(count: count, type: type, limit: limit)
    }

    /// How much text a read may give.
    struct TextLimit {
        let maximumBytes: Int
        let truncating: Bool
    }

    /// Reads variable-length strings, then returns their memory to HDF5.
    ///
    /// The corresponding C functions are `H5Aread` and `H5Dvlen_reclaim`.
    private func readVariableLength(count: Int, type: Datatype, space: Dataspace, limit: TextLimit) throws -> [String]
    {
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        return try pointers.withUnsafeMutableBufferPointer { buffer in
            try read(type, into: buffer.baseAddress)
            let strings = Result { () throws(HDF5Error) in
                var total = 0
                return try buffer.map { pointer throws(HDF5Error) in
                    let length = pointer.map { strlen($0) } ?? 0
                    total += length
                    if limit.truncating && length > limit.maximumBytes, let pointer {
                        let bytes = UnsafeRawBufferPointer(start: pointer, count: limit.maximumBytes)
                        return String(decoding: bytes, as: UTF8.self) + "… (\(length) bytes)"
                    }
                    if !limit.truncating && total > limit.maximumBytes { throw tooMuchText(limit) }
                    return try decode(pointer)
                }
            }
            try check(
                H5Dvlen_reclaim(type.id, space.id, defaultPropertyList, buffer.baseAddress),
                "free attribute '\(name)' strings", location)
            return try strings.get()
        }
    }

    /// Reads fixed-length strings and strips their padding.
    ///
    /// The corresponding C functions are `H5Aread` and `H5Tget_strpad`.
    private func readFixedLength(count: Int, type: Datatype, limit: TextLimit) throws -> [String] {
        let size = try type.size(location)
        let padding = try type.stringPadding(location)
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow else {
            throw location.error(
                "read attribute '\(name)'", "\(count) strings of \(size) bytes overflow Int")
        }
        if byteCount > limit.maximumBytes && (!limit.truncating || count > 1) { throw tooMuchText(limit) }
        var bytes = [UInt8](repeating: 0, count: byteCount)
        try bytes.withUnsafeMutableBytes { try read(type, into: $0.baseAddress) }
        return try stride(from: 0, to: byteCount, by: size).map { start throws(HDF5Error) in
            try decode(unpadded(bytes[start..<start + size], padding))
        }
    }

    private func tooMuchText(_ limit: TextLimit) -> HDF5Error {
        var error = location.error("read attribute '\(name)'", "it holds more than \(limit.maximumBytes) bytes of text")
        error.exceedsLimit = true
        return error
    }

    /// The bytes of one fixed-length string without its padding.
    private func unpadded(_ bytes: ArraySlice<UInt8>, _ padding: H5T_str_t) -> ArraySlice<UInt8> {
        switch padding {
        case H5T_STR_NULLTERM: bytes.prefix { $0 != 0 }
        case H5T_STR_SPACEPAD:
            bytes[..<(bytes.lastIndex { $0 != 0x20 }.map { $0 + 1 } ?? bytes.startIndex)]
        default: bytes[..<(bytes.lastIndex { $0 != 0 }.map { $0 + 1 } ?? bytes.startIndex)]
        }
    }

    /// Decodes one variable-length string; a null pointer is the empty string.
    private func decode(_ pointer: UnsafeMutablePointer<CChar>?) throws(HDF5Error) -> String {
        guard let pointer else { return "" }
        guard let string = String(validatingCString: pointer) else {
            throw location.error("read attribute '\(name)'", "string is not valid UTF-8")
        }
        return string
    }

    /// Decodes one fixed-length string.
    private func decode(_ bytes: ArraySlice<UInt8>) throws(HDF5Error) -> String {
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw location.error("read attribute '\(name)'", "string is not valid UTF-8")
        }
        return string
    }
}
