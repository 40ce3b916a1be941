import ArgumentParser
import Checkpoint
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
                A plain HDF5 file that is not a weights file is shown as a generic tree (format "hdf5").
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

        @Option(name: .customLong("layer"), help: ArgumentHelp("Only layers whose name matches this glob (repeatable).", valueName: "glob"))
        var layerGlobs: [String] = []

        @OptionGroup var output: OutputOptions
        @OptionGroup var reader: ReaderOptions

        func validate() throws {
            if full && !values { throw ValidationError("--full needs --values") }
        }

        func run() throws {
            try runWithExitCode(reader, files: [file]) { open in
                let weightFile: WeightFile
                do {
                    weightFile = try open(file)
                } catch let error as CheckpointError {
                    // An HDF5 file in neither Keras layout is listed as a generic tree.
                    guard case .notAWeightsFile = error.reason, HDF5Listing.isHDF5(path: file) else { throw error }
                    try dumpGenericTree()
                    return 0
                }
                let document = try makeDocument(weightFile)
                if output.json { try printJSON(document) } else { printText(document) }
                return 0
            }
        }

        // MARK: - Document

        func makeDocument(_ weightFile: WeightFile) throws -> DumpDocument {
            let progress = Progress("heft dump")
            defer { progress.finish() }
            let view = weightFile.kerasView()
            let layers = view.layers.filter { layer in layerGlobs.isEmpty || layerGlobs.contains { WeightDiff.glob($0, layer.name) } }
            let state = (view.optimizer?.variables ?? []) + view.metrics
            // A dataset's other paths count as shared only when they are other variables of the view (a
            // tie), not a second spelling of the same variable.
            let viewPaths = Set((view.variables + state).map(\.entry.path))
            let total = (layers.flatMap(\.variables) + state).reduce(0) { $0 + $1.entry.storageSize }
            var done = 0
            func described(_ variables: [KerasModelView.Variable], below prefix: String) throws -> [DumpDocument.Weight] {
                try variables.map { variable in
                    defer { done += variable.entry.storageSize; progress.update(done, total) }
                    return try describe(variable, below: prefix, in: weightFile, sharedPaths: viewPaths)
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
                                fullModel: weightFile.isFullModel, layers: dumped,
                                topLevelWeights: try described(view.modelVariables, below: ""), optimizer: optimizer, metrics: metrics)
        }

        /// One tensor; its name in text output is its identity below `prefix` (its layer's name).
        func describe(_ variable: KerasModelView.Variable, below prefix: String, in weightFile: WeightFile,
                      sharedPaths: Set<String>) throws -> DumpDocument.Weight {
            let weight = variable.entry
            let shortName = variable.identity.hasPrefix(prefix) ? String(variable.identity.dropFirst(prefix.count)) : variable.identity
            var described = DumpDocument.Weight(name: weight.name, identity: variable.identity, shortName: shortName,
                                                 variable: variable.variable, path: weight.path, shape: weight.shape,
                                                 dtype: weight.dtype.rawValue, size: weight.count * weight.dtype.byteCount,
                                                 storageSize: weight.storageSize,
                                                 sharedWith: weight.sharedWith.flatMap { sharedPaths.contains($0) ? $0 : nil })
            described.file = weight.storageFile
            if stats { described.stats = try weightFile.statistics(of: weight) }
            if hash { described.sha256 = try weightFile.sha256(of: weight) }
            if values {
                let tensor = try weightFile.read(weight)
                described.values = output.json ? tensor.doubleValues() : nil
                described.valuesText = output.json ? nil : tensor.formatted(summarize: !full)
            }
            return described
        }

        // MARK: - Text

        func printText(_ document: DumpDocument) {
            let weights = document.layers.flatMap(\.weights) + document.topLevelWeights
            let distinct = weights.filter { $0.sharedWith == nil }
            let parameters = distinct.reduce(0) { $0 + $1.shape.reduce(1, *) }
            let bytes = distinct.reduce(0) { $0 + $1.size }
            var header = "\(shown(document.file)): \(Terminal.paint(document.format, .bold))"
            if document.format != document.layout { header += " (\(document.layout) layout)" }
            if document.fullModel { header += " (full-model file, weights in /model_weights)" }
            if let version = document.kerasVersion { header += ", keras_version \(SafeText.escaped(version, limit: 256))" }
            if let backend = document.backend { header += ", backend \(SafeText.escaped(backend, limit: 256))" }
            print(header)
            print("\(document.layers.count) layers, \(weights.count) weights, \(countText(parameters)) parameters, \(byteText(bytes))")
            for (label, state) in [("optimizer", document.optimizer), ("metrics", document.metrics)] {
                guard let state else { continue }
                let kind = state.className.map { "\(label) state (\($0))" } ?? "\(label) state"
                print("\(kind): \(state.weights.count) tensors, \(byteText(state.weights.reduce(0) { $0 + $1.size })), not model parameters")
            }
            for layer in document.layers {
                print("")
                let title = layer.className.map { "\(layer.name) (\($0))" } ?? layer.name
                print(Terminal.paint(title, .bold) + Terminal.paint("  \(layer.path)", .dim))   // paint shows its text safely
                printWeights(layer.weights)
            }
            if !document.topLevelWeights.isEmpty {
                print("")
                print(Terminal.paint("top-level weights", .bold))
                printWeights(document.topLevelWeights)
            }
            for (label, state) in [("optimizer", document.optimizer), ("metrics", document.metrics)] {
                guard let state else { continue }
                print("")
                print(Terminal.paint(state.className.map { "\(label) (\($0))" } ?? label, .bold))
                printWeights(state.weights)
            }
        }

        private func printWeights(_ weights: [DumpDocument.Weight]) {
            if weights.isEmpty {
                print(Terminal.paint("  (no weights)", .dim))
                return
            }
            var rows: [[String]] = []
            let hasHeader = stats || hash
            if hasHeader {
                let header = ["name", "path", "shape", "dtype", "size"] + (stats ? ["min", "max", "mean", "std", "nan", "inf", "zeros"] : [])
                    + (hash ? ["sha256"] : [])
                rows.append(header.map { Terminal.paint($0, .dim) })
            }
            for weight in weights {
                var row = [shown(weight.shortName), shown(weight.path), formatShape(weight.shape), weight.dtype, byteText(weight.size)]
                if let statistics = weight.stats {
                    let precise = weight.dtype == "float64"
                    row += [statistics.minimum, statistics.maximum, statistics.mean, statistics.std].map { precise ? numberText($0) : floatText($0) }
                    row += [statistics.nanCount, statistics.infinityCount, statistics.zeroCount].map { countText($0) }
                }
                if let digest = weight.sha256 { row.append(digest) }
                if let file = weight.file { row.append(Terminal.paint(shown(file), .dim)) }
                if let shared = weight.sharedWith { row.append(Terminal.paint("shared with \(shared)", .yellow)) }
                rows.append(row)
            }
            let lines = aligned(rows, indent: "  ")
            for (index, line) in lines.enumerated() {
                print(line)
                let weightIndex = index - (hasHeader ? 1 : 0)
                if weightIndex >= 0, let text = weights[weightIndex].valuesText {
                    print(text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
                }
            }
        }

        // MARK: - Generic HDF5

        func dumpGenericTree() throws {
            let entries = try HDF5Listing.list(path: file)
            if output.json {
                try printJSON(GenericDocument(schema: jsonSchemaVersion, file: file, format: "hdf5", objects: entries))
                return
            }
            print("\(shown(file)): \(Terminal.paint("hdf5", .bold)) (not a Keras weights file; generic tree)")
            print(aligned(entries.map { entry in
                switch entry.kind {
                case .dataset: [shown(entry.path), "dataset", formatShape(entry.shape ?? []), shown(entry.dtype ?? "?"), byteText(entry.storageSize ?? 0)]
                case .group: [shown(entry.path), "group"]
                default: [shown(entry.path), entry.kind.rawValue, shown(entry.target ?? "")]
                }
            }, indent: "  ").joined(separator: "\n"))
        }
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
    let fullModel: Bool
    let layers: [Layer]
    let topLevelWeights: [Weight]
    let optimizer: State?
    let metrics: State?

    enum CodingKeys: String, CodingKey {
        case schema, file, format, layout, kerasVersion = "keras_version", backend, fullModel = "full_model", layers
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
