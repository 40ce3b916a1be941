extension Tensor {
    /// A tensor of `shape` filled with `value`, converted to `dtype`.
    public static func full(_ shape: [Int], value: Float, dtype: DType = .float32) -> Tensor {
        Tensor(shape: shape, scalars: [Float](repeating: value, count: elementCount(shape))).converted(to: dtype)
    }

    /// A tensor of zeros, like `tf.zeros(shape)`.
    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        full(shape, value: 0, dtype: dtype)
    }

    /// A tensor of ones, like `tf.ones(shape)`.
    public static func ones(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        full(shape, value: 1, dtype: dtype)
    }

    /// Uniform samples in `[minval, maxval)`, like `tf.random.uniform(shape)` (default U(0, 1)).
    ///
    /// With a `seed` the result is reproducible; without one it draws from the process-wide
    /// generator (see ``setRandomSeed(_:)``).
    public static func randomUniform(_ shape: [Int], minval: Float = 0, maxval: Float = 1,
                                     dtype: DType = .float32, seed: UInt64? = nil) -> Tensor {
        var generator = makeGenerator(seed: seed)
        let low = Double(minval), width = Double(maxval) - Double(minval)
        let values = (0..<elementCount(shape)).map { _ in Float(low + width * generator.nextUnitDouble()) }
        return Tensor(shape: shape, scalars: values).converted(to: dtype)
    }

    /// Normal samples N(`mean`, `stddev`²), like `tf.random.normal(shape)` (default N(0, 1)).
    ///
    /// With a `seed` the result is reproducible; without one it draws from the process-wide generator.
    public static func randomNormal(_ shape: [Int], mean: Float = 0, stddev: Float = 1,
                                    dtype: DType = .float32, seed: UInt64? = nil) -> Tensor {
        var generator = makeGenerator(seed: seed)
        let values = (0..<elementCount(shape)).map { _ in
            Float(Double(mean) + Double(stddev) * generator.nextStandardNormal())
        }
        return Tensor(shape: shape, scalars: values).converted(to: dtype)
    }
}
