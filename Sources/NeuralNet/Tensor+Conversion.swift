extension Tensor {
    /// Returns the tensor with its elements converted to `dtype`.
    ///
    /// Floating-point conversions round to nearest (ties to even), as numpy's `astype` does;
    /// values outside a narrower float's range become ±infinity. Conversions to an integer type
    /// truncate toward zero and clamp to the type's range (NaN becomes 0). Integer values wider
    /// than 53 bits may lose precision when they pass through `float64`.
    public func converted(to dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        let converted: Storage
        if dtype == .float32 {
            converted = .float32(floatValues())
        } else if dtype == .float16 || dtype == .bfloat16, self.dtype != .float64, self.dtype.isFloatingPoint {
            converted = Storage.fromFloats(floatValues(), as: dtype)
        } else {
            converted = Storage.fromDoubles(doubleValues(), as: dtype)
        }
        return Tensor(shape: shape, storage: converted)
    }

    func floatValues() -> [Float] {
        switch storage {
        case .float16(let v): v.map { Float(Float16(bitPattern: $0)) }
        case .bfloat16(let v): v.map(BFloat16.float(fromBits:))
        case .float32(let v): v
        case .float64(let v): v.map { Float($0) }
        default: doubleValues().map { Float($0) }
        }
    }

    /// The elements as `Double` (exact for every float dtype and for integers up to 2⁵³).
    public func doubleValues() -> [Double] {
        switch storage {
        case .float16, .bfloat16: floatValues().map { Double($0) }
        case .float32(let v): v.map { Double($0) }
        case .float64(let v): v
        case .int8(let v): v.map { Double($0) }
        case .int16(let v): v.map { Double($0) }
        case .int32(let v): v.map { Double($0) }
        case .int64(let v): v.map { Double($0) }
        case .uint8(let v): v.map { Double($0) }
        case .uint16(let v): v.map { Double($0) }
        case .uint32(let v): v.map { Double($0) }
        case .uint64(let v): v.map { Double($0) }
        }
    }
}

extension Tensor.Storage {
    static func fromFloats(_ values: [Float], as dtype: DType) -> Self {
        switch dtype {
        case .float16: .float16(values.map { Float16($0).bitPattern })
        case .bfloat16: .bfloat16(values.map(BFloat16.bits(from:)))
        case .float32: .float32(values)
        default: fromDoubles(values.map { Double($0) }, as: dtype)
        }
    }

    static func fromDoubles(_ values: [Double], as dtype: DType) -> Self {
        switch dtype {
        case .float16, .bfloat16, .float32: fromFloats(values.map { Float($0) }, as: dtype)
        case .float64: .float64(values)
        case .int8: .int8(values.map(clampedInteger))
        case .int16: .int16(values.map(clampedInteger))
        case .int32: .int32(values.map(clampedInteger))
        case .int64: .int64(values.map(clampedInteger))
        case .uint8: .uint8(values.map(clampedInteger))
        case .uint16: .uint16(values.map(clampedInteger))
        case .uint32: .uint32(values.map(clampedInteger))
        case .uint64: .uint64(values.map(clampedInteger))
        }
    }
}

private func clampedInteger<T: FixedWidthInteger>(_ value: Double) -> T {
    if value.isNaN { return 0 }
    if value <= Double(T.min) { return T.min }
    if value >= Double(T.max) { return T.max }
    return T(value.rounded(.towardZero))
}
