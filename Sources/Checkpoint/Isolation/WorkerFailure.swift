#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Why an isolated worker (see ``Isolation``) did not finish its work, with what it was reading.
public struct WorkerFailure: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The cause.
    public enum Cause: Sendable, Equatable, Codable {
        /// Killed by a signal of its own making (a crash inside a library on a malformed or
        /// hostile file, or an allocation beyond the memory limit), with the first line the
        /// library printed, if any.
        case crashed(signal: Int32, said: String?, memoryLimitMiB: Int)
        /// Still running after the time limit; killed.
        case timedOut(seconds: Int)
        /// Used the CPU time limit.
        case cpuLimit(seconds: Int)
        /// Stopped by a signal from outside (the kernel's out-of-memory killer, `kill`).
        case stoppedFromOutside(signal: Int32, cpuSeconds: Double)
        /// Reached the file-size limit (`ulimit -f`) while writing.
        case fileSizeLimit
        /// The memory limit is below what the worker needs to start (it begins as a copy of its parent).
        case memoryLimitTooLow(limitMiB: Int, neededMiB: Int, parentMiB: Int)
        /// The worker could not be started.
        case cannotStart(String)
        /// The worker ended with an exit code its work never returns.
        case unexpectedExit(Int32)
        /// The worker reported an error that could not be decoded.
        case unreadableReport(String)
    }

    public let cause: Cause
    /// The object being read when the worker ended (`/dense/kernel:0`), if known.
    public let object: String?

    public init(_ cause: Cause, object: String? = nil) {
        self.cause = cause
        self.object = object.flatMap { $0.isEmpty ? nil : $0 }
    }

    public var description: String {
        let reading = object.map { " while reading \($0)" } ?? ""
        switch cause {
        case let .crashed(signal, said, memory):
            return "the reader crashed (\(Self.name(of: signal))\(said.map { ": \($0)" } ?? ""))\(reading): "
                + "the file is malformed or hostile, or reading it needed more than the \(memory) MiB memory limit"
        case .timedOut(let seconds):
            return "did not finish within \(seconds) s\(reading) "
                + "(a hang in the HDF5 library on a malformed file, or more work than the time limit allows)"
        case .cpuLimit(let seconds):
            return "used more than \(seconds) s of CPU time\(reading)"
        case let .stoppedFromOutside(signal, cpuSeconds):
            return "the worker was stopped by \(Self.name(of: signal)) from outside heft\(reading) "
                + "(the kernel's out-of-memory killer, or another process) after \(String(format: "%.1f", cpuSeconds)) s of CPU time"
        case .fileSizeLimit:
            return "the file-size limit (ulimit -f) was reached\(reading)"
        case let .memoryLimitTooLow(limit, needed, parent):
            return "the memory limit of \(limit) MiB is below the \(needed) MiB the worker needs to start "
                + "(it begins as a copy of heft, \(parent) MiB): raise --memory-limit"
        case .cannotStart(let why):
            return "cannot start a worker process: \(why)"
        case .unexpectedExit(let code):
            return "the worker process ended with exit code \(code)"
        case .unreadableReport(let text):
            return "the worker reported an unreadable error: \(text)"
        }
    }

    /// `SIGSEGV`, `SIGKILL`, … or `signal N`.
    static func name(of signal: Int32) -> String {
        switch signal {
        case SIGSEGV: "SIGSEGV"
        case SIGBUS: "SIGBUS"
        case SIGFPE: "SIGFPE"
        case SIGABRT: "SIGABRT"
        case SIGILL: "SIGILL"
        case SIGTRAP: "SIGTRAP"
        case SIGKILL: "SIGKILL"
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        case SIGQUIT: "SIGQUIT"
        case SIGXFSZ: "SIGXFSZ"
        default: "signal \(signal)"
        }
    }
}
