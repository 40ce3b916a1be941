import Foundation
import Testing
import TestSupport

/// The parent of every suite in this target, run one test at a time.
///
/// HDF5 opens files without `O_CLOEXEC` and the wrapper can only mark a descriptor
/// close-on-exec after `H5Fopen`/`H5Fcreate` returns; an `h5dump` started by one test in that
/// window would inherit another test's file and its lock. Serial tests avoid that race.
@Suite(.serialized) struct HDF5Tests {}

/// Runs `body` with the path of a new, empty directory that is removed afterwards.
func withTemporaryDirectory<Result>(_ body: (String) throws -> Result) throws -> Result {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("HDF5Tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory.path)
}

/// The standard output of `h5dump` with `arguments`, to compare written files with what h5py
/// and Keras write.
func h5dump(_ arguments: String...) throws -> String {
    try runProcess("/usr/bin/h5dump", arguments).stdout
}

/// The bytes of `values` in memory.
func bytes<T: BitwiseCopyable>(of values: [T]) -> [UInt8] {
    values.withUnsafeBytes { Array($0) }
}
