import NeuralNet

/// A tensor read in place from a read-only memory map of its file: no copy is made until
/// ``tensor()`` asks for one. Get one with ``WeightFile/mapped(_:verifying:)``.
///
/// The map stays valid while the value (or a copy of it) exists, even after its ``WeightFile`` is
/// gone; the kernel reads pages from the page cache, or the disk, as they are touched. A
/// `MappedTensor` is not a ``Tensor``: Swift's arrays, which hold a `Tensor`'s elements, cannot
/// adopt memory they did not allocate, so compute takes a copy (``tensor()``), while inspection,
/// hashing and copying into a buffer of one's own (``withUnsafeBytes(_:)``) need none.
///
/// ```swift
/// let file = try WeightFile(path: "big.weights.h5")
/// let embedding = try file.mapped(file.weights[0])     // checked against its stored digest
/// let first = embedding.withUnsafeBytes { $0.load(as: Float.self) }
/// ```
public struct MappedTensor: Sendable {
    /// The tensor's path in its file.
    public let path: String
    /// The shape (`[]` for a scalar).
    public let shape: [Int]
    /// The element type as stored.
    public let dtype: DType
    /// The bytes in the map, their pages checked to be backed by the file.
    let region: MappedRegion

    /// The number of elements, `shape.reduce(1, *)`.
    public var count: Int { shape.reduce(1, *) }
    /// The size of the elements in bytes, `count * dtype.byteCount`.
    public var byteCount: Int { region.count }

    /// Calls `body` with the elements' little-endian bytes in place.
    ///
    /// If another process cuts the file short while the map is in use, touching a lost page
    /// raises `SIGBUS`, as with every memory-mapped reader (numpy's `memmap`, safetensors).
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(region.bytes)
    }

    /// A ``Tensor`` holding a copy of the elements.
    ///
    /// - Throws: ``CheckpointError`` if the file no longer backs the bytes (it was cut short).
    public func tensor() throws -> Tensor {
        try Tensor(shape: shape, dtype: dtype) { try region.copy(into: $0) }
    }
}
