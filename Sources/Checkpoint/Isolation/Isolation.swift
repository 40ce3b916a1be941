#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CProcessControl
import Foundation
import HDF5

/// Runs work on an untrusted file in a child process under resource limits, so that a crash or a
/// hang inside libhdf5 (whose 1.10.8 decoders crash on crafted files; see docs/hostile-files.md) becomes an
/// error naming the file and the object being read instead of taking the caller down.
///
/// The child is a `fork` of the caller: it closes the descriptors it inherited (except the standard
/// ones), runs the work, flushes stdout and leaves with `_exit` (never running libhdf5's exit
/// handlers, which crash on some crafted files). It dies with its parent and writes no core file.
/// The work gets a ``Worker``: readers opened with its ``Worker/observer`` report each object they
/// start reading, so a failure names it. The parent waits up to ``Limits/seconds``, then kills it.
///
/// Fork only copies the calling thread. The fork happens while this thread holds libhdf5's lock
/// (see ``HDF5/LibraryFork``), so no other thread is inside libhdf5 then; a file the caller
/// holds open in HDF5 cannot be read in the child (its descriptor is closed there).
public enum Isolation {
    /// The child's resource limits.
    public struct Limits: Sendable, Equatable {
        /// The child's address-space limit (`RLIMIT_AS`). Default: half the physical memory, at
        /// least 4 GiB.
        public var memoryBytes: Int
        /// CPU time and wall-clock time the child may use, in seconds. Default 600.
        public var seconds: Int = 600

        /// The default limits.
        public init() {
            let physical = Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
            memoryBytes = max(4 << 30, physical / 2)
        }
    }

    /// How isolated work ended, when it ended without a failure.
    public enum Outcome: Sendable, Equatable {
        /// The work returned this exit code.
        case finished(Int32)
        /// The work's standard output was closed before it was done (`heft dump … | head`): no
        /// error; the caller ends quietly, as Unix filters do (exit 141).
        case outputClosed
    }

    /// What the work receives in the child (or, for work run without isolation, ``inProcess``).
    public struct Worker: Sendable {
        /// The observer to open readers with, so a failure names the object being read; `nil`
        /// outside a child.
        public let observer: ReadObserver?
        /// Where the work writes its own messages: the parent's stderr. (In the child, descriptor 2
        /// carries what libraries print, such as glibc's heap-corruption reports; the parent shows
        /// that only when the child ends normally.)
        public let messageDescriptor: Int32
        /// The pipe to the parent for ``report(_:)``, or -1.
        let channel: Int32

        /// Work run in this process, without isolation: no observer, messages on stderr.
        public static let inProcess = Worker(observer: nil, messageDescriptor: STDERR_FILENO, channel: -1)
    }

    /// Runs `body` in a child process.
    ///
    /// `files` are the paths the work reads: a failure names the one being read (the first one if
    /// it had not started reading). `outputs` are the paths it writes: whatever ends the child,
    /// temporary files it left for them are removed.
    ///
    /// - Returns: how the work ended: its exit code, or ``Outcome/outputClosed``.
    /// - Throws: ``CheckpointError`` (``CheckpointError/Reason/workerFailed(_:)``) for the file
    ///   being read when the child crashed, was killed from outside, exceeded a limit or the time
    ///   limit, or could not be started.
    public static func run(files: [String], outputs: [String] = [], limits: Limits = Limits(),
                           _ body: (Worker) -> Int32) throws -> Outcome {
        try execute(files: files, outputs: outputs, limits: limits, body).outcome
    }

    /// Runs `body` in a child process; returns when it succeeded, rethrows the
    /// ``CheckpointError`` it threw, and throws one for the file being read if the child failed
    /// (see ``run(files:outputs:limits:_:)``).
    ///
    /// - Throws: ``CheckpointError``.
    public static func check(files: [String], limits: Limits = Limits(), _ body: (Worker) throws -> Void) throws {
        let file = files.first ?? ""
        let (outcome, report) = try execute(files: files, outputs: [], limits: limits) { worker in
            do {
                try body(worker)
                return 0
            } catch let error as CheckpointError {
                worker.report(error)
            } catch {
                worker.report(CheckpointError(file: file, .io("\(error)")))
            }
            return 2
        }
        if let error = Worker.reportedError(in: report, file: file) { throw error }
        guard outcome == .finished(0) else {
            let code: Int32 = if case .finished(let code) = outcome { code } else { 128 + SIGPIPE }
            throw CheckpointError(file: file, .workerFailed(WorkerFailure(.unexpectedExit(code))))
        }
    }

