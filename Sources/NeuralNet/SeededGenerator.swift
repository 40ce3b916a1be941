import Synchronization

/// A fast, seedable pseudo-random number generator (xoshiro256**, seeded through SplitMix64).
///
/// The same seed always gives the same sequence on every platform, which makes initializers
/// and random tensors reproducible. Not cryptographically secure.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose sequence is determined by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func next() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    /// A uniform `Double` in [0, 1) with 53 random bits.
    mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal sample (Box–Muller; one of each pair is used, which keeps the stream simple).
    mutating func nextStandardNormal() -> Double {
        var u1 = nextUnitDouble()
        while u1 == 0 { u1 = nextUnitDouble() }
        let u2 = nextUnitDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// The process-wide generator that unseeded initializers and random tensors draw their seeds from.
private let globalGenerator = Mutex(SeededGenerator(seed: UInt64.random(in: .min ... .max)))

/// Seeds every later unseeded random draw in this process, like `keras.utils.set_random_seed`.
///
/// After `setRandomSeed(42)`, building the same model again gives the same initial weights.
/// Safe to call from any thread.
public func setRandomSeed(_ seed: UInt64) {
    globalGenerator.withLock { $0 = SeededGenerator(seed: seed) }
}

/// A generator for one random draw: seeded by `seed` when given, else by the process-wide generator.
func makeGenerator(seed: UInt64?) -> SeededGenerator {
    if let seed { return SeededGenerator(seed: seed) }
    return SeededGenerator(seed: globalGenerator.withLock { $0.next() })
}
