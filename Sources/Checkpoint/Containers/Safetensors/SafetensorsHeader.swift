import NeuralNet

/// The header of a safetensors file, parsed and checked as the format and its reference reader
/// require: an 8-byte little-endian length, at most ``maximumBytes`` of JSON (strict: a key twice
/// is refused), one entry per tensor with `dtype`, `shape` and `data_offsets` into the data buffer
/// that follows, and an optional `__metadata__` of string values. The tensors tile the buffer
/// exactly — sorted by offset, each starting where the previous ended, the last ending at the end of
/// the file — and each holds exactly its shape's elements.
struct SafetensorsHeader {
    /// One tensor.
    struct Tensor {
        let key: String
        let dtype: DType
        let shape: [Int]
        /// Where its bytes are, relative to the data buffer.
        let offsets: Range<UInt64>
    }

    /// The reference implementation's cap on the header's length.
    static let maximumBytes = 100_000_000

    /// The safetensors name of each dtype Heft reads.
    static let dtypeNames: [String: DType] = [
        "F64": .float64, "F32": .float32, "F16": .float16, "BF16": .bfloat16,
        "I64": .int64, "I32": .int32, "I16": .int16, "I8": .int8,
        "U64": .uint64, "U32": .uint32, "U16": .uint16, "U8": .uint8,
    ]

    /// The safetensors name of `dtype`.
    static func name(of dtype: DType) -> String {
        dtypeNames.first { $0.value == dtype }!.key   // total: every DType has a safetensors name
    }

    /// The tensors, in the header's order.
    let tensors: [Tensor]
    /// `__metadata__`.
    let metadata: [String: String]
    /// Where the data buffer starts in the file.
    let dataStart: UInt64

    /// Reads and checks the header of the file `probe` examines.
    ///
    /// - Throws: ``CheckpointError`` for a header that is too long, not strict JSON, or whose
    ///   entries or offsets break the format; a dtype Heft has no type for is named.
    init(_ probe: ContainerProbe) throws {
        let file = probe.path
        let size = try probe.fileSize()
        func damaged(_ object: String, _ detail: String) -> CheckpointError {
            CheckpointError(file: file, .corruptObject(path: object, detail: detail))
        }
        let lengthBytes = try probe.bytes(at: 0, count: 8)
        guard lengthBytes.count == 8 else { throw damaged("/", "shorter than a safetensors header") }
        let length = lengthBytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length <= UInt64(Self.maximumBytes) else {
            throw CheckpointError(file: file, .limitExceeded(path: "/",
                detail: "a safetensors header of \(length) bytes, more than \(Self.maximumBytes) (the format's limit)"))
        }
        guard length <= size - 8 else { throw damaged("/", "the header's \(length) bytes run past the end of the file (truncated)") }
        let value: StrictJSON.Value
        do {
            value = try StrictJSON.parse(try probe.bytes(at: 8, count: Int(length)))
        } catch let failure as StrictJSON.Failure {
            throw damaged("/", "the safetensors header is not strict JSON: \(failure)")
        }
        guard case .object(let members) = value else { throw damaged("/", "the safetensors header is not a JSON object") }
        var metadata: [String: String] = [:]
        var tensors: [Tensor] = []
        for (key, entry) in members {
            if key == "__metadata__" {
                metadata = try Self.metadata(entry, damaged: damaged)
            } else {
                tensors.append(try Self.tensor(key, entry, damaged: damaged))
            }
        }
        dataStart = 8 + length
        try Self.requireTiling(tensors, bufferBytes: size - dataStart, damaged: damaged)
        self.tensors = tensors
        self.metadata = metadata
    }

    private static func metadata(_ value: StrictJSON.Value, damaged: (String, String) -> CheckpointError) throws -> [String: String] {
        guard case .object(let members) = value else { throw damaged("__metadata__", "not an object of strings") }
        var result: [String: String] = [:]
        for (key, item) in members {
            guard case .string(let text) = item else { throw damaged("__metadata__/\(key)", "not a string") }
            result[key] = text
        }
        return result
    }

    private static func tensor(_ key: String, _ entry: StrictJSON.Value, damaged: (String, String) -> CheckpointError) throws -> Tensor {
        guard case .string(let dtypeName)? = entry["dtype"] else { throw damaged(key, "no dtype") }
        guard let dtype = dtypeNames[dtypeName] else {
            throw damaged(key, "dtype \(dtypeName), which Heft has no type for (it reads \(dtypeNames.keys.sorted().joined(separator: ", ")))")
        }
        guard case .array(let dimensions)? = entry["shape"] else { throw damaged(key, "no shape") }
        let shape = try dimensions.map { dimension -> Int in
            guard let value = dimension.unsignedInteger, value <= UInt64(Int.max) else { throw damaged(key, "a dimension that is not a size") }
            return Int(value)
        }
        guard case .array(let offsets)? = entry["data_offsets"], offsets.count == 2,
              let begin = offsets[0].unsignedInteger, let end = offsets[1].unsignedInteger, begin <= end else {
            throw damaged(key, "data_offsets are not [begin, end]")
        }
        var bytes = UInt64(dtype.byteCount)
        for dimension in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: UInt64(dimension))
            guard !overflow else { throw damaged(key, "a shape of more bytes than a file can hold") }
            bytes = product
        }
        guard end - begin == bytes else {
            throw damaged(key, "shape \(formatShape(shape)) of \(dtypeName) is \(bytes) bytes, but data_offsets span \(end - begin)")
        }
        return Tensor(key: key, dtype: dtype, shape: shape, offsets: begin..<end)
    }

    /// Throws unless the tensors, by offset, tile the data buffer: no gap, no overlap, nothing past
    /// or left at its end.
    private static func requireTiling(_ tensors: [Tensor], bufferBytes: UInt64, damaged: (String, String) -> CheckpointError) throws {
        var next: UInt64 = 0
        for tensor in tensors.sorted(by: { ($0.offsets.lowerBound, $0.offsets.upperBound) < ($1.offsets.lowerBound, $1.offsets.upperBound) }) {
            if tensor.offsets.lowerBound > next { throw damaged(tensor.key, "a gap before its data (offset \(tensor.offsets.lowerBound), expected \(next))") }
            if tensor.offsets.lowerBound < next { throw damaged(tensor.key, "its data overlaps another tensor's (offset \(tensor.offsets.lowerBound))") }
            next = tensor.offsets.upperBound
            guard next <= bufferBytes else { throw damaged(tensor.key, "its data ends at \(next), past the end of the file (truncated)") }
        }
        guard next == bufferBytes else { throw damaged("/", "\(bufferBytes - next) bytes after the last tensor's data") }
    }
}
