#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import HDF5
import SystemPackage
import ZIPFoundation

extension ContainerKind {
    /// A Keras 3 `.keras` archive: a zip of `metadata.json`, `config.json` and `model.weights.h5`.
    public static let kerasArchive = ContainerKind(rawValue: "keras-archive")
}

/// A Keras 3 `.keras` archive (`model.save("m.keras")`). Its `model.weights.h5` is read in place
/// when it is stored uncompressed, as Keras writes it (an HDF5 file in a byte range of the zip,
/// through `HDF5.File.open(_:byteRange:)`); a deflated one (other writers) is inflated, streamed and
/// checked against its declared size and CRC, into an anonymous temporary file. `config.json` gives
/// the layer classes to the Keras catalog. Writing puts a plan's weights into a model config and
/// metadata taken from another archive (see ``SavePlan/archive``).
enum KerasArchiveContainer: ContainerFormat {
    /// The archive's entries Heft reads.
    static let weightsEntry = "model.weights.h5", configEntry = "config.json", metadataEntry = "metadata.json"

    /// A zip: the local-header signature `PK\3\4` (or the end record of an empty zip).
    static func recognizes(_ probe: ContainerProbe) throws -> Bool {
        let head = try probe.bytes(at: 0, count: 4)
        return head == [0x50, 0x4B, 0x03, 0x04] || head == [0x50, 0x4B, 0x05, 0x06]
    }

    static func open(_ path: String, options: OpenOptions) throws -> any TensorContainer {
        let probe = ContainerProbe(path)
        options.observer?.reading("the zip directory", in: path)
        let directory = try ZipDirectory(probe)
        guard let weights = directory.entry(weightsEntry) else { throw notKerasArchive(path, directory) }
        let config = try directory.entry(configEntry).map { try text(of: $0, in: probe, limit: options.limits.maximumAttributeBytes) }
        let metadata = try directory.entry(metadataEntry).map { try text(of: $0, in: probe, limit: 1 << 20) }
        options.observer?.reading(weightsEntry, in: path)
        let file: File
        let placement: (start: UInt64, fileSize: UInt64)
        if weights.isStored {
            file = try translatingHDF5Errors(file: path) { try File.open(path, byteRange: weights.data) }
            placement = (weights.data.lowerBound, try probe.fileSize())
        } else {
            file = try inflated(weights, of: probe, limits: options.limits)
            placement = (0, weights.uncompressedSize)
        }
        return try HDF5Container(path: path, file: file, byteSize: weights.uncompressedSize, kind: .kerasArchive,
                                 placement: placement, modelConfig: config, archiveMetadata: metadata, options: options)
    }

    static func writes(to path: String) -> Bool {
        path.hasSuffix(".keras")
    }

    static func write(_ plan: SavePlan, layout: WeightFileFormat, to path: String,
                      check: ((_ written: String) throws -> Void)?) throws {
        try KerasArchiveWriter.write(plan, layout: layout, to: path, check: check)
    }

    // MARK: - Entries

