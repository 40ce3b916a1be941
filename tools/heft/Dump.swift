import ArgumentParser
import Checkpoint
import Cluster
import Inspection
import Foundation
import NeuralNet

extension Heft {
    /// `heft dump FILE`: the layout, Keras attributes, layers and weights, with optional statistics,
    /// hashes and values.
    struct Dump: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a weights file: layout, Keras version, layers and weights.",
            discussion: """
                Each weight: name, HDF5 path, shape, dtype, size, and "shared with <path>" for hard links. \
                A plain HDF5 file that is not a weights file is shown as a generic tree (format "hdf5"). \
                --textconv prints a stable text for git (no path; weights in identity order with a \
                SHA-256 each), so that git diff shows which tensors of a committed checkpoint changed.

                Examples:
                  heft dump model.weights.h5
                  heft dump model.keras --stats --layer 'dense*'
                  heft dump model.h5 --hash --json
                  heft dump model.safetensors --values
                  git config diff.heft.textconv 'heft dump --textconv'
                """)

        @Argument(help: "The weights file (.h5, .hdf5 or .weights.h5, either layout).")
        var file: String

        @Flag(help: "Add min, max, mean, std (of the finite values) and NaN/Inf/zero counts per tensor.")
        var stats = false

        @Flag(help: "Add the SHA-256 of each tensor's canonical little-endian bytes.")
        var hash = false

        @Flag(help: "Print each tensor's values numpy-style (summarised past 1000 elements).")
        var values = false

        @Flag(help: "With --values: print every element.")
        var full = false

        @Flag(help: "Stable text for git's textconv: no file path, weights in identity order, a SHA-256 per tensor.")
        var textconv = false

        @Option(name: .customLong("layer"), help: ArgumentHelp("Only layers whose name matches this glob (repeatable).", valueName: "glob"))
        var layerGlobs: [String] = []

        @OptionGroup var output: OutputOptions
        @OptionGroup var reader: ReaderOptions

        func validate() throws {
            if full && !values { throw ValidationError("--full needs --values") }
            if textconv && (output.resolved != .text || stats || values) {
                throw ValidationError("--textconv prints its own stable text; it takes no --format, --json, --stats or --values")
            }
        }

        func run() throws {
            guard let cluster = try ClusterRun.current(timeout: .seconds(reader.timeout + 60)) else { return try dump() }
            guard (stats || hash) && !textconv else { return try cluster.runOnRankZero { try dump() } }
            // Under mpirun: each rank summarises its share of the tensors (by bytes), rank 0 dumps.
            let parts = try cluster.gatherParts("dump", reader, output, files: [file], readingDigests: false) { rank, size, open in
                let weightFile: WeightFile
                do {
                    weightFile = try open(file)
                } catch let error as CheckpointError {
                    guard case .notAWeightsFile = error.reason, HDF5Listing.isHDF5(path: file) else { throw error }
                    return []   // rank 0 lists the generic tree
                }
                let entries = summarised(weightFile)
                let share = Partition.contiguous(sizes: entries.map(\.storageSize), parts: size)[rank]
                let summaries = try weightFile.summaries(of: Array(entries[share]), statistics: stats, sha256: hash)
                return try PartCoding.encode(summaries.map { WeightFile.SummaryRecord(storageID: $0.key, summary: $0.value) })
            }
            try cluster.finish(parts.map { parts in
                {
                    var merged: [UInt64: WeightFile.Summary] = [:]
                    for part in parts where !part.isEmpty {
                        for record in try PartCoding.decode([WeightFile.SummaryRecord].self, from: part) { merged[record.storageID] = record.summary }
                    }
                    try dump(summaries: merged)
                }
            })
        }

        /// Dumps the file as one process does, with the summaries `given` when they were made elsewhere.
        private func dump(summaries given: [UInt64: WeightFile.Summary]? = nil) throws {
            try runWithExitCode("dump", reader, output, files: [file]) { open in
                let weightFile: WeightFile
                do {
                    weightFile = try open(file)
                } catch let error as CheckpointError {
                    // An HDF5 file in neither Keras layout is listed as a generic tree.
                    guard case .notAWeightsFile = error.reason, HDF5Listing.isHDF5(path: file) else { throw error }
                    try output.publish(GenericReport(document: GenericDocument(schema: jsonSchemaVersion, file: file, format: "hdf5",
                                                                               objects: try HDF5Listing.list(path: file))))
                    return 0
                }
                if textconv {
                    try printTextconv(weightFile)
                    return 0
                }
                try output.publish(DumpReport(document: try makeDocument(weightFile, summaries: given), stats: stats, hash: hash))
                return 0
            }
        }

        /// The `--textconv` text: what git compares between two versions of a committed checkpoint.
        /// No path (git passes a temporary file), no timing or sizes that depend on the writer: the
        /// format, then one line per tensor in identity order — identity, shape, dtype, SHA-256 of its
        /// canonical bytes.
        func printTextconv(_ weightFile: WeightFile) throws {
            let view = weightFile.kerasView()
            let variables = (view.variables + (view.optimizer?.variables ?? []) + view.metrics).sorted { $0.identity < $1.identity }
            print("heft dump --textconv: \(weightFile.formatName) (\(weightFile.format.rawValue) layout), \(variables.count) tensors")
            for variable in variables {
                let entry = variable.entry
                print("\(shown(variable.identity))  \(formatShape(entry.shape)) \(entry.dtype.rawValue)  sha256:\(try weightFile.sha256(of: entry))")
            }
        }

        // MARK: - Document

        /// The layers `--layer` selects.
        private func selectedLayers(of view: KerasModelView) -> [KerasModelView.Layer] {
            view.layers.filter { layer in layerGlobs.isEmpty || layerGlobs.contains { WeightDiff.glob($0, layer.name) } }
        }

        /// Every tensor `--stats` and `--hash` summarise, each distinct dataset once, in the dump's
        /// order: the selected layers', the optimizer's and metrics', then the model's own.
        func summarised(_ weightFile: WeightFile) -> [WeightEntry] {
            let view = weightFile.kerasView()
            let variables = selectedLayers(of: view).flatMap(\.variables) + (view.optimizer?.variables ?? []) + view.metrics + view.modelVariables
            var seen = Set<UInt64>()
            return variables.map(\.entry).filter { seen.insert($0.storageID).inserted }
        }

        /// The dump of `weightFile`; with `--stats` or `--hash`, the summaries of ``summarised(_:)``
        /// are `given` (under mpirun, by every rank) or computed here.
        func makeDocument(_ weightFile: WeightFile, summaries given: [UInt64: WeightFile.Summary]? = nil) throws -> DumpDocument {
            let progress = Progress("heft dump")
            defer { progress.finish() }
            let view = weightFile.kerasView()
            let layers = selectedLayers(of: view)
            let state = (view.optimizer?.variables ?? []) + view.metrics
            // A dataset's other paths count as shared only when they are other variables of the view (a
            // tie), not a second spelling of the same variable.
            let viewPaths = Set(view.variables.map(\.entry.path) + state.map(\.entry.path))
            let total = (layers.flatMap(\.variables) + state).reduce(0) { $0 + $1.entry.storageSize }
            // Statistics and hashes in one concurrent pass over every tensor shown; values as each is described.
            let summaries = try given ?? (stats || hash
                ? weightFile.summaries(of: summarised(weightFile), statistics: stats, sha256: hash, progress: values ? nil : progress.update)
                : [:])
            var done = 0
            func described(_ variables: [KerasModelView.Variable], below prefix: String) throws -> [DumpDocument.Weight] {
                try variables.map { variable in
                    defer { if values { done += variable.entry.storageSize; progress.update(done, total) } }
                    return try describe(variable, below: prefix, in: weightFile, sharedPaths: viewPaths, summary: summaries[variable.entry.storageID])
                }
            }
            let dumped = try layers.map { layer in
                DumpDocument.Layer(name: layer.name, className: layer.className, path: layer.path,
                                   weights: try described(layer.variables, below: layer.name + "/"))
            }
            let optimizer = try view.optimizer.map { state in
                DumpDocument.State(className: state.className, weights: try described(state.variables, below: "optimizer/"))
            }
            let metrics = view.metrics.isEmpty ? nil : DumpDocument.State(className: nil, weights: try described(view.metrics, below: ""))
            return DumpDocument(schema: jsonSchemaVersion, file: file, format: weightFile.formatName, layout: weightFile.format.rawValue,
                                kerasVersion: try weightFile.kerasVersion(), backend: try weightFile.backend(),
                                writer: writer(of: weightFile),
                                fullModel: weightFile.isFullModel, layers: dumped,
                                topLevelWeights: try described(view.modelVariables, below: ""), optimizer: optimizer, metrics: metrics)
        }

        /// What wrote the file, from its manifest. A manifest that does not parse is `verify`'s to
        /// report (as an integrity failure); the dump shows the rest of the file.
        func writer(of weightFile: WeightFile) -> String? {
            do {
                return try weightFile.manifest()?.writer
            } catch {
                return nil
            }
        }

        /// One tensor; its name in text output is its identity below `prefix` (its layer's name).
        func describe(_ variable: KerasModelView.Variable, below prefix: String, in weightFile: WeightFile,
                      sharedPaths: Set<String>, summary: WeightFile.Summary?) throws -> DumpDocument.Weight {
            let weight = variable.entry
            let shortName = variable.identity.hasPrefix(prefix) ? String(variable.identity.dropFirst(prefix.count)) : variable.identity
            var described = DumpDocument.Weight(name: weight.name, identity: variable.identity, shortName: shortName,
                                                 variable: variable.variable, path: weight.path, shape: weight.shape,
                                                 dtype: weight.dtype.rawValue, size: weight.count * weight.dtype.byteCount,
                                                 storageSize: weight.storageSize,
                                                 sharedWith: weight.sharedWith.flatMap { sharedPaths.contains($0) ? $0 : nil })
            described.file = weight.storageFile
            described.stats = summary?.statistics
            described.sha256 = summary?.sha256
            if values {
                let tensor = try weightFile.read(weight)
                described.values = output.resolved == .json || output.jsonOut != nil ? tensor.doubleValues() : nil
                described.valuesText = tensor.formatted(summarize: !full)
            }
            return described
        }

    }
}

