internal import CHDF5

/// An owned HDF5 datatype id, closed on deinit.
///
/// Predefined types are never owned: they are copied with `H5Tcopy` first.
final class Datatype {
    /// The owned id.
    let id: hid_t

    /// Takes ownership of an id that has already been checked.
    init(owning id: hid_t) {
        self.id = id
    }

    deinit {
        H5Tclose(id)
    }

    /// An owned copy of `type`.
    ///
    /// The corresponding C function is `H5Tcopy`.
    static func copy(of type: hid_t, _ location: Location) throws(HDF5Error) -> Datatype {
        Datatype(owning: try check(H5Tcopy(type), "copy datatype", location))
    }

    /// The memory type HDF5 converts to and from for `type`: the native type, IEEE binary16 in
    /// native byte order for `.float16`, and a 2-byte opaque for `.bfloat16`.
    static func memory(for type: ElementType, _ location: Location) throws(HDF5Error) -> Datatype {
        switch type {
        case .float16: try half(basedOn: chdf5_native_float(), location)
        case .bfloat16: try bfloat16Opaque(location)
        default: try copy(of: type.predefinedNativeType!, location)
        }
    }

    /// The file type Heft writes for `type`: the little-endian type (`H5T_IEEE_F32LE`, …), IEEE
    /// binary16 little-endian for `.float16` and a 2-byte opaque with tag `""` for `.bfloat16`,
    /// exactly as h5py writes them.
    ///
    /// `byteOrder` exists for tests that need big-endian files.
    static func file(
        for type: ElementType, byteOrder: ByteOrder = .littleEndian, _ location: Location
    ) throws(HDF5Error) -> Datatype {
        let datatype: Datatype =
            switch type {
            case .float16: try half(basedOn: chdf5_ieee_f32le(), location)
            case .bfloat16: try bfloat16Opaque(location)
            default: try copy(of: type.predefinedLittleEndianType!, location)
            }
        if byteOrder == .bigEndian && type != .bfloat16 {
            try check(H5Tset_order(datatype.id, H5T_ORDER_BE), "set byte order", location)
        }
        return datatype
    }

    /// IEEE binary16 built from a 32-bit float type, as h5py builds it for numpy's float16:
    /// sign bit 15, exponent bits 10–14 (bias 15), mantissa bits 0–9, size 2.
    ///
    /// The corresponding C functions are `H5Tset_fields`, `H5Tset_size`, `H5Tset_precision`,
    /// `H5Tset_offset` and `H5Tset_ebias`.
    private static func half(basedOn float32: hid_t, _ location: Location) throws(HDF5Error)
        -> Datatype
    {
        let type = try copy(of: float32, location)
        let operation = "build float16 datatype"
        try check(H5Tset_fields(type.id, 15, 10, 5, 0, 10), operation, location)
        try check(H5Tset_size(type.id, 2), operation, location)
        try check(H5Tset_precision(type.id, 16), operation, location)
        try check(H5Tset_offset(type.id, 0), operation, location)
        try check(H5Tset_ebias(type.id, 15), operation, location)
        return type
    }

    /// The 2-byte opaque type with tag `""` that h5py writes for ml_dtypes' bfloat16.
    ///
    /// The corresponding C functions are `H5Tcreate` and `H5Tset_tag`.
    private static func bfloat16Opaque(_ location: Location) throws(HDF5Error) -> Datatype {
        let type = Datatype(
            owning: try check(H5Tcreate(H5T_OPAQUE, 2), "build bfloat16 datatype", location))
        try check(H5Tset_tag(type.id, ""), "build bfloat16 datatype", location)
        return type
    }

    /// A C string type: variable-length with NULLTERM padding when `size` is `nil`, otherwise
    /// fixed-length `size` bytes with NULLPAD padding (numpy's `S<size>`).
    ///
    /// The corresponding C functions are `H5Tset_size`, `H5Tset_strpad` and `H5Tset_cset`.
    static func string(size: Int?, encoding: StringEncoding, _ location: Location)
        throws(HDF5Error) -> Datatype
    {
        let type = try copy(of: cStringType, location)
        let operation = "build string datatype"
        try check(H5Tset_size(type.id, size ?? variableStringSize), operation, location)
        try check(
            H5Tset_strpad(type.id, size == nil ? H5T_STR_NULLTERM : H5T_STR_NULLPAD), operation,
            location)
        try check(
            H5Tset_cset(type.id, encoding == .utf8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII), operation,
            location)
        return type
    }
}

/// Byte order of a file type; only tests choose big-endian.
enum ByteOrder {
    /// What Keras and Heft write.
    case littleEndian
    /// For tests of byte-order conversion on read.
    case bigEndian
}
