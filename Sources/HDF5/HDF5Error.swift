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
    /// The library's error stack, outermost call first, innermost detail last; or one frame of
    /// class ``HDF5ErrorClass/wrapper`` for failures this wrapper detects.
    public let frames: [HDF5ErrorFrame]
    /// The frames as text, each `"function(): description"` (the wrapper's own as the description).
    public var messages: [String] {
        frames.map { $0.function.isEmpty ? $0.description : "\($0.function)(): \($0.description)" }
    }
    /// Whether the wrapper refused a value larger than the caller's limit (a string attribute
    /// holding more text than `maximumBytes`), rather than the library failing.
    public var exceedsLimit = false

    /// Whether the library found the file shorter than its own metadata says (a truncated copy or
    /// an interrupted save): a read or address beyond the end of the file (`H5E_TRUNCATED`,
    /// `H5E_OVERFLOW` on arguments, or the metadata cache's bad-value check for an object past
    /// the end of the allocation).
    public var isTruncation: Bool {
        frames.contains { frame in
            frame.minor == .truncated || (frame.major == .arguments && frame.minor == .overflow)
                || (frame.major == .cache && frame.minor == .badValue)
        }
    }

    /// One line: `<file>: <object>: cannot <operation>: <innermost library message>`.
    public var description: String {
        "\(file): \(object): cannot \(operation): \(detail)"
    }

    /// The innermost message without its `function(): ` prefix, on one line. A failed system
    /// call is reduced to its system error (`File too large`): libhdf5 also lists the time,
    /// descriptor, buffer address and offsets, with a line break inside.
    public var detail: String {
        guard let innermost = messages.last else { return "unknown HDF5 error" }
        let text = innermost.firstRange(of: "(): ").map { String(innermost[$0.upperBound...]) } ?? innermost
        if let system = text.firstRange(of: "error message = '"),
           let end = text[system.upperBound...].firstIndex(of: "'"),
           let summary = text.firstRange(of: ":").map({ text[..<$0.lowerBound] }) {
            return "\(summary): \(text[system.upperBound..<end])"
        }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