/// `heft dump`'s report in every format.
struct DumpReport: CommandReport {
    let document: DumpDocument
    let stats: Bool
    let hash: Bool

    func textLines() -> [String] {
        let weights = document.layers.flatMap(\.weights) + document.topLevelWeights
        let distinct = weights.filter { $0.sharedWith == nil }
        let parameters = distinct.reduce(0) { $0 + $1.shape.reduce(1, *) }
        let bytes = distinct.reduce(0) { $0 + $1.size }
        var header = "\(shown(document.file)): \(Terminal.paint(document.format, .bold))"
        if document.format != document.layout { header += " (\(document.layout) layout)" }
        if document.fullModel { header += " (full-model file, weights in /model_weights)" }
        if let version = document.kerasVersion { header += ", keras_version \(SafeText.escaped(version, limit: 256))" }
        if let backend = document.backend { header += ", backend \(SafeText.escaped(backend, limit: 256))" }
        if let writer = document.writer { header += ", written by \(SafeText.escaped(writer, limit: 256))" }
        var lines = [header, "\(document.layers.count) layers, \(weights.count) weights, \(countText(parameters)) parameters, \(byteText(bytes))"]
        for (label, state) in [("optimizer", document.optimizer), ("metrics", document.metrics)] {
            guard let state else { continue }
            let kind = state.className.map { "\(label) state (\($0))" } ?? "\(label) state"
            lines.append("\(kind): \(state.weights.count) tensors, \(byteText(state.weights.reduce(0) { $0 + $1.size })), not model parameters")
        }
        for layer in document.layers {
            let title = layer.className.map { "\(layer.name) (\($0))" } ?? layer.name
            lines += ["", Terminal.paint(title, .bold) + Terminal.paint("  \(layer.path)", .dim)]   // paint shows its text safely
            lines += weightLines(layer.weights)
        }
        if !document.topLevelWeights.isEmpty {
            lines += ["", Terminal.paint("top-level weights", .bold)] + weightLines(document.topLevelWeights)
        }
        for (label, state) in [("optimizer", document.optimizer), ("metrics", document.metrics)] {
            guard let state else { continue }
            lines += ["", Terminal.paint(state.className.map { "\(label) (\($0))" } ?? label, .bold)] + weightLines(state.weights)
        }
        return lines
    }