    private static func execute(files: [String], outputs: [String], limits: Limits,
                                _ body: (Worker) -> Int32) throws -> (outcome: Outcome, lastReport: String) {
        let file = files.first ?? ""
        try requireHeadroom(limits, file: file)
        var objects: [Int32] = [-1, -1], diagnostics: [Int32] = [-1, -1]
        do {
            try SystemCall.check { pipe(&objects) }
            try SystemCall.check { pipe(&diagnostics) }
        } catch {
            for descriptor in objects + diagnostics where descriptor >= 0 { close(descriptor) }
            throw CheckpointError(file: file, .workerFailed(WorkerFailure(.cannotStart("cannot create a pipe: \(error)"))))
        }
        for descriptor in objects + diagnostics { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }   // never leaked to spawned processes
        fflush(nil)   // all stdio streams: the child must not print the parent's pending output again
        guard let slot = ObjectSlot() else {
            for descriptor in objects + diagnostics { close(descriptor) }
            throw CheckpointError(file: file, .workerFailed(WorkerFailure(.cannotStart("cannot map a page shared with the worker"))))
        }
        let child: Int32
        do {
            child = try LibraryFork.fork(keeping: [objects[1], diagnostics[1]]) {
                runChild(ReadObserver(slot: slot), objects: objects[1], diagnostics: diagnostics[1], limits: limits, body)
            }
        } catch {
            for descriptor in objects + diagnostics { close(descriptor) }
            throw CheckpointError(file: file, .workerFailed(WorkerFailure(.cannotStart("\(error)"))))
        }
        close(objects[1])
        close(diagnostics[1])
        defer { close(objects[0]); close(diagnostics[0]) }
        var ending = waitForChild(child, objects: objects[0], diagnostics: diagnostics[0], seconds: limits.seconds)
        ending.current = slot.text
        for output in outputs { SafeFileReplacement.removeTemporaries(of: child, for: output) }
        return (try outcome(ending, files: files, limits: limits), ending.objects.lastLine)
    }

    // MARK: - Child

    private static func runChild(_ observer: ReadObserver, objects: Int32, diagnostics: Int32, limits: Limits,
                                 _ body: (Worker) -> Int32) -> Never {
        if heft_die_with_parent() != 0 { _exit(2) }
        // Default actions for crash signals: no in-process crash reporter runs on a corrupt heap.
        for signal in [SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT] { Glibc.signal(signal, SIG_DFL) }
        limit(RLIMIT_AS, to: limits.memoryBytes, hard: limits.memoryBytes)
        limit(RLIMIT_CPU, to: limits.seconds, hard: limits.seconds + 5)
        limit(RLIMIT_CORE, to: 0, hard: 0)
        let messages = dup(STDERR_FILENO)
        dup2(diagnostics, STDERR_FILENO)
        close(diagnostics)
        let code = body(Worker(observer: observer, messageDescriptor: messages, channel: objects))
        fflush(nil)
        _exit(code)
    }

    private static func limit(_ resource: __rlimit_resource, to soft: Int, hard: Int) {
        let resource = __rlimit_resource_t(resource.rawValue)
        var value = rlimit(rlim_cur: rlim_t(soft), rlim_max: rlim_t(hard))
        var current = rlimit()
        if getrlimit(resource, &current) == 0 && current.rlim_max != rlim_t.max {   // rlim_t.max is RLIM_INFINITY
            value.rlim_max = min(value.rlim_max, current.rlim_max)
            value.rlim_cur = min(value.rlim_cur, value.rlim_max)
        }
        setrlimit(resource, &value)
    }

    // MARK: - Parent

    /// Throws unless the memory limit leaves room to work: the child starts as a copy of this process.
    private static func requireHeadroom(_ limits: Limits, file: String) throws {
        let used = currentAddressSpace()
        let headroom = 64 << 20
        guard used > 0, limits.memoryBytes < used + headroom else { return }
        throw CheckpointError(file: file, .workerFailed(WorkerFailure(.memoryLimitTooLow(
            limitMiB: limits.memoryBytes >> 20, neededMiB: (used + headroom) >> 20, parentMiB: used >> 20))))
    }

