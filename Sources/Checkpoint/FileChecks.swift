#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HDF5

/// Checks made before libhdf5 sees a file, so each common problem gets its own clear error.
enum FileChecks {
    /// Throws ``CheckpointError`` for a missing, directory, unreadable, empty or non-HDF5 path;
    /// returns the file's size.
    @discardableResult
    static func requireReadableHDF5(_ path: String) throws -> UInt64 {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            switch code {
            case ENOENT, ENOTDIR: throw CheckpointError(file: path, .fileNotFound)
            case EACCES: throw CheckpointError(file: path, .permissionDenied)
            default: throw CheckpointError(file: path, .io(String(cString: strerror(code))))
            }
        }
        if info.st_mode & S_IFMT == S_IFDIR { throw CheckpointError(file: path, .isDirectory) }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            let code = errno
            throw CheckpointError(file: path, code == EACCES ? .permissionDenied : .io(String(cString: strerror(code))))
        }
        close(descriptor)
        if info.st_size == 0 { throw CheckpointError(file: path, .emptyFile) }
        let isHDF5: Bool
        do { isHDF5 = try File.isHDF5(path) } catch { throw CheckpointError(file: path, .notHDF5) }
        if !isHDF5 { throw CheckpointError(file: path, .notHDF5) }
        return UInt64(info.st_size)
    }

    /// Maps a libhdf5 failure to a ``CheckpointError``: a truncated file gets its own reason.
    static func translate(_ error: HDF5Error, file path: String) -> CheckpointError {
        let text = error.messages.joined(separator: " ")
        if text.contains("truncated file") || text.contains("addr overflow") || text.contains("address of object past end") {
            return CheckpointError(file: path, .truncated("\(error.object): cannot \(error.operation)"))
        }
        return CheckpointError(file: path, .hdf5(String(error.description.dropFirst(path.count + 2))))
    }
}

/// Runs `body`, turning an ``HDF5Error`` into a ``CheckpointError`` for `path`.
func translatingHDF5Errors<R>(file path: String, _ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as HDF5Error {
        throw FileChecks.translate(error, file: path)
    }
}
