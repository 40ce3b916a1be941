import Foundation
import HDF5
import NeuralNet

/// Writes a ``SavePlan`` in either Keras layout, through ``SafeFileReplacement``. The one writer
/// behind `Model.saveWeights` (and the CLI's conversions).
enum WeightWriter {
    /// The `keras_version` written to legacy files: the tf-keras release whose layout Heft writes
    /// (a version starting with "1" would make Keras apply Keras-1 conversions on load).
    static let kerasVersion = "2.21.0"
    /// The `backend` attribute written to legacy files.
    static let backend = "tensorflow"

    /// Writes `plan` to a temporary file, runs `check` on it (a conversion's proof that the
    /// result loads as its source did), then moves it over `path`.
    static func write(_ plan: SavePlan, format: WeightFileFormat, to path: String,
                      check: ((_ temporaryPath: String) throws -> Void)? = nil) throws {
        try SafeFileReplacement.replace(path) { temporary in
            try translatingHDF5Errors(file: path) {
                try writeFile(plan, format: format, at: temporary, reportedAs: path)
            }
            try check?(temporary)
        }
    }

    /// Creates, fills and flushes the file; it is closed when this returns.
    private static func writeFile(_ plan: SavePlan, format: WeightFileFormat, at temporary: String, reportedAs path: String) throws {
        let file = try File.create(temporary, overwrite: true)
        let root = try file.root
        var written = WrittenTensors()
        switch format {
        case .kerasLegacy: try writeLegacy(plan, root: root, written: &written, reportedAs: path)
        case .kerasV3: try writeV3(plan, root: root, written: &written)
        }
        try writeManifest(written, on: root)
        try file.flush()
    }

    /// What has been written so far: the first path of each array, and every path's digest.
    struct WrittenTensors {
        var firstPath: [SavePlan.ShareKey: (path: String, digest: String)] = [:]
        var paths: [(path: String, digest: String)] = []
        var bytes = 0
    }

    /// The root manifest, written after every tensor (see ``Integrity``).
    private static func writeManifest(_ written: WrittenTensors, on root: Group) throws {
        let manifest = Integrity.Manifest(tensors: written.paths.count, bytes: written.bytes,
                                          digest: Integrity.manifestDigest(written.paths))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try root.writeString(Integrity.manifestAttribute, String(decoding: try encoder.encode(manifest), as: UTF8.self))
    }

    // MARK: - Legacy

    private static func writeLegacy(_ plan: SavePlan, root: Group, written: inout WrittenTensors, reportedAs path: String) throws {
        let names = plan.legacyLayers.map(\.name)
        if let duplicate = Dictionary(grouping: names, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw CheckpointError(file: path, .unsupportedModel("two layers are named '\(duplicate)'"))
        }
        try root.writeString("backend", backend)
        try root.writeString("keras_version", kerasVersion)
        try root.writeChunkedStrings("layer_names", names)
        // Groups are created in name order, as Keras does, so a name that is a path prefix of another
        // ("fire2" before "fire2/squeeze") exists first.
        for layer in plan.legacyLayers.sorted(by: { $0.name < $1.name }) {
            let group = try root.createGroup(layer.name)
            try writeWeightNames(layer.weights.map(\.name), on: group)
            for weight in layer.weights {
                try writeDataset(weight, at: layer.name + "/" + weight.name, in: root, written: &written)
            }
        }
        let topLevel = try root.createGroup("top_level_model_weights")
        try writeWeightNames(plan.legacyTopLevel.map(\.name), on: topLevel)
        for weight in plan.legacyTopLevel {
            try writeDataset(weight, at: "top_level_model_weights/" + weight.name, in: root, written: &written)
        }
    }

    private static func writeWeightNames(_ names: [String], on group: Group) throws {
        if names.isEmpty {
            try group.writeEmptyFloat64Array("weight_names")
        } else {
            try group.writeChunkedStrings("weight_names", names)
        }
    }

    // MARK: - Keras 3

    private static func writeV3(_ plan: SavePlan, root: Group, written: inout WrittenTensors) throws {
        for object in plan.v3Objects {
            let varsPath = object.path.isEmpty ? "vars" : object.path + "/vars"
            let vars = try root.createGroup(varsPath)
            if let name = object.path.isEmpty ? plan.modelName : object.layerName { try vars.writeString("name", name, encoding: .utf8) }
            for (index, weight) in object.weights.enumerated() {
                try writeDataset(weight, at: "\(varsPath)/\(index)", in: root, written: &written)
            }
        }
        if !plan.v3Objects.contains(where: { $0.path.isEmpty }) {
            try root.createGroup("vars").writeString("name", plan.modelName, encoding: .utf8)
        }
        try writeAttributeAliases(plan.v3Objects, root: root, written: &written)
    }

