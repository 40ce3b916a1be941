#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HDF5

/// Checks made before libhdf5 sees a file, so each common problem gets its own clear error.
enum FileChecks {
    /// Throws ``CheckpointError`` for a missing, directory, special (FIFO, device, socket),
    /// unreadable, empty or non-HDF5 path;
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
        // A FIFO would block the open forever, a device could stream without end.
        if info.st_mode & S_IFMT != S_IFREG { throw CheckpointError(file: path, .notARegularFile) }
        let descriptor = open(path, O_RDONLY | O_NONBLOCK)
        guard descriptor >= 0 else {
            let code = errno
            throw CheckpointError(file: path, code == EACCES ? .permissionDenied : .io(String(cString: strerror(code))))
        }
        defer { close(descriptor) }
        if info.st_size == 0 { throw CheckpointError(file: path, .emptyFile) }
        if !hasSignature(descriptor, size: Int64(info.st_size)) { throw CheckpointError(file: path, .notHDF5) }
        return UInt64(info.st_size)
    }

    /// Whether the HDF5 signature `\x89HDF\r\n\x1a\n` is at offset 0, 512, 1024, 2048, … (after a
    /// user block), as the HDF5 format specification places it: read directly, without asking
    /// libhdf5 to open the file twice.
    private static func hasSignature(_ descriptor: Int32, size: Int64) -> Bool {
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        var bytes = [UInt8](repeating: 0, count: 8)
        var offset: Int64 = 0
        while offset + 8 <= size {
            if pread(descriptor, &bytes, 8, off_t(offset)) == 8, bytes == signature { return true }
            offset = offset == 0 ? 512 : offset * 2
        }
        return false
    }

    /// Maps a libhdf5 failure to a ``CheckpointError``: a truncated file gets its own reason.
    static func translate(_ error: HDF5Error, file path: String) -> CheckpointError {
        if error.exceedsLimit {
            return CheckpointError(file: path, .limitExceeded(path: error.object,
                detail: "\(error.operation): \(error.detail) (ReadLimits.maximumAttributeBytes)"))
        }
        let text = error.messages.joined(separator: " ")
        if text.contains("truncated file") || text.contains("addr overflow") || text.contains("address of object past end") {
            return CheckpointError(file: path, .truncated("\(error.object): cannot \(error.operation)"))
        }
        return CheckpointError(file: path, .hdf5("\(error.object): cannot \(error.operation): \(error.detail)"))
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
