/// Elements of one floating-point type read where they lie, whether or not the bytes are aligned
/// to the type: a block in a file's memory map starts wherever the file put it (a `.keras`
/// archive's weights entry starts at any byte), and Swift's typed pointers must not point there.
/// Each element is loaded with `loadUnaligned`, which compiles to a plain load on x86-64 and
/// ARM64.
struct UnalignedElements<Element: BinaryFloatingPoint>: RandomAccessCollection {
    /// The little-endian bytes of the elements.
    let bytes: UnsafeRawBufferPointer

    var startIndex: Int { 0 }
    var endIndex: Int { bytes.count / MemoryLayout<Element>.stride }

    subscript(position: Int) -> Element {
        precondition(position >= 0 && position < endIndex, "UnalignedElements: index \(position) out of 0..<\(endIndex)")
        return bytes.loadUnaligned(fromByteOffset: position * MemoryLayout<Element>.stride, as: Element.self)
    }

    /// The address of the first element, for the C kernels (which load elements with `memcpy`);
    /// `nil` when there are none.
    var baseAddress: UnsafeRawPointer? { isEmpty ? nil : bytes.baseAddress }
}
