import Foundation
import HDF5
import NeuralNet

import Foundation
import NeuralNet

/// Writes a ``SavePlan`` in either Keras layout to a ``WeightTreeSink``: the one writer behind
/// `Model.saveWeights` and conversions, whatever the container. A parameter shared by several
/// layers (or a dataset a converted file links twice) is written once and linked.
enum WeightWriter {
    /// The `keras_version` written to legacy files: the tf-keras release whose layout Heft writes
    /// (a version starting with "1" would make Keras apply Keras-1 conversions on load).
    static let kerasVersion = "2.21.0"
    /// The `backend` attribute written to legacy files.
    static let backend = "tensorflow"

    /// Writes `plan` to the container format `path` names (see ``ContainerRegistry``), committed
    /// atomically; `check` runs on the written result before it replaces anything at `path`.
    ///
    /// - Throws: ``CheckpointError`` naming `path`, or what `check` throws.
    static func write(_ plan: SavePlan, format: WeightFileFormat, to path: String,
                      check: ((_ written: String) throws -> Void)? = nil) throws {
        try ContainerRegistry.format(writing: path).write(plan, layout: format, to: path, check: check)
    }

    /// Writes every tensor of `plan` in `layout`, then the manifest.
    static func write(_ plan: SavePlan, layout: WeightFileFormat, to sink: some WeightTreeSink) throws {
        let written = try writeTensors(plan, layout: layout, to: sink)
        try sink.writeManifest(manifestText(written.paths, bytes: written.bytes, algorithm: plan.digestAlgorithm))
    }

    /// Writes every tensor of `plan` in `layout` and returns each path with its digest. Only the
    /// arrays in `owned` (all when `nil`) that the sink takes (``TensorWriter/writesData``) are
    /// read and written; the others are created in the sink and get the digest `""`.
    static func writeTensors(_ plan: SavePlan, layout: WeightFileFormat, to sink: some WeightTreeSink,
                             owned: Set<SavePlan.ShareKey>? = nil) throws -> WrittenTensors {
        var written = WrittenTensors(progress: plan.progress, algorithm: plan.digestAlgorithm, owned: owned)
        switch layout {
        case .kerasLegacy: try writeLegacy(plan, to: sink, written: &written)
        case .kerasV3: try writeV3(plan, to: sink, written: &written)
        }
        return written
    }

