#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// A path about to be opened, with the checks every file-backed container needs first, so each
/// common problem gets its own clear error before any format's reader sees the file.
///
/// The file is examined only when a format asks (a container without a file never touches it).
package final class ContainerProbe {
    /// The path as given.
    package let path: String
    private var examined: (descriptor: FileDescriptor, size: UInt64)?

    package init(_ path: String) {
        self.path = path
    }

    deinit {
        if let examined { try? examined.descriptor.close() }   // read-only: closing cannot lose data
    }

    /// The file's size, after checking it is an existing, readable, non-empty regular file (a
    /// FIFO would block the open forever, a device could stream without end).
    ///
    /// - Throws: ``CheckpointError``: no such file, a directory, not a regular file, permission
    ///   denied, an empty file, or another system error.
    package func fileSize() throws -> UInt64 {
        try examine().size
    }

    /// Up to `count` bytes at `offset` of the file (fewer at its end).
    ///
    /// - Throws: ``CheckpointError`` as ``fileSize()`` does, or for a failed read.
    package func bytes(at offset: UInt64, count: Int) throws -> [UInt8] {
        let descriptor = try examine().descriptor
        var buffer = [UInt8](repeating: 0, count: count)
        do {
            let read = try buffer.withUnsafeMutableBytes { try descriptor.read(fromAbsoluteOffset: Int64(offset), into: $0) }
            return Array(buffer.prefix(read))
        } catch let error as Errno {
            throw error.checkpointError(file: path, "read")
        }
    }

    private func examine() throws -> (descriptor: FileDescriptor, size: UInt64) {
        if let examined { return examined }
        let info: Stat
        do {
            info = try Stat(FilePath(path))
        } catch {
            switch error {
            case .noSuchFileOrDirectory, .notDirectory: throw CheckpointError(file: path, .fileNotFound)
            case .permissionDenied: throw CheckpointError(file: path, .permissionDenied)
            default: throw error.checkpointError(file: path, "stat")
            }
        }
        if info.type == .directory { throw CheckpointError(file: path, .isDirectory) }
        if info.type != .regular { throw CheckpointError(file: path, .notARegularFile) }
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(FilePath(path), .readOnly, options: [.nonBlocking, .closeOnExec])
        } catch let error as Errno {
            throw error == .permissionDenied ? CheckpointError(file: path, .permissionDenied) : error.checkpointError(file: path, "open")
        }
        if info.size == 0 {
            try? descriptor.close()   // read-only: closing cannot lose data
            throw CheckpointError(file: path, .emptyFile)
        }
        examined = (descriptor, UInt64(info.size))
        return (descriptor, UInt64(info.size))
    }
}
