/// The entries of a zip archive, read strictly from its central directory: every size and offset
/// checked against the file before anything is read, so a hostile archive is refused, never
/// followed.
///
/// Why not ZIPFoundation here (it inflates and writes for Heft): reading a stored entry in place
/// needs its data offset, which ZIPFoundation keeps internal, and its reader trusts the directory
/// (it iterates a claimed billion entries, lets entries overlap and keeps the last of two equal
/// names). This reader refuses:
/// - more entries than ``maximumEntries``, a directory outside the file or smaller than its
///   entries, an entry whose local header does not match the directory;
/// - entries whose bytes overlap each other or the directory (the "overlapping zip bomb"), a name
///   twice, a name with `..` components, a leading `/` or a backslash;
/// - encryption, and compression other than stored or deflated; a stored entry whose sizes differ.
struct ZipDirectory {
    /// One entry.
    struct Entry {
        let name: String
        /// 0 stored, 8 deflated.
        let method: UInt16
        let crc32: UInt32
        let compressedSize: UInt64
        let uncompressedSize: UInt64
        /// Where the entry's data starts in the file.
        let dataOffset: UInt64
        /// Where the entry's local header starts.
        let headerOffset: UInt64

        var isStored: Bool { method == 0 }
        /// The bytes of the file the entry occupies: its local header and data.
        var span: Range<UInt64> { headerOffset..<(dataOffset + compressedSize) }
        /// The data's bytes in the file.
        var data: Range<UInt64> { dataOffset..<(dataOffset + compressedSize) }
    }

    /// More entries than any Keras archive holds (three), with room for other writers' extras.
    static let maximumEntries = 10_000

    let entries: [Entry]

    /// The entry named `name`, if any.
    func entry(_ name: String) -> Entry? {
        entries.first { $0.name == name }
    }

    /// Reads the directory of the archive `probe` examines.
    ///
    /// - Throws: ``CheckpointError`` (`corruptObject` or `limitExceeded`, at `/`, or naming the
    ///   entry) for anything listed above, or a failed read.
    init(_ probe: ContainerProbe) throws {
        let reader = ZipBytes(probe: probe, size: try probe.fileSize())
        let end = try reader.endOfDirectory()
        guard end.entryCount <= UInt64(Self.maximumEntries) else {
            throw reader.refusal("/", .limitExceeded(path: "/", detail:
                "the zip directory declares \(end.entryCount) entries, more than \(Self.maximumEntries)"))
        }
        var entries: [Entry] = []
        var position = end.directoryOffset
        for _ in 0..<end.entryCount {
            let (entry, next) = try reader.directoryEntry(at: position, directoryEnd: end.directoryEnd)
            entries.append(entry)
            position = next
        }
        try Self.requireDistinct(entries, directoryStart: end.directoryOffset, reader: reader)
        self.entries = entries
    }

    /// Throws for two entries with one name, or whose bytes overlap each other or the directory.
    private static func requireDistinct(_ entries: [Entry], directoryStart: UInt64, reader: ZipBytes) throws {
        var names = Set<String>()
        for entry in entries where !names.insert(entry.name).inserted {
            throw reader.refusal(entry.name, .corruptObject(path: entry.name, detail: "the archive holds two entries with this name"))
        }
        let sorted = entries.sorted { $0.headerOffset < $1.headerOffset }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.span.upperBound > b.headerOffset {
            throw reader.refusal(b.name, .corruptObject(path: b.name,
                detail: "its bytes overlap those of \(a.name) (an overlapping-entry zip bomb or a damaged archive)"))
        }
        if let last = sorted.last, last.span.upperBound > directoryStart {
            throw reader.refusal(last.name, .corruptObject(path: last.name, detail: "its bytes overlap the zip directory"))
        }
    }
}

/// Little-endian reads of an archive's structures, each checked to lie inside the file.
private struct ZipBytes {
    let probe: ContainerProbe
    let size: UInt64

    func refusal(_ object: String, _ reason: CheckpointError.Reason) -> CheckpointError {
        CheckpointError(file: probe.path, reason)
    }

    private func damaged(_ detail: String) -> CheckpointError {
        CheckpointError(file: probe.path, .corruptObject(path: "/", detail: "not a sound zip archive: \(detail)"))
    }

    /// `count` bytes at `offset`, all inside the file.
    func bytes(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard offset <= size, UInt64(count) <= size - offset else { throw damaged("a structure at byte \(offset) runs past the end of the file") }
        let bytes = try probe.bytes(at: offset, count: count)
        guard bytes.count == count else { throw damaged("the file ends inside a structure at byte \(offset)") }
        return bytes
    }

    struct End {
        let entryCount: UInt64
        let directoryOffset: UInt64
        /// Where the directory ends (the end-of-directory records start).
        let directoryEnd: UInt64
    }

