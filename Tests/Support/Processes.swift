import Foundation
import Synchronization

/// What a finished process left: its exit status, standard output and standard error.
public struct ProcessResult: Sendable {
    public let code: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs `executable` with `arguments` to its end: `environment` entries are added to this
/// process's environment (an empty value removes the variable), `directory` is its working
/// directory; stderr goes to stdout's pipe when `mergingErrors`. Both pipes are read to their end
/// before the process is waited for, so a large output cannot block it.
public func runProcess(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                       directory: String? = nil, mergingErrors: Bool = false) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var merged = ProcessInfo.processInfo.environment
    for (key, value) in environment { merged[key] = value.isEmpty ? nil : value }
    process.environment = merged
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = mergingErrors ? output : errors
    try process.run()
    // Both pipes are drained at once: a child that fills one while the other is read would block.
    let errorData = PipeDrain(mergingErrors ? nil : errors.fileHandleForReading)
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(code: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
                         stderr: String(decoding: errorData.wait(), as: UTF8.self))
}

/// Reads a pipe to its end on another thread.
private final class PipeDrain: Sendable {
    private let data = Mutex(Data())
    private let done = DispatchGroup()

    init(_ handle: FileHandle?) {
        guard let handle else { return }
        DispatchQueue.global().async(group: done) { [self] in
            let read = handle.readDataToEndOfFile()
            self.data.withLock { $0 = read }
        }
    }

    /// Everything read, once the pipe has ended.
    func wait() -> Data {
        done.wait()
        return data.withLock { $0 }
    }
}

/// `tools/python/keras_check.py` failed; `stderr` is the end of what it printed.
public struct KerasCheckFailure: Error, CustomStringConvertible {
    public let stderr: String
    public var description: String { "keras_check.py failed: \(stderr)" }
}

/// Runs `tools/python/keras_check.py [mode] MANIFEST RESULT` under `$HEFT_PYTHON` with `manifest`
/// written to `dir`, and decodes its result: one entry per case or file.
///
/// - Throws: ``KerasCheckFailure`` if the script fails, or what encoding, decoding or running throws.
public func runKerasCheck<Result: Decodable>(_ mode: String?, manifest: some Encodable, in dir: String) throws -> [String: Result] {
    let name = mode ?? "default"
    try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: "\(dir)/\(name)-manifest.json"))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["HEFT_PYTHON"]!)
    let script = fixturesURL.deletingLastPathComponent().appendingPathComponent("tools/python/keras_check.py").path
    process.arguments = [script] + (mode.map { [$0] } ?? []) + ["\(dir)/\(name)-manifest.json", "\(dir)/\(name)-result.json"]
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let stderr = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw KerasCheckFailure(stderr: String(decoding: stderr.suffix(2000), as: UTF8.self)) }
    return try JSONDecoder().decode([String: Result].self, from: Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name)-result.json")))
}

/// Runs `executable` on `ranks` processes under Open MPI's `mpirun` (`--oversubscribe`: more
/// ranks than cores; `--allow-run-as-root`: CI runs as root). Open MPI's variables in this process
/// (a test that made it a singleton rank sets them) are removed, or mpirun would take itself for a
/// child of another run.
public func runMPI(ranks: Int, _ executable: String, _ arguments: [String]) throws -> ProcessResult {
    let inherited = ProcessInfo.processInfo.environment.keys.filter { key in
        ["OMPI_", "PMIX_", "OPAL_", "ORTE_"].contains { key.hasPrefix($0) }
    }
    return try runProcess("/usr/bin/env", ["mpirun", "--oversubscribe", "--allow-run-as-root", "-np", "\(ranks)", executable] + arguments,
                          environment: Dictionary(uniqueKeysWithValues: inherited.map { ($0, "") }))
}
