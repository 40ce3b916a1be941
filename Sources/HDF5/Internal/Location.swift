internal import CHDF5

/// The file and object an HDF5 call acts on; every ``HDF5Error`` is built from one.
///
/// Every operation builds its `Location` before its first C call, so the initializer is also where
/// HDF5's automatic error printing is turned off for the current thread (a per-thread setting).
struct Location: Sendable {
    /// The file-system path of the file.
    let file: String
    /// The absolute HDF5 path of the object, for example `/dense/dense/kernel:0`.
    let object: String

    init(file: String, object: String) {
        chdf5_silence_errors_on_this_thread()
        self.file = file
        self.object = object
    }

    /// Builds an error for a failure detected by this wrapper rather than by the library.
    func error(_ operation: String, _ message: String) -> HDF5Error {
        HDF5Error(operation: operation, file: file, object: object,
                  frames: [HDF5ErrorFrame(function: "", description: message, major: .wrapper, minor: .wrapper)])
    }

    /// Converts a size reported by the library to `Int`, throwing when it does not fit
    /// (a crafted file can declare dimensions near 2⁶⁴).
    func int<Value: BinaryInteger>(_ value: Value, _ operation: String) throws(HDF5Error) -> Int {
        guard let result = Int(exactly: value) else {
            throw error(operation, "size \(value) does not fit in Int")
        }
        return result
    }
}
