/// An n-dimensional array: a shape, an element type and contiguous row-major (C-order) storage.
///
/// `Tensor` is a value type with copy-on-write storage, so a copy is cheap until one side is
/// modified. Compute in Heft is `float32`; tensors of the other ``DType``s hold a file's values
/// unchanged until they are converted with ``converted(to:)``.
///
/// ```swift
/// let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// let z = Tensor.zeros([4])                       // float32 zeros
/// let u = Tensor.randomUniform([2, 20], seed: 7)  // U(0, 1), reproducible
/// ```
public struct Tensor: Sendable, Equatable, CustomStringConvertible {
    /// The extent of each axis; `[]` is a scalar.
    public let shape: [Int]
    /// The elements, typed by ``dtype``.
    public internal(set) var storage: Storage

    /// Typed, row-major element storage.
    ///
    /// `float16` and `bfloat16` elements are kept as their 16-bit IEEE / brain-float bit patterns.
    public enum Storage: Sendable, Equatable {
        case float16([UInt16]), bfloat16([UInt16]), float32([Float]), float64([Double])
        case int8([Int8]), int16([Int16]), int32([Int32]), int64([Int64])
        case uint8([UInt8]), uint16([UInt16]), uint32([UInt32]), uint64([UInt64])
    }

    /// Creates a tensor from typed storage.
    ///
    /// - Precondition: the storage holds exactly `shape.reduce(1, *)` elements and no extent is negative.
    public init(shape: [Int], storage: Storage) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        precondition(storage.count == Tensor.elementCount(shape),
                     "Tensor: \(storage.count) elements do not fill shape \(formatShape(shape))")
        self.shape = shape
        self.storage = storage
    }

    /// Creates a `float32` tensor from row-major scalars.
    ///
    /// - Precondition: `scalars.count == shape.reduce(1, *)`.
    public init(shape: [Int], scalars: [Float]) {
        self.init(shape: shape, storage: .float32(scalars))
    }

    /// Creates a `float32` tensor from rows of equal length (a matrix).
    ///
    /// - Precondition: every row has the same length.
    public init(_ rows: [[Float]]) {
        let width = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == width }, "Tensor: rows of unequal length")
        self.init(shape: [rows.count, width], scalars: rows.flatMap { $0 })
    }

    /// Creates a tensor of `dtype` whose raw little-endian bytes are written by `body`.
    ///
    /// This is the bulk path used by persistence: `body` receives the whole uninitialised buffer
    /// (`shape.reduce(1, *) * dtype.byteCount` bytes) and must fill all of it, e.g. with one
    /// `H5Dread`. Errors thrown by `body` are rethrown.
    public init(shape: [Int], dtype: DType,
                fillingBytes body: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        let count = Tensor.elementCount(shape)
        func make<T>(_: T.Type) throws -> [T] {
            try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                HugePages.advise(UnsafeMutableRawBufferPointer(buffer))
                try body(UnsafeMutableRawBufferPointer(buffer))
                initialized = count
            }
        }
        let storage: Storage
        switch dtype {
        case .float16: storage = .float16(try make(UInt16.self))
        case .bfloat16: storage = .bfloat16(try make(UInt16.self))
        case .float32: storage = .float32(try make(Float.self))
        case .float64: storage = .float64(try make(Double.self))
        case .int8: storage = .int8(try make(Int8.self))
        case .int16: storage = .int16(try make(Int16.self))
        case .int32: storage = .int32(try make(Int32.self))
        case .int64: storage = .int64(try make(Int64.self))
        case .uint8: storage = .uint8(try make(UInt8.self))
        case .uint16: storage = .uint16(try make(UInt16.self))
        case .uint32: storage = .uint32(try make(UInt32.self))
        case .uint64: storage = .uint64(try make(UInt64.self))
        }
        self.init(shape: shape, storage: storage)
    }

    /// The element type.
    public var dtype: DType { storage.dtype }
    /// The number of axes.
    public var rank: Int { shape.count }
    /// The number of elements, `shape.reduce(1, *)`.
    public var count: Int { storage.count }
    /// The size of the elements in bytes, `count * dtype.byteCount`.
    public var byteCount: Int { count * dtype.byteCount }

    /// The elements converted to `Float` (exactly for `float16`/`bfloat16`, rounded for wider types).
    public var scalars: [Float] {
        if case .float32(let values) = storage { return values }
        guard case .float32(let values) = converted(to: .float32).storage else { preconditionFailure() }
        return values
    }

    /// Calls `body` with the raw bytes of the elements (native, i.e. little-endian, order).
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes(body)
    }

    /// The element at a multi-dimensional index, converted to `Float`.
    ///
    /// - Precondition: `indices` has one in-range entry per axis.
    public subscript(_ indices: Int...) -> Float {
        precondition(indices.count == rank, "Tensor: \(indices.count) indices for a rank-\(rank) tensor")
        var offset = 0
        for (axis, index) in indices.enumerated() {
            precondition(index >= 0 && index < shape[axis], "Tensor: index \(index) out of range for axis \(axis)")
            offset = offset * shape[axis] + index
        }
        return storage.float(at: offset)
    }

    /// Returns the tensor with a new shape of the same element count.
    ///
    /// - Precondition: `newShape.reduce(1, *) == count`.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, storage: storage)
    }

    /// numpy-style text: `[[0.1, 0.2], [0.3, 0.4]]` with the shape and dtype, summarised past 1000 elements.
    public var description: String {
        "Tensor(shape=\(formatShape(shape)), dtype=\(dtype), \(formatted()))"
    }

    static func elementCount(_ shape: [Int]) -> Int {
        shape.reduce(1) { product, extent in
            let (result, overflow) = product.multipliedReportingOverflow(by: extent)
            precondition(!overflow, "Tensor: element count of shape \(shape) overflows Int")
            return result
        }
    }
}
