import Foundation
import NeuralNet

/// NumPy's `.npy` files (format versions 1, 2 and 3): what `heft run` reads its inputs from and
/// writes its outputs to. Read: little-endian `float32`, `float64`, `int32` and `int64` arrays in
/// C order, as `float32` tensors. Written: `float32`, version 1.0, C order, replaced atomically.
public enum NPYFile {
    /// The element types read, by NumPy's `descr`.
    static let dtypes: [String: (bytes: Int, convert: @Sendable (UnsafeRawBufferPointer, Int) -> Float)] = [
        "<f4": (4, { $0.loadUnaligned(fromByteOffset: $1 * 4, as: Float.self) }),
        "<f8": (8, { Float($0.loadUnaligned(fromByteOffset: $1 * 8, as: Double.self)) }),
        "<i4": (4, { Float($0.loadUnaligned(fromByteOffset: $1 * 4, as: Int32.self)) }),
        "<i8": (8, { Float($0.loadUnaligned(fromByteOffset: $1 * 8, as: Int64.self)) }),
    ]

    /// Reads the array in `path` as a `float32` tensor.
    ///
    /// - Throws: ``CheckpointError`` naming the file: not a `.npy` file, a version, dtype or
    ///   layout Heft does not read (named), a header that does not parse, or data that does not
    ///   match the header's shape.
    public static func read(_ path: String) throws -> Tensor {
        let probe = ContainerProbe(path)
        let size = try probe.fileSize()
        func damaged(_ detail: String) -> CheckpointError { CheckpointError(file: path, .corruptObject(path: "/", detail: detail)) }
        let magic = try probe.bytes(at: 0, count: 10)
        guard magic.count == 10, magic[0] == 0x93, Array(magic[1..<6]) == Array("NUMPY".utf8) else {
            throw CheckpointError(file: path, .unsupportedModel("not a NumPy .npy file (no \\x93NUMPY magic)"))
        }
        let major = magic[6]
        let (lengthBytes, lengthSize): ([UInt8], Int) = switch major {
        case 1: (Array(magic[8..<10]), 2)
        case 2, 3: (try probe.bytes(at: 8, count: 4), 4)
        default: throw CheckpointError(file: path, .unsupportedData(path: "/", detail: ".npy format version \(major), which Heft does not read (1 to 3)"))
        }
        let headerLength = lengthBytes.enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let dataStart = 8 + lengthSize + headerLength
        guard headerLength <= 1 << 20, UInt64(dataStart) <= size else { throw damaged("the header runs past the end of the file") }
        let header = String(decoding: try probe.bytes(at: UInt64(8 + lengthSize), count: headerLength), as: UTF8.self)
        let (descr, fortran, shape) = try parseHeader(header, damaged: damaged)
        guard !fortran else { throw CheckpointError(file: path, .unsupportedData(path: "/", detail: "Fortran-ordered arrays are not read (save with C order)")) }
        guard let dtype = dtypes[descr] else {
            throw CheckpointError(file: path, .unsupportedData(path: "/", detail: "dtype '\(descr)', which Heft does not read (\(dtypes.keys.sorted().joined(separator: ", ")))"))
        }
        let count = shape.reduce(1, *)
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.bytes)
        guard !overflow, UInt64(dataStart) + UInt64(bytes) == size else {
            throw damaged("shape \(formatShape(shape)) needs \(bytes) bytes of data, the file has \(size - UInt64(dataStart))")
        }
        let data = try probe.bytes(at: UInt64(dataStart), count: bytes)
        let values = data.withUnsafeBytes { raw in (0..<count).map { dtype.convert(raw, $0) } }
        return Tensor(shape: shape, scalars: values)
    }

    /// `descr`, `fortran_order` and `shape` from the header's Python dict literal.
    private static func parseHeader(_ header: String, damaged: (String) -> CheckpointError) throws -> (String, Bool, [Int]) {
        func value(_ key: String) -> Substring? {
            guard let range = header.range(of: "'\(key)':") else { return nil }
            return header[range.upperBound...].drop { $0 == " " }
        }
        guard let descrText = value("descr"), descrText.first == "'",
              let end = descrText.dropFirst().firstIndex(of: "'") else { throw damaged("the header has no descr") }
        let descr = String(descrText.dropFirst()[..<end])
        guard let fortranText = value("fortran_order") else { throw damaged("the header has no fortran_order") }
        let fortran = fortranText.hasPrefix("True")
        guard let shapeText = value("shape"), shapeText.first == "(", let close = shapeText.firstIndex(of: ")") else {
            throw damaged("the header has no shape")
        }
        let shape = try shapeText[shapeText.index(after: shapeText.startIndex)..<close].split(separator: ",").map { part -> Int in
            guard let size = Int(part.trimmingCharacters(in: .whitespaces)), size >= 0 else { throw damaged("the shape is not a tuple of sizes") }
            return size
        }
        return (descr, fortran, shape)
    }

    /// Writes `tensor` as a `float32` `.npy` (version 1.0), replacing `path` atomically.
    ///
    /// - Throws: ``CheckpointError`` naming `path` on a write failure; the previous file is then intact.
    public static func write(_ tensor: Tensor, to path: String) throws {
        let shape = tensor.shape.count == 1 ? "(\(tensor.shape[0]),)" : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        tensor.converted(to: .float32).withUnsafeBytes { bytes += $0 }
        try SafeFileReplacement.replace(path) { temporary in
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: temporary))
            } catch {
                throw CheckpointError(file: path, .io("cannot write: \(error)"))
            }
        }
    }
}