    private func weightLines(_ weights: [DumpDocument.Weight]) -> [String] {
        guard !weights.isEmpty else { return [Terminal.paint("  (no weights)", .dim)] }
        var rows: [[String]] = []
        let hasHeader = stats || hash
        if hasHeader {
            let header = ["name", "path", "shape", "dtype", "size"] + (stats ? ["min", "max", "mean", "std", "nan", "inf", "zeros"] : [])
                + (hash ? ["sha256"] : [])
            rows.append(header.map { Terminal.paint($0, .dim) })
        }
        for weight in weights {
            var row = [shown(weight.displayName), shown(weight.path), formatShape(weight.shape), weight.dtype, byteText(weight.size)]
            if let statistics = weight.stats {
                let dtype = DType(rawValue: weight.dtype)
                row += [statistics.minimum, statistics.maximum, statistics.mean, statistics.std].map { valueText($0, dtype: dtype) }
                row += [statistics.nanCount, statistics.infinityCount, statistics.zeroCount].map { countText($0) }
            }
            if let digest = weight.sha256 { row.append(digest) }
            if let file = weight.file { row.append(Terminal.paint(shown(file), .dim)) }
            if let shared = weight.sharedWith { row.append(Terminal.paint("shared with \(shared)", .yellow)) }
            rows.append(row)
        }
        var lines: [String] = []
        for (index, line) in aligned(rows, indent: "  ").enumerated() {
            lines.append(line)
            let weightIndex = index - (hasHeader ? 1 : 0)
            if weightIndex >= 0, let text = weights[weightIndex].valuesText {
                lines += text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }
            }
        }
        return lines
    }

    func annotations() -> [Annotation] { [] }

    func markdown() -> String {
        var lines = ["### heft dump", "", "`\(markdownCell(document.file))`: \(document.format), \(document.layers.count) layers", "",
                     "| layer | class | weights | parameters |", "|---|---|---|---|"]
        lines += document.layers.map { layer in
            let parameters = layer.weights.filter { $0.sharedWith == nil }.reduce(0) { $0 + $1.shape.reduce(1, *) }
            return "| `\(markdownCell(layer.name))` | \(markdownCell(layer.className ?? "")) | \(layer.weights.count) | \(countText(parameters)) |"
        }
        return lines.joined(separator: "\n")
    }
}

