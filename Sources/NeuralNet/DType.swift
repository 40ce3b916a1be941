/// The element type of a ``Tensor``, named as Keras and numpy name it.
///
/// Heft computes in `float32`; the other types exist so that persistence keeps a file's dtype
/// exactly (a `float16` checkpoint stays `float16` when it is loaded and saved again).
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    case float16, bfloat16, float32, float64
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64

    /// The size of one element in bytes.
    public var byteCount: Int {
        switch self {
        case .int8, .uint8: 1
        case .float16, .bfloat16, .int16, .uint16: 2
        case .float32, .int32, .uint32: 4
        case .float64, .int64, .uint64: 8
        }
    }

    /// Whether the type holds floating-point values.
    public var isFloatingPoint: Bool {
        switch self {
        case .float16, .bfloat16, .float32, .float64: true
        default: false
        }
    }

    /// The Keras / numpy name, e.g. `float32`.
    public var description: String { rawValue }
}
