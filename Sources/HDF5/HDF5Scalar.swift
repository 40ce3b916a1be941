/// A Swift number type that can be read from and written to datasets and attributes directly.
///
/// Conforming types are `Float`, `Double`, `Int8`…`Int64` and `UInt8`…`UInt64`. HDF5 converts
/// between the file's type and the native type of `Self` (width, byte order, float ↔ integer).
/// For float16 and bfloat16 bit patterns, use the raw-buffer API with ``ElementType/float16``
/// or ``ElementType/bfloat16``; reading them as `UInt16` would convert values numerically.
public protocol HDF5Scalar: BitwiseCopyable, Sendable {
    /// The element type whose native memory layout matches `Self`.
    static var elementType: ElementType { get }
}

extension Float: HDF5Scalar {
    /// ``ElementType/float32``.
    public static var elementType: ElementType { .float32 }
}

extension Double: HDF5Scalar {
    /// ``ElementType/float64``.
    public static var elementType: ElementType { .float64 }
}

extension Int8: HDF5Scalar {
    /// ``ElementType/int8``.
    public static var elementType: ElementType { .int8 }
}

extension Int16: HDF5Scalar {
    /// ``ElementType/int16``.
    public static var elementType: ElementType { .int16 }
}

extension Int32: HDF5Scalar {
    /// ``ElementType/int32``.
    public static var elementType: ElementType { .int32 }
}

extension Int64: HDF5Scalar {
    /// ``ElementType/int64``.
    public static var elementType: ElementType { .int64 }
}

extension UInt8: HDF5Scalar {
    /// ``ElementType/uint8``.
    public static var elementType: ElementType { .uint8 }
}

extension UInt16: HDF5Scalar {
    /// ``ElementType/uint16``.
    public static var elementType: ElementType { .uint16 }
}

extension UInt32: HDF5Scalar {
    /// ``ElementType/uint32``.
    public static var elementType: ElementType { .uint32 }
}

extension UInt64: HDF5Scalar {
    /// ``ElementType/uint64``.
    public static var elementType: ElementType { .uint64 }
}
