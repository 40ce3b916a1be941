import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A failed system call of the process plumbing.
struct SystemCallError: Error, CustomStringConvertible {
    let call: String
    let code: Int32

    var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
}

/// A child process started with `posix_spawn` as the leader of a new process group, so that it and
/// any worker process it forks can be killed together. Its stdin is /dev/null; its stdout and
/// stderr go to files in a logs directory (no pipes to drain).
struct SpawnedGroup {
    /// The child's process id, which is also its process group id.
    let leader: pid_t
    /// Just before the spawn.
    let started: ContinuousClock.Instant
    private let stdoutPath: String
    private let stderrPath: String

    /// Spawns `arguments[0]` (an absolute path) with `arguments` and this process's environment, in
    /// its own process group (see ``BoundedProcess/spawn(_:_:stdout:stderr:environment:)``).
    init(_ arguments: [String], logsIn directory: String) throws {
        stdoutPath = "\(directory)/spawned.stdout"
        stderrPath = "\(directory)/spawned.stderr"
        started = .now
        let pid = try BoundedProcess.spawn(arguments[0], Array(arguments.dropFirst()), stdout: stdoutPath, stderr: stderrPath)
        leader = pid
    }

    /// Sends SIGKILL to every process in the group (a finished but unreaped leader still counts).
    func killGroup() throws {
        guard kill(-leader, SIGKILL) == 0 else { throw SystemCallError(call: "kill(-\(leader), SIGKILL)", code: errno) }
    }

    /// Waits for the leader to end and reaps it. Call once.
    func wait() throws -> Ending {
        var status: Int32 = 0
        while waitpid(leader, &status, 0) < 0 {
            guard errno == EINTR else { throw SystemCallError(call: "waitpid(\(leader))", code: errno) }
        }
        return Ending(waitStatus: status)
    }

    /// Waits for the leader to end and returns its exit code (128 + signal if killed) and output.
    func finish() throws -> HeftRun {
        let code: Int32 = switch try wait() {
        case .exited(let code): code
        case .signalled(let signal): 128 + signal
        case .timedOut: preconditionFailure("wait() has no deadline")
        }
        return HeftRun(code: code, stdout: String(decoding: try Data(contentsOf: URL(fileURLWithPath: stdoutPath)), as: UTF8.self),
                       stderr: String(decoding: try Data(contentsOf: URL(fileURLWithPath: stderrPath)), as: UTF8.self))
    }

}
