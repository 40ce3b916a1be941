extension Tensor.Storage {
    /// The element type of this storage.
    public var dtype: DType {
        switch self {
        case .float16: .float16
        case .bfloat16: .bfloat16
        case .float32: .float32
        case .float64: .float64
        case .int8: .int8
        case .int16: .int16
        case .int32: .int32
        case .int64: .int64
        case .uint8: .uint8
        case .uint16: .uint16
        case .uint32: .uint32
        case .uint64: .uint64
        }
    }

    /// The number of elements.
    public var count: Int {
        switch self {
        case .float16(let v), .bfloat16(let v), .uint16(let v): v.count
        case .float32(let v): v.count
        case .float64(let v): v.count
        case .int8(let v): v.count
        case .int16(let v): v.count
        case .int32(let v): v.count
        case .int64(let v): v.count
        case .uint8(let v): v.count
        case .uint32(let v): v.count
        case .uint64(let v): v.count
        }
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .float16(let v), .bfloat16(let v), .uint16(let v): try v.withUnsafeBytes(body)
        case .float32(let v): try v.withUnsafeBytes(body)
        case .float64(let v): try v.withUnsafeBytes(body)
        case .int8(let v): try v.withUnsafeBytes(body)
        case .int16(let v): try v.withUnsafeBytes(body)
        case .int32(let v): try v.withUnsafeBytes(body)
        case .int64(let v): try v.withUnsafeBytes(body)
        case .uint8(let v): try v.withUnsafeBytes(body)
        case .uint32(let v): try v.withUnsafeBytes(body)
        case .uint64(let v): try v.withUnsafeBytes(body)
        }
    }

    func float(at offset: Int) -> Float {
        switch self {
        case .float16(let v): Float(Float16(bitPattern: v[offset]))
        case .bfloat16(let v): BFloat16.float(fromBits: v[offset])
        case .float32(let v): v[offset]
        case .float64(let v): Float(v[offset])
        case .int8(let v): Float(v[offset])
        case .int16(let v): Float(v[offset])
        case .int32(let v): Float(v[offset])
        case .int64(let v): Float(v[offset])
        case .uint8(let v): Float(v[offset])
        case .uint16(let v): Float(v[offset])
        case .uint32(let v): Float(v[offset])
        case .uint64(let v): Float(v[offset])
        }
    }
}

/// Bit-level conversions for bfloat16 ("brain float": the top 16 bits of an IEEE float32).
enum BFloat16 {
    static func float(fromBits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Rounds to nearest, ties to even, as ml_dtypes and TensorFlow do; NaN stays a quiet NaN.
    static func bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        let rounding: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }
}

extension Tensor {
    /// Calls `body` with the mutable raw bytes of the elements, to overwrite them in place (for
    /// example with one `read(2)` or `H5Dread`). Shape and dtype stay as they are; shared storage is
    /// copied first (copy-on-write), unshared storage is written without a copy.
    public mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        func mutate<T>(_ values: inout [T], _ wrap: ([T]) -> Storage,
                       _ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
            storage = .uint8([])            // drop the enum's reference so `values` is unique
            defer { storage = wrap(values) }
            return try values.withUnsafeMutableBytes(body)
        }
        switch storage {
        case .float16(var v): return try mutate(&v, Storage.float16, body)
        case .bfloat16(var v): return try mutate(&v, Storage.bfloat16, body)
        case .float32(var v): return try mutate(&v, Storage.float32, body)
        case .float64(var v): return try mutate(&v, Storage.float64, body)
        case .int8(var v): return try mutate(&v, Storage.int8, body)
        case .int16(var v): return try mutate(&v, Storage.int16, body)
        case .int32(var v): return try mutate(&v, Storage.int32, body)
        case .int64(var v): return try mutate(&v, Storage.int64, body)
        case .uint8(var v): return try mutate(&v, Storage.uint8, body)
        case .uint16(var v): return try mutate(&v, Storage.uint16, body)
        case .uint32(var v): return try mutate(&v, Storage.uint32, body)
        case .uint64(var v): return try mutate(&v, Storage.uint64, body)
        }
    }
}