    /// The end-of-central-directory record (and its ZIP64 form when the sizes need it).
    func endOfDirectory() throws -> End {
        let tailLength = Int(min(size, 22 + 65_535))
        let tail = try bytes(at: size - UInt64(tailLength), count: tailLength)
        guard let start = stride(from: tailLength - 22, through: 0, by: -1).first(where: { tail.u32($0) == 0x0605_4b50 }) else {
            throw damaged("no end-of-directory record (the archive is truncated or not a zip)")
        }
        let recordOffset = size - UInt64(tailLength) + UInt64(start)
        var count = UInt64(tail.u16(start + 10)), directorySize = UInt64(tail.u32(start + 12))
        var directoryOffset = UInt64(tail.u32(start + 16))
        var directoryEnd = recordOffset
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            guard recordOffset >= 20 else { throw damaged("a ZIP64 archive without its ZIP64 locator") }
            let locator = try bytes(at: recordOffset - 20, count: 20)
            guard locator.u32(0) == 0x0706_4b50 else { throw damaged("a ZIP64 archive without its ZIP64 locator") }
            let zip64Offset = locator.u64(8)
            let record = try bytes(at: zip64Offset, count: 56)
            guard record.u32(0) == 0x0606_4b50 else { throw damaged("the ZIP64 end-of-directory record is missing") }
            (count, directorySize, directoryOffset) = (record.u64(32), record.u64(40), record.u64(48))
            directoryEnd = zip64Offset
        }
        guard directoryOffset <= directoryEnd, directorySize == directoryEnd - directoryOffset else {
            throw damaged("the directory (\(directorySize) bytes at \(directoryOffset)) is not where the end record says")
        }
        guard count <= directorySize / 46 else {
            throw damaged("the directory declares \(count) entries but holds room for \(directorySize / 46)")
        }
        return End(entryCount: count, directoryOffset: directoryOffset, directoryEnd: directoryEnd)
    }

    /// The directory entry at `offset`, checked against its local header; and where the next starts.
    func directoryEntry(at offset: UInt64, directoryEnd: UInt64) throws -> (ZipDirectory.Entry, UInt64) {
        let fixed = try bytes(at: offset, count: 46)
        guard fixed.u32(0) == 0x0201_4b50 else { throw damaged("a directory entry at byte \(offset) has no signature") }
        let nameLength = Int(fixed.u16(28)), extraLength = Int(fixed.u16(30)), commentLength = Int(fixed.u16(32))
        let next = offset + 46 + UInt64(nameLength + extraLength + commentLength)
        guard next <= directoryEnd else { throw damaged("a directory entry at byte \(offset) runs past the directory") }
        let nameBytes = try bytes(at: offset + 46, count: nameLength)
        guard let name = String(validating: nameBytes, as: UTF8.self) else { throw damaged("an entry name is not UTF-8") }
        let extra = try bytes(at: offset + 46 + UInt64(nameLength), count: extraLength)
        var compressed = UInt64(fixed.u32(20)), uncompressed = UInt64(fixed.u32(24)), header = UInt64(fixed.u32(42))
        try zip64Sizes(extra, compressed: &compressed, uncompressed: &uncompressed, header: &header)
        let flags = fixed.u16(8), method = fixed.u16(10)
        try requireSafe(name, flags: flags, method: method, compressed: compressed, uncompressed: uncompressed)
        let local = try bytes(at: header, count: 30)
        guard local.u32(0) == 0x0403_4b50 else { throw refusal(name, .corruptObject(path: name, detail: "its local header is missing")) }
        let localName = try bytes(at: header + 30, count: Int(local.u16(26)))
        guard localName == nameBytes, local.u16(8) == method else {
            throw refusal(name, .corruptObject(path: name, detail: "its local header names another entry or method"))
        }
        let dataOffset = header + 30 + UInt64(local.u16(26)) + UInt64(local.u16(28))
        guard dataOffset <= size, compressed <= size - dataOffset else {
            throw refusal(name, .corruptObject(path: name, detail: "its \(compressed) bytes run past the end of the archive (a truncated file)"))
        }
        let entry = ZipDirectory.Entry(name: name, method: method, crc32: fixed.u32(16), compressedSize: compressed,
                                       uncompressedSize: uncompressed, dataOffset: dataOffset, headerOffset: header)
        return (entry, next)
    }

    /// Replaces the 32-bit sizes and offset that are `0xFFFFFFFF` by those of the ZIP64 extra
    /// field, which holds them in this order, only those that are.
    private func zip64Sizes(_ extra: [UInt8], compressed: inout UInt64, uncompressed: inout UInt64, header: inout UInt64) throws {
        var position = 0
        while position + 4 <= extra.count {
            let id = extra.u16(position), end = position + 4 + Int(extra.u16(position + 2))
            guard end <= extra.count else { throw damaged("an extra field runs past its entry") }
            if id == 0x0001 {
                var field = position + 4
                func take() throws -> UInt64 {
                    guard field + 8 <= end else { throw damaged("a ZIP64 extra field is too short") }
                    defer { field += 8 }
                    return extra.u64(field)
                }
                if uncompressed == 0xFFFF_FFFF { uncompressed = try take() }
                if compressed == 0xFFFF_FFFF { compressed = try take() }
                if header == 0xFFFF_FFFF { header = try take() }
            }
            position = end
        }
    }

    private func requireSafe(_ name: String, flags: UInt16, method: UInt16, compressed: UInt64, uncompressed: UInt64) throws {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        if name.hasPrefix("/") || name.contains("\\") || parts.contains("..") || name.isEmpty {
            throw refusal(name, .unsafeObject(path: name, kind: "an entry name that leaves the archive (absolute, `..` or `\\`)"))
        }
        if flags & 1 != 0 { throw refusal(name, .unsupportedData(path: name, detail: "the entry is encrypted")) }
        guard method == 0 || method == 8 else {
            throw refusal(name, .unsupportedData(path: name, detail: "compression method \(method) (only stored and deflated entries are read)"))
        }
        if method == 0 && compressed != uncompressed {
            throw refusal(name, .corruptObject(path: name, detail: "a stored entry of \(compressed) bytes that declares \(uncompressed)"))
        }
    }
}

private extension Array where Element == UInt8 {
    func u16(_ at: Int) -> UInt16 { UInt16(self[at]) | UInt16(self[at + 1]) << 8 }
    func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(self[at + $1]) << (8 * UInt32($1)) } }
    func u64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(self[at + $1]) << (8 * UInt64($1)) } }
}
