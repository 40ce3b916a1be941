import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
enum Ending: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)
    case timedOut

    /// Decodes a `waitpid` status (the `WIFEXITED` / `WTERMSIG` macros are not imported into Swift).
    init(waitStatus status: Int32) {
        let signal = status & 0x7f
        self = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }

    var description: String {
        switch self {
        case .exited(let code): "exit \(code)"
        case .signalled(let signal): "signal \(signal)"
        case .timedOut: "timed out"
        }
    }
}

/// What a bounded run produced.
struct BoundedRun: Sendable {
    let ending: Ending
    let stdout: String
    let stderr: String
    /// The child's peak resident set (including any children it waited for), from `wait4`. An
    /// upper bound: Linux also records the resident set of the process that spawned it (this test
    /// process, about 40 MiB) when the child execs, so small values say "at most this much".
    let maxResidentBytes: Int
    let seconds: Double
}

/// `posix_spawn` + `wait4`: a child in its own process group, stdin from /dev/null, stdout and
/// stderr into files (so a chatty child never blocks on a full pipe), killed with its whole group
/// at the deadline.
enum BoundedProcess {
    static func run(_ executable: String, _ arguments: [String], timeout: Double, scratch: String,
                    environment: [String: String] = [:]) throws -> BoundedRun {
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let stdoutPath = "\(scratch)/stdout", stderrPath = "\(scratch)/stderr"
        let start = ContinuousClock.now
        let pid = try spawn(executable, arguments, stdout: stdoutPath, stderr: stderrPath, environment: environment)
        let (status, usage, timedOut) = try waitForExit(pid, timeout: timeout)
        let elapsed = ContinuousClock.now - start
        return BoundedRun(ending: timedOut ? .timedOut : Ending(waitStatus: status), stdout: try contents(stdoutPath),
                          stderr: try contents(stderrPath), maxResidentBytes: Int(usage.ru_maxrss) * 1024,
                          seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }

    /// ``run(_:_:timeout:scratch:environment:)`` with the program's own peak resident set: it runs
    /// under a small Python parent that reports its children's peak (`wait4` on a program spawned
    /// directly reports at least this test process's resident set, which Linux carries over into
    /// the child until it execs).
    static func runMeasuringPeak(_ executable: String, _ arguments: [String], timeout: Double, scratch: String) throws -> BoundedRun {
        guard let python = ProcessInfo.processInfo.environment["HEFT_PYTHON"] else {
            throw CorpusError("HEFT_PYTHON is not set: the peak resident set is measured with Python's resource module")
        }
        let script = "import resource, subprocess, sys; code = subprocess.run(sys.argv[2:]).returncode; "
            + "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
            + "sys.exit(code if code >= 0 else 128 - code)"
        let run = try self.run(python, ["-c", script, "\(scratch)/maxrss", executable] + arguments, timeout: timeout, scratch: scratch)
        let text = try String(contentsOfFile: "\(scratch)/maxrss", encoding: .utf8)
        guard let kilobytes = Int(text) else { throw CorpusError("no peak resident set measured: '\(text)'") }
        return BoundedRun(ending: run.ending, stdout: run.stdout, stderr: run.stderr, maxResidentBytes: kilobytes * 1024,
                          seconds: run.seconds)
    }

    /// Starts `executable` in its own process group with stdin from /dev/null, stdout and stderr
    /// into the files given (created 0600), every descriptor above stderr closed, no signal blocked.
    static func spawn(_ executable: String, _ arguments: [String], stdout: String, stderr: String,
                      environment: [String: String] = [:]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try closeInheritedDescriptors(&actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0)=\($1)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let error = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard error == 0 else { throw CorpusError("cannot start \(executable): \(String(cString: strerror(error)))") }
        return pid
    }

    /// Closes every descriptor above stderr in the child (glibc ≥ 2.34; Swift does not import the
    /// GNU extension, hence `dlsym`), so heft never inherits a file another test has open, and with
    /// it that file's HDF5 lock.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) throws {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
        let error = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        guard error == 0 else { throw CorpusError("posix_spawn_file_actions_addclosefrom_np: \(String(cString: strerror(error)))") }
    }

    /// Polls `wait4` until the child exits or the deadline passes; then kills the process group.
    private static func waitForExit(_ pid: pid_t, timeout: Double) throws -> (Int32, rusage, Bool) {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        var status: Int32 = 0, usage = rusage(), timedOut = false
        while true {
            let result = wait4(pid, &status, WNOHANG, &usage)
            if result == pid { break }
            guard result == 0 || errno == EINTR else { throw CorpusError("wait4: \(String(cString: strerror(errno)))") }
            if ContinuousClock.now > deadline {
                kill(-pid, SIGKILL)
                while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
                timedOut = true
                break
            }
            usleep(2000)
        }
        kill(-pid, SIGKILL)   // anything the child left running in its group
        return (status, usage, timedOut)
    }

    private static func contents(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }
}

