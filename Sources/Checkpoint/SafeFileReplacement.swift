#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file so that readers and crashes only ever see the complete old or the complete new
/// content: write a temporary file in the target's directory, fsync it, rename it over the target,
/// fsync the directory. On any failure the temporary file is removed and the target is untouched.
///
/// Temporary files are named `.<target name>.heft-tmp-<pid>-<random>`; ones left by a process that
/// no longer runs (a crash or `kill -9`) are removed by the next replacement of the same target.
enum SafeFileReplacement {
    static let marker = ".heft-tmp-"

    /// Calls `write` with a fresh temporary path, then atomically moves the result to `target`.
    ///
    /// - Throws: ``CheckpointError`` for file-system failures, or what `write` throws.
    static func replace(_ target: String, write: (_ temporaryPath: String) throws -> Void) throws {
        let (directory, name) = split(target)
        try requireWritableTarget(target, directory: directory)
        removeStaleTemporaries(in: directory, for: name)
        let temporary = "\(directory)/.\(name)\(marker)\(getpid())-\(UInt64.random(in: 0 ... .max) & 0xFFFF_FFFF)"
        do {
            try write(temporary)
            try copyPermissions(from: target, to: temporary)
            try fsyncPath(temporary, file: target)
            guard rename(temporary, target) == 0 else { throw ioError(target, "cannot rename the new file into place") }
            try fsyncPath(directory, file: target)
        } catch let error as CheckpointError {
            unlink(temporary)
            // A failure writing the target (not one reading a source file) gets the reassurance.
            guard case .hdf5(let text) = error.reason, error.file == target else { throw error }
            throw CheckpointError(file: target, .io("\(text); the previous file is intact"))
        } catch {
            unlink(temporary)
            throw error
        }
    }

    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    private static func requireWritableTarget(_ target: String, directory: String) throws {
        var info = stat()
        if stat(target, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            throw CheckpointError(file: target, .isDirectory)
        }
        guard stat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw CheckpointError(file: target, .io("the directory \(directory) does not exist"))
        }
        guard access(directory, W_OK) == 0 else {
            throw CheckpointError(file: target, .io("cannot write to the directory \(directory): \(String(cString: strerror(errno)))"))
        }
    }

    /// Removes `.<name>.heft-tmp-<pid>-*` files whose process has ended.
    static func removeStaleTemporaries(in directory: String, for name: String) {
        guard let stream = opendir(directory) else { return }
        defer { closedir(stream) }
        let prefix = ".\(name)\(marker)"
        while let entry = readdir(stream) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard entryName.hasPrefix(prefix),
                  let pid = Int32(entryName.dropFirst(prefix.count).prefix { $0 != "-" }) else { continue }
            if hasEnded(pid) { unlink("\(directory)/\(entryName)") }
        }
    }

    /// Whether process `pid` no longer runs: it does not exist, or it has exited and only waits to
    /// be reaped (a zombie, state `Z` or `X` in `/proc/<pid>/stat`: a killed worker whose parent
    /// died too stays one until init reaps it).
    static func hasEnded(_ pid: Int32) -> Bool {
        if kill(pid, 0) != 0 { return errno == ESRCH }
        guard let stat = fopen("/proc/\(pid)/stat", "r") else { return false }
        defer { fclose(stat) }
        var line = [CChar](repeating: 0, count: 512)
        guard fgets(&line, Int32(line.count), stat) != nil else { return false }
        // "<pid> (<command>) <state> …": the state follows the last ')'.
        let text = String(cString: line)
        guard let close = text.lastIndex(of: ")") else { return false }
        let state = text[text.index(after: close)...].drop { $0 == " " }.first
        return state == "Z" || state == "X"
    }

    private static func copyPermissions(from target: String, to temporary: String) throws {
        var info = stat()
        guard stat(target, &info) == 0 else { return }
        guard chmod(temporary, info.st_mode & 0o7777) == 0 else { throw ioError(target, "cannot set permissions") }
    }

    private static func fsyncPath(_ path: String, file target: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw ioError(target, "cannot open \(path) to sync it") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw ioError(target, "fsync of \(path) failed") }
    }

    private static func ioError(_ target: String, _ what: String) -> CheckpointError {
        CheckpointError(file: target, .io("\(what): \(String(cString: strerror(errno))); the previous file is intact"))
    }
}
