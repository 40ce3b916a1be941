import ArgumentParser
import Checkpoint
import Inspection

extension Heft {
    /// `heft convert IN OUT`: rewrite a weights file in either layout through Heft's writer.
    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewrite a weights file in either Keras layout.",
            discussion: """
                The output layout is --to or, by default, chosen from OUT's name (*.weights.h5 → keras-v3, \
                else keras-legacy); the same layout is a rewrite. Dtypes and hard links (shared weights) \
                are kept; OUT is replaced atomically. In another layout each tensor goes where Keras keeps \
                that variable, which needs each layer's Keras class: from model_config in a full-model \
                file, from Keras 3 paths, from automatic layer names (lstm_2), or from --like REF. A layer \
                whose class is unknown is refused (exit 2) with the remedy. Before OUT is replaced, the \
                result is read back and checked to load as the source does, by Keras's own rules. \
                Optimizer state goes along to a Keras 3 file and is dropped, with a note, elsewhere.
                """)

        enum Layout: String, ExpressibleByArgument, CaseIterable {
            case kerasLegacy = "keras-legacy", kerasV3 = "keras-v3"
        }

        @Argument(help: "The input weights file.") var input: String
        @Argument(help: "The output path.") var outputPath: String
        @Option(help: "The output layout: keras-legacy or keras-v3.") var to: Layout?
        @Option(help: ArgumentHelp("A Keras weights or model file of the same architecture: it gives the layer classes, "
                                   + "and in its own layout the names and order to write.", valueName: "ref"))
        var like: String?
        @Flag(help: "Leave out optimizer and metric state.") var dropOptimizer = false
        @OptionGroup var output: OutputOptions
        @OptionGroup var reader: ReaderOptions

        func run() throws {
            try runWithExitCode(reader, files: [input] + (like.map { [$0] } ?? []), outputs: [outputPath]) { open in
                let file = try open(input)
                let reference = try like.map { try open($0) }
                let format = to.map { WeightFileFormat(rawValue: $0.rawValue)! } ?? WeightFileFormat(forPath: outputPath)
                let report = try file.convert(to: outputPath, format: format, like: reference, dropOptimizer: dropOptimizer)
                let document = ConvertDocument(schema: jsonSchemaVersion, input: input, output: outputPath, from: file.format.rawValue,
                                               to: format.rawValue, layers: report.layers, weights: report.weights,
                                               optimizerWeights: report.optimizerWeights, notes: report.notes)
                if output.json {
                    try printJSON(document)
                } else {
                    let state = document.optimizerWeights > 0 ? " and \(document.optimizerWeights) optimizer tensors" : ""
                    print("\(shown(outputPath)): \(document.to), written from \(shown(input)) (\(document.from)): "
                          + "\(document.weights) weights in \(document.layers) layers\(state)")
                    for note in report.notes { print("note: \(shown(note))") }
                }
                return 0
            }
        }
    }
}

/// The JSON document of `heft convert` (schema 1).
struct ConvertDocument: Encodable {
    let schema: Int
    let input: String
    let output: String
    let from: String
    let to: String
    let layers: Int
    let weights: Int
    let optimizerWeights: Int
    /// What the output does not hold (optimizer state a legacy file cannot keep, …).
    let notes: [String]

    enum CodingKeys: String, CodingKey {
        case schema, input, output, from, to, layers, weights, optimizerWeights = "optimizer_weights", notes
    }
}
