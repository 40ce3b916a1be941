import CKernels
import NeuralNet

/// The NaN and infinite elements of a tensor, counted block by block: all `heft verify` needs to
/// know of the values when it is not asked for identical groups (one cheap pass, where the
/// statistics make two in `Double`).
struct NonFiniteCount: Sendable, Equatable {
    /// The elements seen.
    private(set) var count = 0
    private(set) var nan = 0
    private(set) var infinite = 0

    /// Counts one block of little-endian elements of `dtype`; integers are always finite.
    mutating func add(_ bytes: UnsafeRawBufferPointer, dtype: DType) {
        let elements = bytes.count / dtype.byteCount
        count += elements
        var block = heft_non_finite()
        switch dtype {
        case .float32:
            heft_count_non_finite_f32(bytes.baseAddress, elements, &block)   // aligned or not: the kernel loads with memcpy
        case .float64:
            heft_count_non_finite_f64(bytes.baseAddress, elements, &block)
        case .float16:
            countHalf(bytes, exponent: 0x7C00, mantissa: 0x03FF, into: &block)
        case .bfloat16:
            countHalf(bytes, exponent: 0x7F80, mantissa: 0x007F, into: &block)
        default:
            return
        }
        nan += block.nan
        infinite += block.infinite
    }

    /// A 16-bit float is NaN when its exponent bits are all set and its mantissa is not zero,
    /// infinite when the mantissa is zero.
    private func countHalf(_ bytes: UnsafeRawBufferPointer, exponent: UInt16, mantissa: UInt16, into block: inout heft_non_finite) {
        for offset in stride(from: 0, to: bytes.count - 1, by: 2) {
            let bits = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            guard bits & exponent == exponent else { continue }
            if bits & mantissa == 0 { block.infinite += 1 } else { block.nan += 1 }
        }
    }
}
