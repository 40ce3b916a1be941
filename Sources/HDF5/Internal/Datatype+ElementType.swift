internal import CHDF5

extension Datatype {
    /// Decodes a dataset's file type: FLOAT of size 2 (IEEE binary16 fields), 4 or 8 in any byte
    /// order, INTEGER of size 1, 2, 4 or 8, and OPAQUE of size 2 as bfloat16.
    ///
    /// - Throws: ``HDF5Error`` naming the class and size for any other type.
    func elementType(_ location: Location) throws(HDF5Error) -> ElementType {
        let size = try size(location)
        let decoded: ElementType? =
            switch try typeClass(location) {
            case H5T_FLOAT: try floatType(size: size, location)
            case H5T_INTEGER: try integerType(size: size, location)
            case H5T_OPAQUE: size == 2 ? .bfloat16 : nil
            default: nil
            }
        guard let decoded else {
            throw location.error("decode datatype", "unsupported datatype \(try summary(location))")
        }
        return decoded
    }

    private func floatType(size: Int, _ location: Location) throws(HDF5Error) -> ElementType? {
        switch size {
        case 2: try hasHalfPrecisionFields(location) ? .float16 : nil
        case 4: .float32
        case 8: .float64
        default: nil
        }
    }

    private func integerType(size: Int, _ location: Location) throws(HDF5Error) -> ElementType? {
        let sign = H5Tget_sign(id)
        try check(sign.rawValue, "get integer sign", location)
        let signed = sign == H5T_SGN_2
        switch size {
        case 1: return signed ? .int8 : .uint8
        case 2: return signed ? .int16 : .uint16
        case 4: return signed ? .int32 : .uint32
        case 8: return signed ? .int64 : .uint64
        default: return nil
        }
    }

    /// Whether a 2-byte float has IEEE binary16 fields (sign 15, exponent 10…14, mantissa 0…9),
    /// so that, say, a 2-byte float bfloat16 layout is not mistaken for float16.
    ///
    /// The corresponding C function is `H5Tget_fields`.
    private func hasHalfPrecisionFields(_ location: Location) throws(HDF5Error) -> Bool {
        var sign = 0, exponentPosition = 0, exponentSize = 0, mantissaPosition = 0, mantissaSize = 0
        try check(
            H5Tget_fields(
                id, &sign, &exponentPosition, &exponentSize, &mantissaPosition, &mantissaSize),
            "get float fields", location)
        return (sign, exponentPosition, exponentSize, mantissaPosition, mantissaSize)
            == (15, 10, 5, 0, 10)
    }
}
