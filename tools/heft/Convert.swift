import ArgumentParser
import Checkpoint

extension Heft {
    /// `heft convert IN OUT`: rewrite a weights file in either layout through Heft's writer.
    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewrite a weights file in either Keras layout.",
            discussion: """
                The output layout is --to or, by default, chosen from OUT's name (*.weights.h5 → keras-v3, \
                else keras-legacy); the same layout is a rewrite. Dtypes and hard links (shared weights) \
                are kept; OUT is replaced atomically. Legacy → Keras 3 names each layer's path by its \
                Keras class, from model_config in a full-model file or inferred from the weights.
                """)

        enum Layout: String, ExpressibleByArgument, CaseIterable {
            case kerasLegacy = "keras-legacy", kerasV3 = "keras-v3"
        }

        @Argument(help: "The input weights file.") var input: String
        @Argument(help: "The output path.") var outputPath: String
        @Option(help: "The output layout: keras-legacy or keras-v3.") var to: Layout?
        @OptionGroup var output: OutputOptions
        @OptionGroup var reader: ReaderOptions

        func run() throws {
            try runWithExitCode(reader, files: [input]) {
                let file = try reader.open(input)
                let format = to.map { WeightFileFormat(rawValue: $0.rawValue)! } ?? WeightFileFormat(forPath: outputPath)
                try file.convert(to: outputPath, format: format)
                let written = try reader.open(outputPath)
                let document = ConvertDocument(schema: jsonSchemaVersion, input: input, output: outputPath, from: file.format.rawValue,
                                               to: written.format.rawValue, layers: written.layers.filter { !$0.weights.isEmpty }.count,
                                               weights: written.weights.count)
                if output.json {
                    try printJSON(document)
                } else {
                    print("\(outputPath): \(document.to), written from \(input) (\(document.from)): "
                          + "\(document.weights) weights in \(document.layers) layers")
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
}