/// `heft dump`'s report for a plain HDF5 file (a generic tree).
struct GenericReport: CommandReport {
    let document: GenericDocument

    func textLines() -> [String] {
        ["\(shown(document.file)): \(Terminal.paint("hdf5", .bold)) (not a Keras weights file; generic tree)"]
            + aligned(document.objects.map { entry in
                switch entry.kind {
                case .dataset: [shown(entry.path), "dataset", formatShape(entry.shape ?? []), shown(entry.dtype ?? "?"), byteText(entry.storageSize ?? 0)]
                case .group: [shown(entry.path), "group"]
                default: [shown(entry.path), entry.kind.rawValue, shown(entry.target ?? "")]
                }
            }, indent: "  ")
    }

    func annotations() -> [Annotation] { [] }

    func markdown() -> String {
        "### heft dump\n\n`\(markdownCell(document.file))`: a plain HDF5 file (not Keras weights), \(document.objects.count) objects"
    }
}

/// The JSON document of `heft dump` (schema 1).
struct DumpDocument: Encodable {
    struct Weight: Encodable {
        /// The name the file gives the tensor (legacy `weight_names` entry, Keras 3 `vars` index).
        let name: String
        /// The tensor's Keras identity (the same in either layout).
        let identity: String
        /// The identity below its layer, shown in text output.
        let shortName: String
        /// The text name: the short name, with the Keras variable beside a bare index
        /// (`0 (kernel)`) when the file names variables by position (Keras 3).
        var displayName: String {
            guard let variable, shortName != variable, !shortName.hasSuffix("/" + variable) else { return shortName }
            return "\(shortName) (\(variable))"
        }
        /// The Keras variable (`kernel`, `bias`, …), when known.
        let variable: String?
        let path: String
        let shape: [Int]
        let dtype: String
        /// Bytes of the values in memory (elements × dtype size).
        let size: Int
        /// Bytes the dataset occupies in the file.
        let storageSize: Int
        let sharedWith: String?
        /// The shard holding the tensor, for a sharded checkpoint.
        var file: String?
        var stats: TensorStatistics?
        var sha256: String?
        var values: [Double]?
        var valuesText: String?

        enum CodingKeys: String, CodingKey {
            case name, identity, variable, path, shape, dtype, size, storageSize = "storage_size", sharedWith = "shared_with", file
            case stats, sha256, values
        }
    }

    struct Layer: Encodable {
        let name: String
        let className: String?
        let path: String
        let weights: [Weight]

        enum CodingKeys: String, CodingKey { case name, className = "class", path, weights }
    }

    /// Optimizer or metric state: never part of the model's layers or parameters.
    struct State: Encodable {
        let className: String?
        let weights: [Weight]

        enum CodingKeys: String, CodingKey { case className = "class", weights }
    }

    let schema: Int
    let file: String
    /// The layout (keras-legacy, keras-v3) or, for other containers, the container's kind.
    let format: String
    /// The Keras layout.
    let layout: String
    let kerasVersion: String?
    let backend: String?
    /// What wrote the file, when Heft did (`heft 0.2.0`): from its manifest.
    let writer: String?
    let fullModel: Bool
    let layers: [Layer]
    let topLevelWeights: [Weight]
    let optimizer: State?
    let metrics: State?

    enum CodingKeys: String, CodingKey {
        case schema, file, format, layout, kerasVersion = "keras_version", backend, writer, fullModel = "full_model", layers
        case topLevelWeights = "top_level_weights", optimizer, metrics
    }
}

/// The JSON document of `heft dump` for a plain HDF5 file.
struct GenericDocument: Encodable {
    let schema: Int
    let file: String
    let format: String
    let objects: [HDF5Listing.Entry]
}