    /// The text of a small entry (the config, the metadata), at most `limit` bytes, inflated if need be.
    private static func text(of entry: ZipDirectory.Entry, in probe: ContainerProbe, limit: Int) throws -> String {
        guard entry.uncompressedSize <= UInt64(limit) else {
            throw CheckpointError(file: probe.path, .limitExceeded(path: entry.name,
                detail: "\(entry.uncompressedSize) bytes, more than \(limit) (ReadLimits.maximumAttributeBytes)"))
        }
        var bytes: [UInt8] = []
        try stream(entry, of: probe, maximumBytes: UInt64(limit)) { bytes += $0 }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CheckpointError(file: probe.path, .corruptObject(path: entry.name, detail: "not UTF-8 text"))
        }
        return text
    }

    /// Inflates a deflated weights entry into a temporary file and opens it; the file is removed
    /// from its directory as soon as libhdf5 holds it open, so it lives only as long as the
    /// container (and is gone even if the process is killed afterwards).
    private static func inflated(_ entry: ZipDirectory.Entry, of probe: ContainerProbe, limits: ReadLimits) throws -> File {
        let limit = UInt64(limits.maximumTensorBytes)
        guard entry.uncompressedSize <= limit else {
            throw CheckpointError(file: probe.path, .limitExceeded(path: entry.name,
                detail: "it inflates to \(entry.uncompressedSize) bytes, more than the \(limit)-byte limit (ReadLimits.maximumTensorBytes)"))
        }
        let directory = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array("\(directory)/.heft-inflated-XXXXXX".utf8CString)
        let descriptor = try template.withUnsafeMutableBufferPointer { buffer in
            try SystemCall.check { mkstemp(buffer.baseAddress!) }
        }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(temporary) }
        do {
            defer { close(descriptor) }
            try stream(entry, of: probe, maximumBytes: limit) { chunk in
                try chunk.withUnsafeBytes { bytes in
                    var done = 0
                    while done < bytes.count {
                        done += try SystemCall.check { Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done) }
                    }
                }
            }
        } catch let error as Errno {
            throw error.checkpointError(file: probe.path, "cannot inflate \(entry.name) into \(directory)")
        }
        return try translatingHDF5Errors(file: probe.path) { try File.open(temporary) }
    }

    /// Calls `consume` with the entry's uncompressed bytes in order, checking that they are exactly
    /// its declared size (at most `maximumBytes`), that deflated data inflates at most 1000:1 past
    /// 64 MiB (a zip bomb), and the CRC-32.
    private static func stream(_ entry: ZipDirectory.Entry, of probe: ContainerProbe, maximumBytes: UInt64,
                               _ consume: ([UInt8]) throws -> Void) throws {
        let file = probe.path
        let bomb = entry.uncompressedSize > 64 << 20 && entry.uncompressedSize / max(1, entry.compressedSize) > 1000
        if bomb || entry.uncompressedSize > maximumBytes {
            throw CheckpointError(file: file, .limitExceeded(path: entry.name,
                detail: "\(entry.compressedSize) stored bytes declare \(entry.uncompressedSize) (a zip bomb, or more than \(maximumBytes) bytes)"))
        }
        var produced: UInt64 = 0
        let checksum: UInt32
        if entry.isStored {
            var position: UInt64 = 0
            var crc = CRC32(0)
            while position < entry.compressedSize {
                let count = Int(min(1 << 20, entry.compressedSize - position))
                let chunk = try probe.bytes(at: entry.dataOffset + position, count: count)
                crc = Data(chunk).crc32(checksum: crc)
                try consume(chunk)
                position += UInt64(count)
            }
            produced = position
            checksum = crc
        } else {
            do {
                checksum = try Data.decompress(size: Int64(entry.uncompressedSize), bufferSize: 1 << 16, skipCRC32: false,
                    provider: { position, size in
                        guard UInt64(position) < entry.compressedSize else {
                            throw CheckpointError(file: file, .corruptObject(path: entry.name, detail: "the deflated data ends early"))
                        }
                        let count = Int(min(UInt64(size), entry.compressedSize - UInt64(position)))
                        return Data(try probe.bytes(at: entry.dataOffset + UInt64(position), count: count))
                    }, consumer: { chunk in
                        produced += UInt64(chunk.count)
                        guard produced <= entry.uncompressedSize else {
                            throw CheckpointError(file: file, .corruptObject(path: entry.name,
                                detail: "inflates past its declared \(entry.uncompressedSize) bytes (a zip bomb or a damaged archive)"))
                        }
                        try consume(Array(chunk))
                    })
            } catch let error as CheckpointError {
                throw error
            } catch {
                throw CheckpointError(file: file, .corruptObject(path: entry.name, detail: "the deflated data is damaged (\(error))"))
            }
        }
        guard produced == entry.uncompressedSize, checksum == entry.crc32 else {
            throw CheckpointError(file: file, .corruptObject(path: entry.name,
                detail: produced == entry.uncompressedSize ? "its CRC-32 does not match (damaged)" : "\(produced) bytes where \(entry.uncompressedSize) are declared"))
        }
    }

    /// Why a zip without `model.weights.h5` is not read: what it seems to be instead.
    private static func notKerasArchive(_ path: String, _ directory: ZipDirectory) -> CheckpointError {
        let names = directory.entries.map(\.name)
        let what: String
        if names.contains("model.weights.npz") {
            what = "a .keras archive whose weights are model.weights.npz (NumPy), which Heft does not read"
        } else if names.contains(where: { $0.hasSuffix("/data.pkl") || $0 == "data.pkl" }) {
            what = "a PyTorch checkpoint (a zip holding data.pkl), not Keras weights"
        } else if !names.isEmpty && names.allSatisfy({ $0.hasSuffix(".npy") }) {
            what = "a NumPy .npz archive, not Keras weights"
        } else {
            what = "a zip archive without model.weights.h5, not a Keras .keras archive"
        }
        return CheckpointError(file: path, .notAWeightsFile(what))
    }
}
