/// A recipe that fills a new weight of a given shape: Keras's initializers with Keras's formulas
/// and defaults, plus user closures.
///
/// Fans follow Keras's `compute_fans`: rank 0 → (1, 1); rank 1 → (n, n); rank 2 → (rows, cols);
/// rank ≥ 3 → (`shape[-2]·rf`, `shape[-1]·rf`) with `rf` the product of the leading axes.
///
/// A seeded initializer returns the same values every time it is called (as in Keras 3); an
/// unseeded one draws a fresh seed from the process-wide generator (see ``setRandomSeed(_:)``).
/// Random values match Keras's *distributions*, not its exact numbers (the generators differ).
///
/// ```swift
/// let dense = Dense(64, kernelInitializer: .heNormal(seed: 1), biasInitializer: .constant(0.1))
/// let myInit = Initializer.custom { shape, dtype in .randomNormal(shape, dtype: dtype) }
/// ```
public struct Initializer: Sendable, CustomStringConvertible {
    /// The Keras identifier, e.g. `glorot_uniform`, or the name given to a custom initializer.
    public let name: String
    private let fill: @Sendable (_ shape: [Int], _ dtype: DType) -> Tensor

    /// Creates an initializer from a closure, like passing `my_init(shape, dtype)` to Keras.
    ///
    /// - Precondition (checked when called): the closure returns a tensor of the requested shape.
    public static func custom(name: String = "custom",
                              _ body: @escaping @Sendable (_ shape: [Int], _ dtype: DType) -> Tensor) -> Initializer {
        Initializer(name: name, fill: body)
    }

    init(name: String, fill: @escaping @Sendable ([Int], DType) -> Tensor) {
        self.name = name
        self.fill = fill
    }

    /// A new tensor of `shape` and `dtype` filled by this initializer.
    ///
    /// - Precondition: the shape suits the initializer (`identity` needs rank 2, `orthogonal` rank ≥ 2)
    ///   and a custom closure returned exactly `shape`; violations are programmer errors and trap.
    public func callAsFunction(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        let tensor = fill(shape, dtype)
        precondition(tensor.shape == shape,
                     "initializer '\(name)' returned shape \(formatShape(tensor.shape)) for \(formatShape(shape))")
        return tensor.converted(to: dtype)
    }

    public var description: String { name }
}

// MARK: - Constant initializers

extension Initializer {
    /// All zeros (`zeros`, the Dense bias default).
    public static let zeros = Initializer(name: "zeros") { shape, dtype in .zeros(shape, dtype: dtype) }
    /// All ones (`ones`).
    public static let ones = Initializer(name: "ones") { shape, dtype in .ones(shape, dtype: dtype) }

    /// Every element equal to `value` (`constant`, Keras default `value=0.0`).
    public static func constant(_ value: Float = 0) -> Initializer {
        Initializer(name: "constant") { shape, dtype in .full(shape, value: value, dtype: dtype) }
    }

    /// `gain · eye(rows, cols)` for a matrix (`identity`, default gain 1); rectangular allowed.
    ///
    /// - Precondition (when called): the shape has rank 2.
    public static func identity(gain: Float = 1) -> Initializer {
        Initializer(name: "identity") { shape, _ in
            precondition(shape.count == 2, "initializer 'identity' needs a rank-2 shape, got \(formatShape(shape))")
            var values = [Float](repeating: 0, count: shape[0] * shape[1])
            for i in 0..<min(shape[0], shape[1]) { values[i * shape[1] + i] = gain }
            return Tensor(shape: shape, scalars: values)
        }
    }
}

// MARK: - Random initializers

extension Initializer {
    /// N(`mean`, `stddev`²) (`random_normal`; Keras defaults mean 0, stddev 0.05).
    public static func randomNormal(mean: Float = 0, stddev: Float = 0.05, seed: UInt64? = nil) -> Initializer {
        Initializer(name: "random_normal") { shape, _ in
            .randomNormal(shape, mean: mean, stddev: stddev, seed: seed)
        }
    }

    /// U(`minval`, `maxval`) (`random_uniform`; Keras defaults −0.05, 0.05).
    public static func randomUniform(minval: Float = -0.05, maxval: Float = 0.05, seed: UInt64? = nil) -> Initializer {
        Initializer(name: "random_uniform") { shape, _ in
            .randomUniform(shape, minval: minval, maxval: maxval, seed: seed)
        }
    }

    /// N(`mean`, `stddev`²) re-drawn outside `mean ± 2·stddev` (`truncated_normal`; defaults 0, 0.05).
    public static func truncatedNormal(mean: Float = 0, stddev: Float = 0.05, seed: UInt64? = nil) -> Initializer {
        Initializer(name: "truncated_normal") { shape, _ in
            truncatedNormalTensor(shape, mean: Double(mean), stddev: Double(stddev), seed: seed)
        }
    }
}

func truncatedNormalTensor(_ shape: [Int], mean: Double, stddev: Double, seed: UInt64?) -> Tensor {
    var generator = makeGenerator(seed: seed)
    let values = (0..<Tensor.elementCount(shape)).map { _ -> Float in
        var z = generator.nextStandardNormal()
        while abs(z) > 2 { z = generator.nextStandardNormal() }
        return Float(mean + stddev * z)
    }
    return Tensor(shape: shape, scalars: values)
}

/// Keras's `compute_fans(shape)`.
func computeFans(_ shape: [Int]) -> (fanIn: Double, fanOut: Double) {
    switch shape.count {
    case 0: return (1, 1)
    case 1: return (Double(shape[0]), Double(shape[0]))
    case 2: return (Double(shape[0]), Double(shape[1]))
    default:
        let receptiveField = Double(shape.dropLast(2).reduce(1, *))
        return (Double(shape[shape.count - 2]) * receptiveField, Double(shape[shape.count - 1]) * receptiveField)
    }
}
