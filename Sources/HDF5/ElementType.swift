/// The element type of a dataset or numeric attribute, as stored in the file and as laid out in
/// memory.
///
/// In memory every type is native (little-endian on x86 and ARM); HDF5 converts from the file's
/// byte order and width. `.float16` and `.bfloat16` elements are `UInt16` bit patterns in memory.
public enum ElementType: Hashable, Sendable, CaseIterable {
    /// IEEE binary16. On file: a 2-byte FLOAT type with binary16 fields, as numpy's float16.
    case float16
    /// bfloat16 (the top 16 bits of a float32). On file: a 2-byte OPAQUE type with tag `""`, and
    /// in Keras 3 files a `dtype = "bfloat16"` attribute on the dataset.
    case bfloat16
    /// IEEE binary32; `H5T_IEEE_F32LE` on file.
    case float32
    /// IEEE binary64; `H5T_IEEE_F64LE` on file.
    case float64
    /// `H5T_STD_I8LE` on file.
    case int8
    /// `H5T_STD_I16LE` on file.
    case int16
    /// `H5T_STD_I32LE` on file.
    case int32
    /// `H5T_STD_I64LE` on file.
    case int64
    /// `H5T_STD_U8LE` on file.
    case uint8
    /// `H5T_STD_U16LE` on file.
    case uint16
    /// `H5T_STD_U32LE` on file.
    case uint32
    /// `H5T_STD_U64LE` on file.
    case uint64

    /// The size of one element in memory, in bytes.
    public var byteCount: Int {
        switch self {
        case .int8, .uint8: 1
        case .float16, .bfloat16, .int16, .uint16: 2
        case .float32, .int32, .uint32: 4
        case .float64, .int64, .uint64: 8
        }
    }
}
