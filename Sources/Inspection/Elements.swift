import NeuralNet

/// A block of elements as the numeric kernels take them: `float32` or `float64`, in place and not
/// necessarily aligned (see ``UnalignedElements``).
enum Elements {
    case float32(UnalignedElements<Float>)
    case float64(UnalignedElements<Double>)

    /// Calls `body` with the raw little-endian bytes of `dtype` viewed as `Float` or `Double`
    /// (other dtypes are converted to `Double` first).
    static func with<R>(_ bytes: UnsafeRawBufferPointer, dtype: DType, _ body: (Elements) throws -> R) rethrows -> R {
        switch dtype {
        case .float32: return try body(.float32(UnalignedElements(bytes: bytes)))
        case .float64: return try body(.float64(UnalignedElements(bytes: bytes)))
        default:
            let count = bytes.count / dtype.byteCount
            let tensor = Tensor(shape: [count], dtype: dtype) { $0.copyMemory(from: bytes) }.converted(to: .float64)
            return try tensor.withUnsafeBytes { try body(.float64(UnalignedElements(bytes: $0))) }
        }
    }
}
