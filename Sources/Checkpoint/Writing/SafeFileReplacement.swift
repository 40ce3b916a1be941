#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import SystemPackage

/// Replaces a file so that readers and crashes only ever see the complete old or the complete new
/// content: write a temporary file in the target's directory, fsync it, rename it over the target,
/// fsync the directory. On any failure the temporary file is removed and the target is untouched.
///
/// Targets:
/// - a missing path or a regular file is written (a replaced file keeps its permissions and, where
///   the process may set them, its owner and group);
/// - a symbolic link is followed (chains too) and the file it names is replaced, the link kept, as
///   a checkpoint directory's `latest.h5 → ckpt-42.h5` expects (`cp` and editors do the same);
/// - anything else — a directory, FIFO, device or socket — is refused.
///
/// Temporary files are named `.<target name>.heft-tmp-<pid>-<random>` (a name too long to leave room
/// for that is shortened and made unique with a hash, to fit `NAME_MAX`); ones left by a process that
/// no longer runs (a crash or `kill -9`) are removed by the next replacement of the same target, and
/// by ``removeTemporaries(of:for:)`` when `heft` sees its worker die.
enum SafeFileReplacement {
    static let marker = ".heft-tmp-"

    /// Calls `write` with a fresh temporary path, then atomically moves the result to `target`.
    ///
    /// - Throws: ``CheckpointError`` for a target that is not a regular file, file-system
    ///   failures, or what `write` throws.
    static func replace(_ target: String, write: (_ temporaryPath: String) throws -> Void) throws {
        let temporary = try temporaryPath(for: target)
        do {
            try write(temporary)
            try commit(temporary, to: target)
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

    /// A fresh temporary path beside `target` (a link followed), after the checks ``replace(_:write:)``
    /// makes and the removal of temporaries of ended processes; nothing is created there.
    ///
    /// - Throws: ``CheckpointError`` for a target that is not a regular file or a directory that
    ///   cannot be written.
    static func temporaryPath(for target: String) throws -> String {
        let resolved = try resolvedTarget(target)
        let (directory, name) = split(resolved)
        try requireWritableDirectory(directory, target: target)
        removeStaleTemporaries(in: directory, for: name)
        return "\(directory)/\(temporaryPrefix(for: name))\(getpid())-\(UInt64.random(in: 0 ... .max) & 0xFFFF_FFFF)"
    }

    /// Moves the written `temporary` (from ``temporaryPath(for:)``) to `target` atomically: the
    /// target's ownership and permissions copied, the file synced, renamed, the directory synced.
    ///
    /// - Throws: ``CheckpointError`` for a file-system failure; `target` is then as it was.
    static func commit(_ temporary: String, to target: String) throws {
        let resolved = try resolvedTarget(target)
        try copyOwnershipAndPermissions(from: resolved, to: temporary, target: target)
        try fsyncPath(temporary, file: target)
        try system(target, "cannot rename the new file into place") { rename(temporary, resolved) }
        try fsyncPath(split(resolved).directory, file: target)
    }

    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// The beginning of a temporary file's name for a target called `name`: `.<name>.heft-tmp-`,
    /// or for a name too long to leave room for the rest within `NAME_MAX` (255 bytes), its first
    /// 150 bytes and a hash of the whole name.
    static func temporaryPrefix(for name: String) -> String {
        guard name.utf8.count > 200 else { return ".\(name)\(marker)" }
        var prefix = ""
        for character in name where prefix.utf8.count + character.utf8.count <= 150 { prefix.append(character) }
        let hash = SHA256.hash(data: Array(name.utf8)).prefix(8).map { String($0, radix: 16) }.joined()
        return ".\(prefix)~\(hash)\(marker)"
    }

    /// The file a write to `target` replaces: `target`, or the file a symbolic link (chain) at
    /// `target` names.
    ///
    /// - Throws: ``CheckpointError`` for a directory, FIFO, device or socket, a link chain longer
    ///   than 40, or a failed `lstat`/`readlink`.
    static func resolvedTarget(_ target: String) throws -> String {
        var path = target
        for _ in 0..<40 {
            var info = stat()
            do {
                try SystemCall.check { lstat(path, &info) }
            } catch {
                guard error == .noSuchFileOrDirectory else { throw ioError(target, "cannot inspect \(path)", error) }
                return path   // a new file
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG: return path
            case S_IFLNK: path = try linkTarget(path, target: target)
            case S_IFDIR: throw CheckpointError(file: target, .isDirectory)
            default:
                throw CheckpointError(file: target, .io("\(path == target ? "it" : path) is not a regular file (a FIFO, device or "
                    + "socket): refusing to replace it"))
            }
        }
        throw CheckpointError(file: target, .io("too many levels of symbolic links"))
    }

    /// Where the link at `path` points, relative links taken from the link's directory.
    private static func linkTarget(_ path: String, target: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = try system(target, "cannot read the symbolic link \(path)") { readlink(path, &buffer, buffer.count - 1) }
        let destination = String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return destination.hasPrefix("/") ? destination : "\(split(path).directory)/\(destination)"
    }

    private static func requireWritableDirectory(_ directory: String, target: String) throws {
        var info = stat()
        guard stat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw CheckpointError(file: target, .io("the directory \(directory) does not exist"))
        }
        try system(target, "cannot write to the directory \(directory)", reassuring: false) { access(directory, W_OK) }
    }

    /// Removes `.<name>.heft-tmp-<pid>-*` files whose process has ended.
    static func removeStaleTemporaries(in directory: String, for name: String) {
        removeTemporaries(in: directory, for: name) { hasEnded($0) }
    }

    /// Removes the temporary files a process `pid` (a worker that died) left for `target`, a link
    /// followed as ``replace(_:write:)`` follows it.
    static func removeTemporaries(of pid: pid_t, for target: String) {
        let resolved: String
        do { resolved = try resolvedTarget(target) } catch { return }   // not a target heft writes: it left nothing there
        let (directory, name) = split(resolved)
        removeTemporaries(in: directory, for: name) { $0 == pid }
    }

    private static func removeTemporaries(in directory: String, for name: String, where matches: (pid_t) -> Bool) {
        guard let stream = opendir(directory) else { return }
        defer { closedir(stream) }
        let prefix = temporaryPrefix(for: name)
        while let entry = readdir(stream) {
            // In place: a record near the end of readdir's buffer is shorter than `struct dirent`,
            // so copying the whole 256-byte name field can read past the mapping.
            let entryName = withUnsafeMutablePointer(to: &entry.pointee.d_name) { field in
                field.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: field.pointee)) { String(cString: $0) }
            }
            guard entryName.hasPrefix(prefix),
                  let pid = Int32(entryName.dropFirst(prefix.count).prefix { $0 != "-" }) else { continue }
            if matches(pid) { unlink("\(directory)/\(entryName)") }
        }
    }

    /// Whether process `pid` no longer runs: it does not exist, or it has exited and only waits to
    /// be reaped (a zombie, state `Z` or `X` in `/proc/<pid>/stat`: a killed worker whose parent
    /// has not collected it yet).
    static func hasEnded(_ pid: pid_t) -> Bool {
        do {
            try SystemCall.check { kill(pid, 0) }
        } catch {
            return error == .noSuchProcess
        }
        guard let stream = fopen("/proc/\(pid)/stat", "r") else { return false }
        defer { fclose(stream) }
        var buffer = [CChar](repeating: 0, count: 512)
        guard fgets(&buffer, Int32(buffer.count), stream) != nil else { return false }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return false }
        let state = text[text.index(after: close)...].drop { $0 == " " }.first
        return state == "Z" || state == "X"
    }

    /// Gives the new file the replaced one's permissions and, where this process may, its owner and
    /// group (changing the owner takes privileges: without them the new file is the writer's).
    private static func copyOwnershipAndPermissions(from existing: String, to temporary: String, target: String) throws {
        var info = stat()
        guard stat(existing, &info) == 0 else { return }
        do {
            try SystemCall.check { chown(temporary, info.st_uid, info.st_gid) }
        } catch {
            guard error == .notPermitted else { throw ioError(target, "cannot set the owner and group", error) }
            _ = chown(temporary, uid_t.max, info.st_gid)   // the group alone, if this user may; else the writer's stays
        }
        try system(target, "cannot set permissions") { chmod(temporary, info.st_mode & 0o7777) }
    }

    private static func fsyncPath(_ path: String, file target: String) throws {
        let descriptor = try system(target, "cannot open \(path) to sync it") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(descriptor) }
        try system(target, "fsync of \(path) failed") { fsync(descriptor) }
    }

    /// Runs a system call through ``SystemCall``; a failure becomes a ``CheckpointError`` for
    /// `target` saying `what` failed and why (and, with `reassuring`, that the old file is intact).
    @discardableResult
    private static func system<Result: FixedWidthInteger>(_ target: String, _ what: String, reassuring: Bool = true,
                                                          _ call: () -> Result) throws -> Result {
        do {
            return try SystemCall.check(call)
        } catch {
            throw reassuring ? ioError(target, what, error) : CheckpointError(file: target, .io("\(what): \(String(cString: strerror(error.rawValue)))"))
        }
    }

    private static func ioError(_ target: String, _ what: String, _ error: Errno) -> CheckpointError {
        CheckpointError(file: target, .io("\(what): \(String(cString: strerror(error.rawValue))); the previous file is intact"))
    }
}
