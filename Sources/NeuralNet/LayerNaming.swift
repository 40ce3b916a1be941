import Synchronization

/// Keras's automatic names: a per-prefix counter; the first name is bare (`dense`), later ones get
/// `_1`, `_2`, …. Explicit names do not consume the counter.
///
/// Counters are process-wide, like Keras's, unless the current task runs inside
/// ``withNamingSession(_:)``, which gives it counters of its own.
enum LayerNaming {
    private static let global = NameCounters()
    @TaskLocal static var session: NameCounters?

    /// The next automatic name for `prefix`; safe to call from any thread or task.
    static func uniqueName(prefix: String) -> String {
        (session ?? global).next(prefix: prefix)
    }

    /// The next one-based automatic name (`input_1`, `input_2`, …), as tf-keras names inputs.
    static func oneBasedName(prefix: String) -> String {
        (session ?? global).nextOneBased(prefix: prefix)
    }

    static func resetGlobal() {
        global.reset()
    }

    /// Snake-cased class names already computed (there are few classes; regexes are slow).
    private static let snakeCases = Mutex<[String: String]>([:])

    /// Keras's `to_snake_case`: `Dense` → `dense`, `MLPModel` → `mlp_model`, `PReLU` → `p_re_lu`.
    static func snakeCase(_ className: String) -> String {
        if let known = snakeCases.withLock({ $0[className] }) { return known }
        let result = computeSnakeCase(className)
        snakeCases.withLock { $0[className] = result }
        return result
    }

    private static func computeSnakeCase(_ className: String) -> String {
        let word = className.filter { $0.isLetter || $0.isNumber || $0 == "_" }
        let first = word.replacing(/(.)([A-Z][a-z]+)/) { "\($0.output.1)_\($0.output.2)" }
        let second = first.replacing(/([a-z])([A-Z])/) { "\($0.output.1)_\($0.output.2)" }
        return second.lowercased()
    }
}

/// One set of per-prefix name counters.
final class NameCounters: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func next(prefix: String) -> String {
        let index = counts.withLock { counts in
            defer { counts[prefix, default: 0] += 1 }
            return counts[prefix, default: 0]
        }
        return index == 0 ? prefix : "\(prefix)_\(index)"
    }

    func nextOneBased(prefix: String) -> String {
        let index = counts.withLock { counts in
            counts["\(prefix)#1", default: 0] += 1
            return counts["\(prefix)#1"]!
        }
        return "\(prefix)_\(index)"
    }

    func reset() {
        counts.withLock { $0 = [:] }
    }
}

/// Resets the process-wide automatic name counters, like `keras.backend.clear_session()`: the
/// next Dense is named `dense` again.
public func clearSession() {
    LayerNaming.resetGlobal()
}

/// Runs `body` with fresh automatic-name counters that belong to the current task alone, so that
/// models built concurrently in other tasks neither see nor disturb its names.
///
/// ```swift
/// let net = try withNamingSession { try Sequential([Dense(4), Dense(2)]) }  // sequential: dense, dense_1
/// ```
public func withNamingSession<R>(_ body: () throws -> R) rethrows -> R {
    try LayerNaming.$session.withValue(NameCounters()) { try body() }
}

/// Keras's `to_snake_case` of a class name, as used for automatic names and Keras 3 file paths:
/// `Dense` → `dense`, `MLPModel` → `mlp_model`, `BatchNormalization` → `batch_normalization`.
package func kerasSnakeCase(_ className: String) -> String {
    LayerNaming.snakeCase(className)
}