    /// Writes each object that sits on an attribute Keras spells two ways (MultiHeadAttention's
    /// `query_dense`, which tf-keras and Keras 3's GroupQueryAttention read as `_query_dense`) also
    /// under the other spelling, as hard links to the same datasets: the file then loads in both
    /// Keras lines, and readers see one variable (the same dataset).
    private static func writeAttributeAliases(_ objects: [SavePlan.V3Object], root: Group, written: inout WrittenTensors) throws {
        let paths = Set(objects.map(\.path))
        let digests = Dictionary(written.paths.map { ($0.path, $0.digest) }, uniquingKeysWith: { first, _ in first })
        var created = Set<String>()
        for object in objects where !object.path.isEmpty {
            let parts = object.path.split(separator: "/").map(String.init)
            for (position, part) in parts.enumerated() where position > 0 {
                for alias in KerasCatalog.attributeAliases[part] ?? [] {
                    var spelled = parts
                    spelled[position] = alias
                    let aliasPath = spelled.joined(separator: "/")
                    guard !paths.contains(aliasPath), created.insert(aliasPath).inserted else { continue }
                    let vars = try root.createGroup(aliasPath + "/vars")
                    if let name = object.layerName { try vars.writeString("name", name, encoding: .utf8) }
                    for index in object.weights.indices {
                        let original = "/\(object.path)/vars/\(index)"
                        try root.createHardLink("\(aliasPath)/vars/\(index)", to: original)
                        written.paths.append(("/\(aliasPath)/vars/\(index)", digests[original] ?? ""))
                    }
                }
            }
        }
    }

    // MARK: - Data

    /// Writes the weight's values at `path` with their SHA-256 as the dataset's
    /// ``Integrity/digestAttribute``, or a hard link to the path that already holds them.
    private static func writeDataset(_ weight: SavePlan.Weight, at path: String, in root: Group,
                                     written: inout WrittenTensors) throws {
        if let first = written.firstPath[weight.shareKey] {
            try root.createHardLink(path, to: first.path)
            written.paths.append(("/" + path, first.digest))
            return
        }
        let dataset = try root.createDataset(path, type: weight.dtype.elementType, shape: weight.shape)
        let digest: String
        switch weight.source {
        case .tensor(let value):
            let tensor = try value()
            digest = try tensor.withUnsafeBytes { bytes in
                try Integrity.digest(bytes) { try dataset.write(from: bytes, as: tensor.dtype.elementType) }
            }
        case let .file(source, entry):
            digest = try copy(entry, of: source, to: dataset)
        }
        try weight.checkDigest?(digest)
        try dataset.writeString(Integrity.digestAttribute, digest)
        written.firstPath[weight.shareKey] = ("/" + path, digest)
        written.paths.append(("/" + path, digest))
        written.bytes += weight.shape.reduce(weight.dtype.byteCount, *)
    }

    /// Copies a tensor of another file into `dataset` in blocks of rows (see ``ChunkReader``),
    /// hashing each block on a second thread while the next is read and this one written: memory
    /// stays at two blocks whatever the tensor's size or compression. Returns the SHA-256.
    private static func copy(_ entry: WeightEntry, of source: WeightFile, to dataset: Dataset) throws -> String {
        try source.requireReadable(entry, holding: nil)
        let reader = try translatingHDF5Errors(file: source.path) { try ChunkReader(file: source, weight: entry) }
        let blocks = reader.blocks
        if blocks.count == 1 {   // one block: hashed here, a thread hand-off would cost more
            return try withBuffer(reader.bufferBytes) { buffer in
                let bytes = try translatingHDF5Errors(file: source.path) { try reader.read(blocks[0], into: buffer) }
                try write(bytes, block: blocks[0], of: entry, to: dataset)
                return Integrity.digest(bytes)
            }
        }
        let hashing = BlockHasher()
        try withBuffer(2 * reader.bufferBytes) { buffers in
            defer { hashing.finish() }   // the hashing thread reads `buffers`: done before they are freed
            for (index, block) in blocks.enumerated() {
                let half = index % 2 == 0 ? 0..<reader.bufferBytes : reader.bufferBytes..<(2 * reader.bufferBytes)
                hashing.waitUntilHashed(upTo: index - 2)   // the half's previous block is hashed: reuse it
                let bytes = try translatingHDF5Errors(file: source.path) {
                    try reader.read(block, into: UnsafeMutableRawBufferPointer(rebasing: buffers[half]))
                }
                hashing.hash(bytes, index: index)
                try write(bytes, block: block, of: entry, to: dataset)
            }
        }
        return hashing.finish()
    }

    /// Writes one block of rows (the whole tensor for a scalar or a single block).
    private static func write(_ bytes: UnsafeRawBufferPointer, block: (row: Int, count: Int), of entry: WeightEntry,
                              to dataset: Dataset) throws {
        if entry.shape.isEmpty || (block.row == 0 && block.count == entry.shape[0]) {
            try dataset.write(from: bytes, as: entry.dtype.elementType)
        } else {
            let rest = entry.shape.dropFirst()
            try dataset.write(from: bytes, as: entry.dtype.elementType, offset: [block.row] + rest.map { _ in 0 },
                              count: [block.count] + rest)
        }
    }
}
