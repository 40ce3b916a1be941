#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CKernels
import Foundation
import HDF5

/// Runs work on an untrusted file in a child process under resource limits, so that a crash or a
/// hang inside libhdf5 (whose 1.10.8 decoders crash on crafted files; see the README) becomes an
/// error naming the file and the object being read instead of taking the caller down.
///
/// The child is a `fork` of the caller: it closes the descriptors it inherited (except the standard
/// ones), runs `body`, flushes stdout and leaves with `_exit`
/// (never running libhdf5's exit handlers, which crash on some crafted files). It dies with its
/// parent, writes no core file, and reports each object it starts reading through a pipe. The
/// parent waits up to ``Limits/wallSeconds``, then kills it.
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

    /// Runs `body` in a child process and returns its exit code; 141 (128 + SIGPIPE) when the child
    /// ended because its standard output was closed (`heft dump … | head`), which is no error.
    ///
    /// `files` are the paths the work reads: the error names the one being read when the child
    /// failed (the first one if it had not started reading). `outputs` are the paths it writes:
    /// whatever ends the child, temporary files it left for them are removed.
    ///
    /// - Throws: ``CheckpointError`` for the file being read when the child is killed by a signal
    ///   (a crash, or a kill from outside), exceeds its limits or the time limit, or cannot be
    ///   started; the message names the cause.
    public static func run(files: [String], outputs: [String] = [], limits: Limits = Limits(), _ body: () -> Int32) throws -> Int32 {
        try execute(files: files, outputs: outputs, limits: limits, body).code
    }

    /// Runs `body` in a child process; returns when it succeeded, rethrows the
    /// ``CheckpointError`` it threw, and throws one for the file being read if it crashed, hung or
    /// exceeded its limits (see ``run(files:limits:_:)``).
    ///
    /// - Throws: ``CheckpointError``.
    public static func check(files: [String], limits: Limits = Limits(), _ body: () throws -> Void) throws {
        let (code, report) = try execute(files: files, outputs: [], limits: limits) {
            do {
                try body()
                return 0
            } catch let error as CheckpointError {
                ObjectTracker.fail(error)
            } catch {
                ObjectTracker.fail(CheckpointError(file: files.first ?? "", .io("\(error)")))
            }
            return 2
        }
        if let error = ObjectTracker.failure(in: report) { throw error }
        guard code == 0 else {
            throw CheckpointError(file: files.first ?? "", .workerFailed("the worker process ended with exit code \(code)"))
        }
    }

    private static func execute(files: [String], outputs: [String], limits: Limits,
                                _ body: () -> Int32) throws -> (code: Int32, lastReport: String) {
        try requireHeadroom(limits, files: files)
        var objects: [Int32] = [-1, -1], diagnostics: [Int32] = [-1, -1]
        guard pipe(&objects) == 0 else { throw startError(files, "cannot create a pipe") }
        guard pipe(&diagnostics) == 0 else {
            close(objects[0]); close(objects[1])
            throw startError(files, "cannot create a pipe")
        }
        for descriptor in objects + diagnostics { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }   // never leaked to spawned processes
        fflush(nil)   // all stdio streams: the child must not print the parent's pending output again
        guard let slot = ObjectSlot() else {
            for descriptor in objects + diagnostics { close(descriptor) }
            throw startError(files, "cannot map a page shared with the worker")
        }
        let child: Int32
        do {
            child = try LibraryFork.fork(keeping: [objects[1], diagnostics[1]]) {
                ObjectTracker.slot = slot
                runChild(objects: objects[1], diagnostics: diagnostics[1], limits: limits, body)
            }
        } catch {
            for descriptor in objects + diagnostics { close(descriptor) }
            throw CheckpointError(file: files.first ?? "", .workerFailed("cannot start a worker process: \(error)"))
        }
        close(objects[1])
        close(diagnostics[1])
        defer { close(objects[0]); close(diagnostics[0]) }
        var ending = waitForChild(child, objects: objects[0], diagnostics: diagnostics[0], seconds: limits.seconds)
        ending.current = slot.text
        for output in outputs { SafeFileReplacement.removeTemporaries(of: child, for: output) }
        return (try outcome(ending, files: files, limits: limits), ending.objects.lastLine)
    }

    /// Where the caller writes its own messages: stderr, or in an isolated child the parent's
    /// stderr. (In the child, file descriptor 2 carries what libraries print, such as glibc's heap
    /// corruption reports; the parent shows that only when the child ends normally.)
    ///
    /// `nonisolated(unsafe)`: set once in a freshly forked child before its work starts, when the
    /// child has exactly one thread; only read afterwards.
    nonisolated(unsafe) public private(set) static var messageDescriptor: Int32 = STDERR_FILENO

    // MARK: - Child

    private static func runChild(objects: Int32, diagnostics: Int32, limits: Limits, _ body: () -> Int32) -> Never {
        if heft_die_with_parent() != 0 { _exit(2) }
        // Default actions for crash signals: no in-process crash reporter runs on a corrupt heap.
        for signal in [SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT] { Glibc.signal(signal, SIG_DFL) }
        limit(RLIMIT_AS, to: limits.memoryBytes, hard: limits.memoryBytes)
        limit(RLIMIT_CPU, to: limits.seconds, hard: limits.seconds + 5)
        limit(RLIMIT_CORE, to: 0, hard: 0)
        messageDescriptor = dup(STDERR_FILENO)
        dup2(diagnostics, STDERR_FILENO)
        close(diagnostics)
        ObjectTracker.channel = objects
        let code = body()
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
    private static func requireHeadroom(_ limits: Limits, files: [String]) throws {
        let used = currentAddressSpace()
        let headroom = 64 << 20
        guard used > 0, limits.memoryBytes < used + headroom else { return }
        throw CheckpointError(file: files.first ?? "", .workerFailed("the memory limit of \(limits.memoryBytes >> 20) MiB is below "
            + "the \((used + headroom) >> 20) MiB the worker needs to start (it begins as a copy of heft, \(used >> 20) MiB): raise --memory-limit"))
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

    /// Waits for the child, collecting its object reports and diagnostics; kills it after `seconds`.
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

    private static func outcome(_ ending: Ending, files: [String], limits: Limits) throws -> Int32 {
        let (file, object) = split(ending.current, files: files)
        let reading = object.isEmpty ? "" : " while reading \(object)"
        if ending.timedOut {
            throw CheckpointError(file: file, .workerFailed("did not finish within \(limits.seconds) s\(reading) "
                + "(a hang in the HDF5 library on a malformed file, or more work than the time limit allows)"))
        }
        let signal = ending.status & 0x7f
        if signal == 0 {
            ending.diagnostics.bytes.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
            return (ending.status >> 8) & 0xff
        }
        // The kernel sends SIGXCPU at the CPU limit and SIGKILL 5 s past it: only the CPU time used says which kill it was.
        let cpuLimitReached = ending.cpuSeconds >= Double(limits.seconds) - 0.5
        switch signal {
        case SIGPIPE:
            return 128 + SIGPIPE   // stdout was closed (`| head`): a filter ends quietly
        case SIGXCPU:
            throw CheckpointError(file: file, .workerFailed("used more than \(limits.seconds) s of CPU time\(reading)"))
        case SIGKILL where cpuLimitReached:
            throw CheckpointError(file: file, .workerFailed("used more than \(limits.seconds) s of CPU time\(reading)"))
        case SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGQUIT:
            throw CheckpointError(file: file, .workerFailed("the worker was stopped by \(signalName(signal)) from outside heft\(reading) "
                + "(the kernel's out-of-memory killer, or another process) after \(String(format: "%.1f", ending.cpuSeconds)) s of CPU time"))
        case SIGXFSZ:
            throw CheckpointError(file: file, .workerFailed("the file-size limit (ulimit -f) was reached\(reading)"))
        default:
            let said = ending.diagnostics.firstLine.map { ": \($0.prefix(200))" } ?? ""
            throw CheckpointError(file: file, .workerFailed("the reader crashed (\(signalName(signal))\(said))\(reading): "
                + "the file is malformed or hostile, or reading it needed more than the \(limits.memoryBytes >> 20) MiB memory limit"))
        }
    }

    private static func split(_ report: String, files: [String]) -> (file: String, object: String) {
        guard let tab = report.firstIndex(of: "\t") else { return (files.first ?? "", "") }
        return (String(report[..<tab]), String(report[report.index(after: tab)...]))
    }

    private static func signalName(_ signal: Int32) -> String {
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

    private static func startError(_ files: [String], _ what: String) -> CheckpointError {
        CheckpointError(file: files.first ?? "", .workerFailed("\(what): \(String(cString: strerror(errno)))"))
    }

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

/// Text read from a child's pipe without blocking: its last complete line, or its first bytes.
private struct PipeText {
    enum Keep { case lastLine, prefix(Int) }
    let keep: Keep
    private(set) var bytes: [UInt8] = []
    private(set) var lastLine = ""

    init(keep: Keep) { self.keep = keep }

    /// The first non-empty line, if any.
    var firstLine: String? {
        bytes.split(separator: UInt8(ascii: "\n")).lazy.map { String(decoding: $0, as: UTF8.self) }
            .first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// Reads what is available now.
    mutating func read(from descriptor: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 0) > 0 else { return }
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            guard count > 0 else { return }
            append(buffer[0..<count])
        }
    }

    private mutating func append(_ chunk: ArraySlice<UInt8>) {
        switch keep {
        case .prefix(let limit):
            bytes += chunk.prefix(max(0, limit - bytes.count))
        case .lastLine:
            bytes += chunk
            guard let newline = bytes.lastIndex(of: UInt8(ascii: "\n")) else { return }
            if let line = bytes[..<newline].split(separator: UInt8(ascii: "\n")).last {
                lastLine = String(decoding: line, as: UTF8.self)
            }
            bytes.removeSubrange(...newline)
        }
    }
}

/// A page shared between `heft` and its worker, holding the object the worker is reading: the
/// worker writes it with a plain copy (no system call, however many objects a file has), the parent
/// reads it once the worker has ended.
///
/// `@unchecked Sendable`: only the worker writes, and the parent reads after `wait4` returned.
final class ObjectSlot: @unchecked Sendable {
    private static let size = 4096
    private let page: UnsafeMutableRawPointer

    init?() {
        guard let mapped = mmap(nil, Self.size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0),
              mapped != MAP_FAILED else { return nil }
        page = mapped
        page.storeBytes(of: 0, as: UInt32.self)
    }

    deinit { munmap(page, Self.size) }

    /// Stores `text` (cut to fit): its length last, so a torn write reads as the previous length's bytes.
    func store(_ text: String) {
        let bytes = Array(text.utf8.prefix(Self.size - 8))
        bytes.withUnsafeBytes { (page + 8).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        page.storeBytes(of: UInt32(bytes.count), as: UInt32.self)
    }

    /// What was stored last.
    var text: String {
        let count = min(Int(page.load(as: UInt32.self)), Self.size - 8)
        return String(decoding: UnsafeRawBufferPointer(start: page + 8, count: count), as: UTF8.self)
    }
}

/// Where an isolated child reports the object it starts reading (in the shared ``ObjectSlot``)
/// and the error its work ended with (a line on a pipe); nothing is reported outside a child.
enum ObjectTracker {
    /// The pipe to the parent, or -1.
    ///
    /// `nonisolated(unsafe)`: set once in a freshly forked child before its work starts, when the
    /// child has exactly one thread; only read afterwards.
    nonisolated(unsafe) static var channel: Int32 = -1
    /// The page shared with the parent, in a child.
    ///
    /// `nonisolated(unsafe)`: as ``channel``.
    nonisolated(unsafe) static var slot: ObjectSlot?

    /// Reports that `object` of `file` is about to be read.
    static func reading(_ object: String, in file: String) {
        slot?.store("\(file)\t\(object)")
    }

    private static let failureTag = "\u{1}failed\t"

    /// Reports the error the child's work ended with (the last line the child sends).
    static func fail(_ error: CheckpointError) {
        do {
            send(failureTag + String(decoding: try JSONEncoder().encode(error), as: UTF8.self))
        } catch {
            send(failureTag + "{}")   // unreachable: the error holds only strings; reported as unreadable
        }
    }

    /// The error a child reported with ``fail(_:)``, if `report` is one.
    static func failure(in report: String) -> CheckpointError? {
        guard report.hasPrefix(failureTag) else { return nil }
        let json = report.dropFirst(failureTag.count)
        do {
            return try JSONDecoder().decode(CheckpointError.self, from: Data(json.utf8))
        } catch {
            return CheckpointError(file: "", .workerFailed("the worker reported an unreadable error: \(json.prefix(200))"))
        }
    }

    private static func send(_ line: String) {
        guard channel >= 0 else { return }
        let bytes = Array((line.replacingOccurrences(of: "\n", with: " ") + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(channel, $0.baseAddress, $0.count) }
    }
}
