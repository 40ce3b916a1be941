/// An error from the HDF5 library or from this wrapper, naming the file and object involved.
///
/// ```swift
/// do { _ = try File.open("missing.h5") }
/// catch let error as HDF5Error { print(error) }
/// // missing.h5: /: cannot open file: unable to open file: name = 'missing.h5', errno = 2, …
/// ```
public struct HDF5Error: Error, CustomStringConvertible, Sendable {
    /// What was being done, for example `open dataset`.
    public let operation: String
    /// The file-system path of the file.
    public let file: String
    /// The absolute HDF5 path of the object, for example `/dense/dense/kernel:0`.
    public let object: String
    /// The library's error stack, outermost call first, innermost detail last, each formatted as
    /// `"function(): description"`; or one message from this wrapper for failures it detects.
    public let messages: [String]

    /// One line: `<file>: <object>: cannot <operation>: <innermost library message>`.
    public var description: String {
        "\(file): \(object): cannot \(operation): \(detail)"
    }

    /// The innermost message without its `function(): ` prefix.
    private var detail: String {
        guard let innermost = messages.last else { return "unknown HDF5 error" }
        guard let prefix = innermost.firstRange(of: "(): ") else { return innermost }
        return String(innermost[prefix.upperBound...])
    }
}
