internal import CHDF5

// Typed Swift names for HDF5 constants and for the `chdf5_*` shim accessors, so that the
// macro conversions are written in exactly one place.

/// The default property list.
///
/// The corresponding C constant is `H5P_DEFAULT`.
let defaultPropertyList = hid_t(H5P_DEFAULT)

/// The calling thread's default error stack.
///
/// The corresponding C constant is `H5E_DEFAULT`.
let defaultErrorStack = hid_t(H5E_DEFAULT)

/// A selection of the whole dataspace.
///
/// The corresponding C constant is `H5S_ALL`.
let wholeDataspace = hid_t(H5S_ALL)

/// The size value that marks a variable-length string.
///
/// The corresponding C constant is `H5T_VARIABLE`.
var variableStringSize: Int { chdf5_variable() }

/// The predefined C string type.
///
/// The corresponding C constant is `H5T_C_S1`.
var cStringType: hid_t { chdf5_c_s1() }

/// The `H5P_FILE_ACCESS` property list class.
var fileAccessClass: hid_t { chdf5_file_access() }

/// The `H5P_LINK_CREATE` property list class.
var linkCreationClass: hid_t { chdf5_link_create() }

/// The `H5P_DATASET_CREATE` property list class.
var datasetCreationClass: hid_t { chdf5_dataset_create() }

extension FileAccess {
    /// The `H5Fopen` flag for this access mode: `H5F_ACC_RDONLY` or `H5F_ACC_RDWR`.
    var openFlag: UInt32 {
        switch self {
        case .readOnly: chdf5_acc_rdonly()
        case .readWrite: chdf5_acc_rdwr()
        }
    }
}

/// The `H5Fcreate` flag: `H5F_ACC_TRUNC` when replacing a file, `H5F_ACC_EXCL` otherwise.
func createFlag(overwrite: Bool) -> UInt32 {
    overwrite ? chdf5_acc_trunc() : chdf5_acc_excl()
}

extension ElementType {
    /// The predefined native (memory) type for the standard numeric types; `nil` for the two
    /// 16-bit float types, which HDF5 1.10 does not predefine.
    var predefinedNativeType: hid_t? {
        switch self {
        case .float16, .bfloat16: nil
        case .float32: chdf5_native_float()
        case .float64: chdf5_native_double()
        case .int8: chdf5_native_int8()
        case .int16: chdf5_native_int16()
        case .int32: chdf5_native_int32()
        case .int64: chdf5_native_int64()
        case .uint8: chdf5_native_uint8()
        case .uint16: chdf5_native_uint16()
        case .uint32: chdf5_native_uint32()
        case .uint64: chdf5_native_uint64()
        }
    }

    /// The predefined little-endian file type for the standard numeric types (`H5T_IEEE_F32LE`,
    /// `H5T_STD_I32LE`, …); `nil` for the two 16-bit float types.
    var predefinedLittleEndianType: hid_t? {
        switch self {
        case .float16, .bfloat16: nil
        case .float32: chdf5_ieee_f32le()
        case .float64: chdf5_ieee_f64le()
        case .int8: chdf5_std_i8le()
        case .int16: chdf5_std_i16le()
        case .int32: chdf5_std_i32le()
        case .int64: chdf5_std_i64le()
        case .uint8: chdf5_std_u8le()
        case .uint16: chdf5_std_u16le()
        case .uint32: chdf5_std_u32le()
        case .uint64: chdf5_std_u64le()
        }
    }
}
