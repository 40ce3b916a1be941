import NeuralNet

/// The elements of a block as `Float` or `Double`, without copying for `float32`/`float64`.
enum Elements {
    case float32(UnsafeBufferPointer<Float>)
    case float64(UnsafeBufferPointer<Double>)

    /// Calls `body` with the raw little-endian bytes of `dtype` viewed as `Float` or `Double`
    /// (other dtypes are converted to `Double` first).
    static func with<R>(_ bytes: UnsafeRawBufferPointer, dtype: DType, _ body: (Elements) throws -> R) rethrows -> R {
        switch dtype {
        case .float32: return try bytes.withMemoryRebound(to: Float.self) { try body(.float32($0)) }
        case .float64: return try bytes.withMemoryRebound(to: Double.self) { try body(.float64($0)) }
        default:
            let count = bytes.count / dtype.byteCount
            let tensor = Tensor(shape: [count], dtype: dtype) { $0.copyMemory(from: bytes) }.converted(to: .float64)
            return try tensor.withUnsafeBytes { raw in try raw.withMemoryRebound(to: Double.self) { try body(.float64($0)) } }
        }
    }
}
