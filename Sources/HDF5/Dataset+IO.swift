internal import CHDF5

extension Dataset {
    /// Reads the whole dataset into `buffer`, converted by HDF5 to the native memory layout of
    /// `type` (any file byte order, and between numeric types, for example float16 → float32).
    ///
    /// The corresponding C function is `H5Dread`.
    /// - Precondition: `buffer.count` is the element count times `type.byteCount`; a wrong size
    ///   is a programmer error and traps.
    /// - Throws: ``HDF5Error`` if the data cannot be read or converted.
    public func read(into buffer: UnsafeMutableRawBufferPointer, as type: ElementType) throws {
        try requireSize(buffer.count, elements: try dataspace().elementCount(location), type)
        let memoryType = try Datatype.memory(for: type, location)
        try check(
            H5Dread(
                id, memoryType.id, wholeDataspace, wholeDataspace, defaultPropertyList,
                buffer.baseAddress), "read dataset", location)
    }

    /// Reads the block `offset ..< offset + count` (in every dimension) into `buffer`, for
    /// example a range of rows.
    ///
    /// The corresponding C functions are `H5Sselect_hyperslab` and `H5Dread`.
    /// - Precondition: `offset` and `count` have one non-negative entry per dimension and
    ///   `buffer.count` is the product of `count` times `type.byteCount`.
    /// - Throws: ``HDF5Error`` if the block lies outside the dataset or cannot be read.
    public func read(
        into buffer: UnsafeMutableRawBufferPointer, as type: ElementType, offset: [Int],
        count: [Int]
    ) throws {
        precondition(offset.count == count.count, "offset and count differ in rank")
        precondition((offset + count).allSatisfy { $0 >= 0 }, "negative offset or count")
        let fileSpace = try dataspace()
        try fileSpace.selectHyperslab(offset: offset, count: count, location)
        let memorySpace = try Dataspace(shape: count, location)
        try requireSize(buffer.count, elements: try memorySpace.elementCount(location), type)
        let memoryType = try Datatype.memory(for: type, location)
        try check(
            H5Dread(
                id, memoryType.id, memorySpace.id, fileSpace.id, defaultPropertyList,
                buffer.baseAddress), "read dataset slice at \(offset) of size \(count)", location)
    }

    /// Writes the whole dataset from `buffer`, laid out as native elements of `type`; HDF5
    /// converts to the file type.
    ///
    /// The corresponding C function is `H5Dwrite`.
    /// - Precondition: `buffer.count` is the element count times `type.byteCount`.
    /// - Throws: ``HDF5Error`` if the data cannot be converted or written.
    public func write(from buffer: UnsafeRawBufferPointer, as type: ElementType) throws {
        try requireSize(buffer.count, elements: try dataspace().elementCount(location), type)
        let memoryType = try Datatype.memory(for: type, location)
        try check(
            H5Dwrite(
                id, memoryType.id, wholeDataspace, wholeDataspace, defaultPropertyList,
                buffer.baseAddress), "write dataset", location)
    }

    /// Writes the block `offset ..< offset + count` (in every dimension) from `buffer`, for example
    /// a range of rows, laid out as native elements of `type`.
    ///
    /// The corresponding C functions are `H5Sselect_hyperslab` and `H5Dwrite`.
    /// - Precondition: `offset` and `count` have one non-negative entry per dimension and
    ///   `buffer.count` is the product of `count` times `type.byteCount`.
    /// - Throws: ``HDF5Error`` if the block lies outside the dataset or cannot be written.
    public func write(
        from buffer: UnsafeRawBufferPointer, as type: ElementType, offset: [Int], count: [Int]
    ) throws {
        precondition(offset.count == count.count, "offset and count differ in rank")
        precondition((offset + count).allSatisfy { $0 >= 0 }, "negative offset or count")
        let fileSpace = try dataspace()
        try fileSpace.selectHyperslab(offset: offset, count: count, location)
        let memorySpace = try Dataspace(shape: count, location)
        try requireSize(buffer.count, elements: try memorySpace.elementCount(location), type)
        let memoryType = try Datatype.memory(for: type, location)
        try check(
            H5Dwrite(
                id, memoryType.id, memorySpace.id, fileSpace.id, defaultPropertyList,
                buffer.baseAddress), "write dataset slice at \(offset) of size \(count)", location)
    }

    /// Reads the whole dataset as `T`, converted by HDF5.
    ///
    /// The corresponding C function is `H5Dread`.
    /// - Throws: ``HDF5Error`` if the data cannot be read or converted.
    public func read<T: HDF5Scalar>(as: T.Type) throws -> [T] {
        let count = try dataspace().elementCount(location)
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try read(into: UnsafeMutableRawBufferPointer(buffer), as: T.elementType)
            initialized = count
        }
    }

    /// Writes the whole dataset from `values`, converted by HDF5 to the file type.
    ///
    /// The corresponding C function is `H5Dwrite`.
    /// - Precondition: `values.count` is the dataset's element count.
    /// - Throws: ``HDF5Error`` if the data cannot be converted or written.
    public func write<T: HDF5Scalar>(_ values: [T]) throws {
        try values.withUnsafeBytes { try write(from: $0, as: T.elementType) }
    }

    /// Traps unless `byteCount` is exactly `elements` elements of `type`; throws if that size
    /// overflows `Int` (a crafted file can declare huge dimensions).
    private func requireSize(_ byteCount: Int, elements: Int, _ type: ElementType) throws(HDF5Error)
    {
        let (expected, overflow) = elements.multipliedReportingOverflow(by: type.byteCount)
        guard !overflow else {
            throw location.error("size buffer", "\(elements) elements of \(type) overflow Int")
        }
        precondition(
            byteCount == expected,
            "\(location.object): buffer of \(byteCount) bytes for \(elements) elements of \(type)")
    }
}
