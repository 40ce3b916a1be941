#if canImport(Glibc)
import Glibc
#endif

/// Asks the kernel to back the 2 MiB-aligned interior of a fresh buffer with transparent huge
/// pages before it is first written, as numpy does for its large arrays: filling 64 MiB of fresh
/// memory then takes 32 page faults instead of 16 384 (measured: reading a 64 MiB tensor into a
/// new `Tensor` 42 ms → see docs/performance.md). Does nothing under 4 MiB, where the faults cost
/// little, on systems without transparent huge pages, or where they are off (`never`); the memory
/// is used the same either way.
enum HugePages {
    static let size = 2 << 20

    static func advise(_ buffer: UnsafeMutableRawBufferPointer) {
        #if canImport(Glibc)
        guard buffer.count >= 2 * size, let base = buffer.baseAddress else { return }
        let start = (UInt(bitPattern: base) + UInt(size - 1)) & ~UInt(size - 1)
        let end = (UInt(bitPattern: base) + UInt(buffer.count)) & ~UInt(size - 1)
        guard end > start else { return }
        // Advice only: a kernel without THP answers EINVAL, and the buffer works as before.
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start), Int(end - start), MADV_HUGEPAGE)
        #endif
    }
}