    /// This process's address space in bytes (`/proc/self/statm`), what `RLIMIT_AS` limits; 0 if unknown.
    static func currentAddressSpace() -> Int {
        guard let stream = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(stream) }
        var buffer = [CChar](repeating: 0, count: 128)
        guard fgets(&buffer, Int32(buffer.count), stream) != nil else { return 0 }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let pages = Int(text.split(separator: " ").first ?? "") else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// How the child ended, with the last object it reported and what it printed on stderr.
    private struct Ending {
        var status: Int32 = 0
        /// The child's CPU time in seconds (user and system), from `wait4`.
        var cpuSeconds = 0.0
        /// The last object the child started reading (`<file>\t<object>`), from the shared page.
        var current = ""
        var timedOut = false
        var objects = PipeText(keep: .lastLine)
        var diagnostics = PipeText(keep: .prefix(64 << 10))
    }

    /// Waits for the child, collecting its reports and diagnostics; kills it after `seconds`.
    private static func waitForChild(_ child: pid_t, objects: Int32, diagnostics: Int32, seconds: Int) -> Ending {
        var ending = Ending()
        let deadline = monotonicSeconds() + Double(seconds)
        while true {
            var descriptors = [pollfd(fd: objects, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: diagnostics, events: Int16(POLLIN), revents: 0)]
            if poll(&descriptors, 2, 100) > 0 {
                ending.objects.read(from: objects)
                ending.diagnostics.read(from: diagnostics)
            }
            var usage = rusage()
            let waited = wait4(child, &ending.status, WNOHANG, &usage)
            if waited == child {
                ending.cpuSeconds = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
                    + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
            }
            if waited == child || (waited < 0 && errno != EINTR) { break }
            if !ending.timedOut && monotonicSeconds() > deadline {
                ending.timedOut = true
                kill(child, SIGKILL)
            }
        }
        ending.objects.read(from: objects)
        ending.diagnostics.read(from: diagnostics)
        return ending
    }

    private static func outcome(_ ending: Ending, files: [String], limits: Limits) throws -> Outcome {
        let (file, object) = split(ending.current, files: files)
        func failure(_ cause: WorkerFailure.Cause) -> CheckpointError {
            CheckpointError(file: file, .workerFailed(WorkerFailure(cause, object: object)))
        }
        if ending.timedOut { throw failure(.timedOut(seconds: limits.seconds)) }
        let signal = ending.status & 0x7f
        if signal == 0 {
            ending.diagnostics.bytes.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
            return .finished((ending.status >> 8) & 0xff)
        }
        // The kernel sends SIGXCPU at the CPU limit and SIGKILL 5 s past it: only the CPU time used says which kill it was.
        let cpuLimitReached = ending.cpuSeconds >= Double(limits.seconds) - 0.5
        switch signal {
        case SIGPIPE: return .outputClosed
        case SIGXCPU: throw failure(.cpuLimit(seconds: limits.seconds))
        case SIGKILL where cpuLimitReached: throw failure(.cpuLimit(seconds: limits.seconds))
        case SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGQUIT: throw failure(.stoppedFromOutside(signal: signal, cpuSeconds: ending.cpuSeconds))
        case SIGXFSZ: throw failure(.fileSizeLimit)
        default:
            throw failure(.crashed(signal: signal, said: ending.diagnostics.firstLine.map { String($0.prefix(200)) },
                                   memoryLimitMiB: limits.memoryBytes >> 20))
        }
    }

    private static func split(_ report: String, files: [String]) -> (file: String, object: String) {
        guard let tab = report.firstIndex(of: "\t") else { return (files.first ?? "", "") }
        return (String(report[..<tab]), String(report[report.index(after: tab)...]))
    }

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

extension Isolation.Worker {
    private static let failureTag = "\u{1}failed\t"

    /// Sends the error the work ended with to the parent (the last line the child sends), where
    /// ``Isolation/check(files:limits:_:)`` rethrows it.
    func report(_ error: CheckpointError) {
        guard channel >= 0 else { return }
        let json: String
        do {
            json = String(decoding: try JSONEncoder().encode(error), as: UTF8.self)
        } catch {
            json = "{}"   // unreachable: the error holds only strings and numbers; reported as unreadable
        }
        let bytes = Array((Self.failureTag + json.replacingOccurrences(of: "\n", with: " ") + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(channel, $0.baseAddress, $0.count) }
    }

    /// The error a child reported with ``report(_:)``, if `line` is one (an undecodable report
    /// becomes a ``WorkerFailure``).
    ///
    static func reportedError(in line: String, file: String) -> CheckpointError? {
        guard line.hasPrefix(failureTag) else { return nil }
        let json = line.dropFirst(failureTag.count)
        do {
            return try JSONDecoder().decode(CheckpointError.self, from: Data(json.utf8))
        } catch {
            return CheckpointError(file: file, .workerFailed(WorkerFailure(.unreadableReport(String(json.prefix(200))))))
        }
    }
}