    /// The manifest (see ``Integrity/Manifest``) of the tensors at `paths`, `bytes` in all, as JSON text.
    static func manifestText(_ paths: [(path: String, digest: String)], bytes: Int, algorithm: DigestAlgorithm) throws -> String {
        let manifest = Integrity.Manifest(tensors: paths.count, bytes: bytes, digest: Integrity.manifestDigest(paths), algorithm: algorithm)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(manifest), as: UTF8.self)
    }

    /// What has been written so far: the first path of each array, and every path's digest.
    struct WrittenTensors {
        var firstPath: [SavePlan.ShareKey: (path: String, digest: String)] = [:]
        var paths: [(path: String, digest: String)] = []
        var bytes = 0
        /// The plan's progress feed (see ``SavePlan/progress``).
        var progress: ((Int) -> Void)?
        /// The checksum stored with each tensor.
        var algorithm: DigestAlgorithm
        /// The arrays read and written (all when `nil`).
        var owned: Set<SavePlan.ShareKey>?
    }

    // MARK: - Legacy

    private static func writeLegacy(_ plan: SavePlan, to sink: some WeightTreeSink, written: inout WrittenTensors) throws {
        let names = plan.legacyLayers.map(\.name)
        if let duplicate = Dictionary(grouping: names, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw CheckpointError(file: sink.path, .unsupportedModel("two layers are named '\(duplicate)'"))
        }
        // A full model keeps its config and Keras's version on the root, the weights in `model_weights`.
        var base = ""
        if let config = plan.fullModelConfig {
            try sink.writeText("backend", backend, on: "", unicode: false)
            try sink.writeText("keras_version", kerasVersion, on: "", unicode: false)
            try sink.writeText("model_config", config, on: "", unicode: true)
            try sink.createGroup("model_weights")
            base = "model_weights/"
        }
        let group = base.isEmpty ? "" : String(base.dropLast())
        try sink.writeText("backend", backend, on: group, unicode: false)
        try sink.writeText("keras_version", kerasVersion, on: group, unicode: false)
        try sink.writeNames("layer_names", names, on: group)
        // Groups are created in name order, as Keras does, so a name that is a path prefix of another
        // ("fire2" before "fire2/squeeze") exists first.
        for layer in plan.legacyLayers.sorted(by: { $0.name < $1.name }) {
            try sink.createGroup(base + layer.name)
            try sink.writeNames("weight_names", layer.weights.map(\.name), on: base + layer.name)
            for weight in layer.weights {
                try writeTensor(weight, at: base + layer.name + "/" + weight.name, to: sink, written: &written)
            }
        }
        try sink.createGroup(base + "top_level_model_weights")
        try sink.writeNames("weight_names", plan.legacyTopLevel.map(\.name), on: base + "top_level_model_weights")
        for weight in plan.legacyTopLevel {
            try writeTensor(weight, at: base + "top_level_model_weights/" + weight.name, to: sink, written: &written)
        }
    }

    // MARK: - Keras 3

    private static func writeV3(_ plan: SavePlan, to sink: some WeightTreeSink, written: inout WrittenTensors) throws {
        for object in plan.v3Objects {
            let varsPath = object.path.isEmpty ? "vars" : object.path + "/vars"
            try sink.createGroup(varsPath)
            if let name = object.path.isEmpty ? plan.modelName : object.layerName {
                try sink.writeText("name", name, on: varsPath, unicode: true)
            }
            for (index, weight) in object.weights.enumerated() {
                try writeTensor(weight, at: "\(varsPath)/\(index)", to: sink, written: &written)
            }
        }
        if !plan.v3Objects.contains(where: { $0.path.isEmpty }) {
            try sink.createGroup("vars")
            try sink.writeText("name", plan.modelName, on: "vars", unicode: true)
        }
        try writeAttributeAliases(plan.v3Objects, to: sink, written: &written)
    }

    /// Writes each object that sits on an attribute Keras spells two ways (MultiHeadAttention's
    /// `query_dense`, which tf-keras and Keras 3's GroupQueryAttention read as `_query_dense`) also
    /// under the other spelling, as links to the same tensors: the file then loads in both Keras
    /// lines, and readers see one variable (the same tensor).
    private static func writeAttributeAliases(_ objects: [SavePlan.V3Object], to sink: some WeightTreeSink,
                                              written: inout WrittenTensors) throws {
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
                    try sink.createGroup(aliasPath + "/vars")
                    if let name = object.layerName { try sink.writeText("name", name, on: aliasPath + "/vars", unicode: true) }
                    for index in object.weights.indices {
                        let original = "/\(object.path)/vars/\(index)"
                        try sink.link("\(aliasPath)/vars/\(index)", to: original)
                        written.paths.append(("/\(aliasPath)/vars/\(index)", digests[original] ?? ""))
                    }
                }
            }
        }
    }

    // MARK: - Data

    /// Writes the weight's values at `path` with their digest (see ``Integrity``), or a link to
    /// the path that already holds them.
    private static func writeTensor(_ weight: SavePlan.Weight, at path: String, to sink: some WeightTreeSink,
                                    written: inout WrittenTensors) throws {
        if let first = written.firstPath[weight.shareKey] {
            try sink.link(path, to: first.path)
            written.paths.append(("/" + path, first.digest))
            return
        }
        let tensorWriter = try sink.createTensor(path, dtype: weight.dtype, shape: weight.shape)
        let bytes = weight.shape.reduce(weight.dtype.byteCount, *)
        guard tensorWriter.writesData, written.owned?.contains(weight.shareKey) ?? true else {   // another process writes it
            written.firstPath[weight.shareKey] = ("/" + path, "")
            written.paths.append(("/" + path, ""))
            written.bytes += bytes
            return
        }
        let digest: String
        switch weight.source {
        case .tensor(let value):
            let tensor = try value()
            digest = try tensor.withUnsafeBytes { bytes in
                try Integrity.digest(bytes, written.algorithm) { try tensorWriter.write(bytes, rows: nil) }
            }
        case let .file(source, entry):
            let stored = weight.checksSourceDigest ? try source.storedDigest(of: entry) : nil
            let digests = try copy(entry, of: source, to: tensorWriter, algorithms: Set([written.algorithm] + [stored?.algorithm].compactMap { $0 }))
            if let stored { try source.requireDigest(digests[stored.algorithm]!, matches: stored, for: entry) }
            digest = digests[written.algorithm]!
        }
        try tensorWriter.storeDigest(digest)
        written.firstPath[weight.shareKey] = ("/" + path, digest)
        written.paths.append(("/" + path, digest))
        written.bytes += bytes
        written.progress?(bytes)
    }

    /// Copies a tensor of another file in blocks of rows (see ``ChunkReader``), hashing each block
    /// on a second thread while the next is read and this one written: memory stays at two blocks
    /// whatever the tensor's size or compression. Returns the digest text in each of `algorithms`.
    private static func copy(_ entry: WeightEntry, of source: WeightFile, to tensorWriter: any TensorWriter,
                             algorithms: Set<DigestAlgorithm>) throws -> [DigestAlgorithm: String] {
        try source.requireReadable(entry, holding: nil)
        let reader = try ChunkReader(file: source, weight: entry)
        let blocks = reader.blocks
        if blocks.count == 1 {   // one block: hashed here, a thread hand-off would cost more
            return try withBuffer(reader.bufferBytes) { buffer in
                let bytes = try reader.read(blocks[0], into: buffer)
                try tensorWriter.write(bytes, rows: rows(of: blocks[0], in: entry))
                return Dictionary(uniqueKeysWithValues: algorithms.map { ($0, Integrity.digest(bytes, $0)) })
            }
        }
        let hashing = BlockHasher(algorithms)
        try withBuffer(2 * reader.bufferBytes) { buffers in
            defer { hashing.finish() }   // the hashing thread reads `buffers`: done before they are freed
            for (index, block) in blocks.enumerated() {
                let half = index % 2 == 0 ? 0..<reader.bufferBytes : reader.bufferBytes..<(2 * reader.bufferBytes)
                hashing.waitUntilHashed(upTo: index - 2)   // the half's previous block is hashed: reuse it
                let bytes = try reader.read(block, into: UnsafeMutableRawBufferPointer(rebasing: buffers[half]))
                hashing.hash(bytes, index: index)
                try tensorWriter.write(bytes, rows: rows(of: block, in: entry))
            }
        }
        return hashing.finish()
    }

    /// The rows a block covers, or `nil` for a scalar.
    private static func rows(of block: (row: Int, count: Int), in entry: WeightEntry) -> Range<Int>? {
        entry.shape.isEmpty ? nil : block.row..<(block.row + block.count)
    }
}
