extension AttributeContainer {
    /// Reads every element of the numeric attribute `name` as `T`, converted by HDF5, flattened
    /// in row-major order.
    ///
    /// The corresponding C function is `H5Aread`.
    /// - Throws: ``HDF5Error`` if there is no such attribute or it cannot be converted to `T`.
    public func readScalars<T: HDF5Scalar>(_ name: String, as: T.Type) throws -> [T] {
        let attribute = try openAttribute(name)
        let count = try attribute.dataspace().elementCount(objectLocation)
        guard count > 0 else { return [] }
        let memoryType = try Datatype.memory(for: T.elementType, objectLocation)
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try attribute.read(memoryType, into: buffer.baseAddress)
            initialized = count
        }
    }

    /// Writes `values` as a numeric attribute of the given shape, stored with the little-endian
    /// file type of `T` (`H5T_IEEE_F32LE`, `H5T_STD_I64LE`, …).
    ///
    /// The corresponding C functions are `H5Acreate_by_name` and `H5Awrite`.
    /// - Parameter shape: The dimensions; `[]` writes a scalar.
    /// - Precondition: `values.count` equals the product of `shape`.
    /// - Throws: ``HDF5Error`` if the attribute cannot be written.
    public func writeScalars<T: HDF5Scalar>(_ name: String, _ values: [T], shape: [Int]) throws {
        precondition(
            values.count == shape.reduce(1, *), "\(values.count) values for shape \(shape)")
        let fileType = try Datatype.file(for: T.elementType, objectLocation)
        let memoryType = try Datatype.memory(for: T.elementType, objectLocation)
        try values.withUnsafeBytes { buffer in
            try writeAttribute(
                name, fileType: fileType, shape: shape, memoryType: memoryType,
                bytes: values.isEmpty ? nil : buffer.baseAddress)
        }
    }
}
