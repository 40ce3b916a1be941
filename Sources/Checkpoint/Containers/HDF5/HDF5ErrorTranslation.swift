import HDF5

/// How libhdf5 failures become ``CheckpointError``s.
enum HDF5ErrorTranslation {
    /// Maps a libhdf5 failure to a ``CheckpointError``: a truncated file (told by the library's
    /// error codes, ``HDF5/HDF5Error/isTruncation``) gets its own reason.
    static func translate(_ error: HDF5Error, file path: String) -> CheckpointError {
        if error.exceedsLimit {
            return CheckpointError(file: path, .limitExceeded(path: error.object,
                detail: "\(error.operation): \(error.detail) (ReadLimits.maximumAttributeBytes)"))
        }
        if error.isTruncation {
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
        throw HDF5ErrorTranslation.translate(error, file: path)
    }
}
