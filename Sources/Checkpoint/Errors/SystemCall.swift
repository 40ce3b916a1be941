#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// The one funnel for the POSIX calls swift-system does not wrap (`rename`, `fsync`, `fchown`,
/// `wait4`, …): a call that fails with `-1` throws its `errno` as swift-system's ``Errno``, and one
/// interrupted by a signal is retried, as swift-system does for the calls it wraps.
package enum SystemCall {
    /// The result of `call`, retried while it fails with `EINTR`.
    ///
    /// - Throws: ``Errno`` when `call` returns `-1`.
    @discardableResult
    package static func check<Result: FixedWidthInteger>(_ call: () -> Result) throws(Errno) -> Result {
        while true {
            let result = call()
            if result != -1 { return result }
            let code = errno
            if code != EINTR { throw Errno(rawValue: code) }
        }
    }
}

extension Errno {
    /// The system error as a ``CheckpointError`` for `file`: `<operation>: <strerror text>`.
    package func checkpointError(file: String, _ operation: String) -> CheckpointError {
        CheckpointError(file: file, .io("\(operation): \(String(cString: strerror(rawValue)))"))
    }
}
