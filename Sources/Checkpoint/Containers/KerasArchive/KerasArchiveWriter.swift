#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import ZIPFoundation

/// Writes a `.keras` archive as Keras 3 does: `metadata.json`, `config.json` and `model.weights.h5`,
/// all stored uncompressed, in that order (ZIPFoundation writes the zip). The weights are written
/// by ``WeightWriter`` to a temporary HDF5 file in the Keras 3 layout, then copied into the
/// archive; the archive replaces its target atomically (``SafeFileReplacement``).
enum KerasArchiveWriter {
    /// - Throws: ``CheckpointError`` naming `path`: the plan has no model config (an archive needs
    ///   one), the layout is not Keras 3's, or a write failed; or what `check` throws.
    static func write(_ plan: SavePlan, layout: WeightFileFormat, to path: String,
                      check: ((_ written: String) throws -> Void)?) throws {
        guard let archive = plan.archive else {
            throw CheckpointError(file: path, .unsupportedModel("a .keras archive holds the model's config, which these weights "
                + "do not carry: convert like a .keras archive of the same model (--like REF.keras)"))
        }
        guard layout == .kerasV3 else {
            throw CheckpointError(file: path, .unsupportedModel("a .keras archive holds its weights in the Keras 3 layout, not \(layout)"))
        }
        try SafeFileReplacement.replace(path) { temporary in
            let weights = temporary + ".weights.h5"
            defer { unlink(weights) }
            try translatingHDF5Errors(file: path) {
                let sink = try HDF5TreeSink(creating: weights, reportedAs: path)
                try WeightWriter.write(plan, layout: .kerasV3, to: sink)
                try sink.finish()
            }
            try zip(metadata: metadata(archive.metadata), config: archive.config, weights: weights, into: temporary, for: path)
            try check?(temporary)
        }
    }

    /// The reference archive's metadata with today's `date_saved`, as Keras writes it on a save
    /// (metadata that is not a JSON object is replaced by Keras's two fields).
    private static func metadata(_ text: String) -> String {
        var object: [String: Any] = [:]
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
        } catch {
            object = [:]   // not JSON: the two fields Keras writes take its place
        }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd@HH:mm:ss"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        object["date_saved"] = formatter.string(from: Date())
        if object["keras_version"] == nil { object["keras_version"] = "3.15.1" }
        do {
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        } catch {
            return #"{"keras_version": "3.15.1"}"#   // unreachable: the object holds only JSON values read from JSON
        }
    }

    private static func zip(metadata: String, config: String, weights: String, into archivePath: String, for path: String) throws {
        do {
            let archive = try Archive(url: URL(fileURLWithPath: archivePath), accessMode: .create)
            for (name, text) in [(KerasArchiveContainer.metadataEntry, metadata), (KerasArchiveContainer.configEntry, config)] {
                let bytes = Data(text.utf8)
                try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .none) { position, size in
                    bytes.subdata(in: Int(position)..<(Int(position) + size))
                }
            }
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: weights))
            defer { try? handle.close() }   // read-only: closing cannot lose data
            let size = try handle.seekToEnd()
            try archive.addEntry(with: KerasArchiveContainer.weightsEntry, type: .file, uncompressedSize: Int64(size),
                                 compressionMethod: .none, bufferSize: 1 << 20) { position, size in
                try handle.seek(toOffset: UInt64(position))
                return try handle.read(upToCount: size) ?? Data()
            }
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError(file: path, .io("cannot write the zip archive: \(error); the previous file is intact"))
        }
    }
}
