extension Initializer {
    /// Which fan `variance_scaling` divides by.
    public enum FanMode: String, Sendable {
        case fanIn = "fan_in", fanOut = "fan_out", fanAvg = "fan_avg"
    }

    /// The distribution `variance_scaling` samples from.
    public enum Distribution: String, Sendable {
        /// N(0, σ) truncated at ±2σ with `σ = sqrt(s) / 0.87962566103423978` (Keras's `"normal"` too).
        case truncatedNormal = "truncated_normal"
        /// N(0, σ) with `σ = sqrt(s)`.
        case untruncatedNormal = "untruncated_normal"
        /// U(−l, l) with `l = sqrt(3·s)`.
        case uniform
    }

    /// `variance_scaling`: `s = scale / max(1, n)` with `n` = fan_in, fan_out or their mean, then the
    /// chosen distribution (Keras defaults: scale 1, `fan_in`, truncated normal).
    ///
    /// - Precondition: `scale > 0`.
    public static func varianceScaling(scale: Double = 1, mode: FanMode = .fanIn,
                                       distribution: Distribution = .truncatedNormal,
                                       seed: UInt64? = nil, name: String = "variance_scaling") -> Initializer {
        precondition(scale > 0, "variance_scaling: scale must be positive, got \(scale)")
        return Initializer(name: name) { shape, _ in
            let fans = computeFans(shape)
            let n: Double = switch mode {
            case .fanIn: fans.fanIn
            case .fanOut: fans.fanOut
            case .fanAvg: (fans.fanIn + fans.fanOut) / 2
            }
            let variance = scale / max(1, n)
            switch distribution {
            case .truncatedNormal:
                return truncatedNormalTensor(shape, mean: 0, stddev: variance.squareRoot() / 0.87962566103423978, seed: seed)
            case .untruncatedNormal:
                return .randomNormal(shape, stddev: Float(variance.squareRoot()), seed: seed)
            case .uniform:
                let limit = Float((3 * variance).squareRoot())
                return .randomUniform(shape, minval: -limit, maxval: limit, seed: seed)
            }
        }
    }

    /// `glorot_uniform` (the Dense kernel default): U(±sqrt(6 / (fan_in + fan_out))).
    public static func glorotUniform(seed: UInt64? = nil) -> Initializer {
        varianceScaling(scale: 1, mode: .fanAvg, distribution: .uniform, seed: seed, name: "glorot_uniform")
    }

    /// `glorot_normal`: truncated normal with σ = sqrt(2 / (fan_in + fan_out)) / 0.8796.
    public static func glorotNormal(seed: UInt64? = nil) -> Initializer {
        varianceScaling(scale: 1, mode: .fanAvg, distribution: .truncatedNormal, seed: seed, name: "glorot_normal")
    }

    /// `he_normal`: truncated normal with σ = sqrt(2 / fan_in) / 0.8796.
    public static func heNormal(seed: UInt64? = nil) -> Initializer {
        varianceScaling(scale: 2, mode: .fanIn, distribution: .truncatedNormal, seed: seed, name: "he_normal")
    }

    /// `he_uniform`: U(±sqrt(6 / fan_in)).
    public static func heUniform(seed: UInt64? = nil) -> Initializer {
        varianceScaling(scale: 2, mode: .fanIn, distribution: .uniform, seed: seed, name: "he_uniform")
    }

    /// `lecun_normal`: truncated normal with σ = sqrt(1 / fan_in) / 0.8796.
    public static func lecunNormal(seed: UInt64? = nil) -> Initializer {
        varianceScaling(scale: 1, mode: .fanIn, distribution: .truncatedNormal, seed: seed, name: "lecun_normal")
    }

    /// `lecun_uniform`: U(±sqrt(3 / fan_in)).
    public static func lecunUniform(seed: UInt64? = nil) -> Initializer {
        varianceScaling(scale: 1, mode: .fanIn, distribution: .uniform, seed: seed, name: "lecun_uniform")
    }
}
