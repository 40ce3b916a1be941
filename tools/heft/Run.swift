import ArgumentParser
import Checkpoint
import Foundation
import NeuralNet

extension Heft {
    /// `heft run MODEL --input X.npy …`: build a model from its file and run it.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build the model a .keras or full-model .h5 file describes and run it on .npy inputs.",
            discussion: """
                MODEL is a .keras archive or a full-model .h5 of tf-keras 2 or Keras 3 (a weights-only \\
                file has no architecture: exit 2). Each --input is a .npy array (float32, float64, int32 \\
                or int64, C order, format 1 to 3) whose first axis is the batch; give one per model input, \\
                in order. Each output is written as a float32 .npy to the matching --output, if given. \\
                Prints each output's shape and the time of the forward pass.

                Examples:
                  heft run model.keras --input x.npy --output y.npy
                  heft run model.h5 --input tokens.npy --input mask.npy --json
                """)

        @Argument(help: "The model file (.keras or full-model .h5).") var model: String
        @Option(name: .customLong("input"), help: ArgumentHelp("An input array (.npy); one per model input.", valueName: "x.npy"))
        var inputs: [String] = []
        @Option(name: .customLong("output"), help: ArgumentHelp("Where to write an output (.npy, float32).", valueName: "y.npy"))
        var outputs: [String] = []
        @OptionGroup var output: OutputOptions
        @OptionGroup var reader: ReaderOptions

        func validate() throws {
            guard !inputs.isEmpty else { throw ValidationError("give at least one --input x.npy") }
        }

        func run() throws {
            try runWithExitCode("run", reader, output, files: [model] + inputs, outputs: outputs) { _ in
                let built = try loadModel(from: model)
                let values = try inputs.map(NPYFile.read)
                try requireFitting(values, built)
                let start = ContinuousClock.now
                let results = (built as? Functional).map { $0(values) } ?? [built(values[0])]
                let elapsed = ContinuousClock.now - start
                guard outputs.isEmpty || outputs.count == results.count else {
                    throw CheckpointError(file: model, .unsupportedModel("the model has \(results.count) outputs, --output was given \(outputs.count) times"))
                }
                for (result, path) in zip(results, outputs) { try NPYFile.write(result, to: path) }
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                try output.publish(RunReport(document: RunDocument(schema: jsonSchemaVersion, model: model, outputs: results.map(\.shape),
                                                                   seconds: seconds), written: outputs))
                return 0
            }
        }

        /// Throws unless there is one array per model input, each of its input's per-sample shape.
        func requireFitting(_ values: [Tensor], _ model: Model) throws {
            let expected = (model as? Functional)?.inputs.map(\.shape) ?? [model.inputShape].compactMap { $0 }
            guard values.count == expected.count else {
                throw CheckpointError(file: self.model, .unsupportedModel("the model takes \(expected.count) inputs, \(values.count) were given"))
            }
            for (index, (value, shape)) in zip(values, expected).enumerated() where Array(value.shape.dropFirst()) != shape || value.shape.isEmpty {
                throw CheckpointError(file: inputs[index], .unsupportedModel(
                    "an array of shape \(formatShape(value.shape)); input \(index) of \(self.model) takes (batch, \(shape.map(String.init).joined(separator: ", ")))"))
            }
        }
    }
}

/// `heft run`'s report in every format.
struct RunReport: CommandReport {
    let document: RunDocument
    let written: [String]

    func textLines() -> [String] {
        document.outputs.enumerated().map { index, shape in
            "output \(index): \(formatShape(shape))" + (index < written.count ? " → \(shown(written[index]))" : "")
        } + [String(format: "forward pass: %.3f s", document.seconds)]
    }

    func annotations() -> [Annotation] { [] }

    func markdown() -> String {
        (["### heft run", "", "`\(markdownCell(document.model))`:"] + textLines().map { "- \(markdownCell($0))" }).joined(separator: "\n")
    }
}

/// The JSON document of `heft run` (schema 1).
struct RunDocument: Encodable {
    let schema: Int
    let model: String
    let outputs: [[Int]]
    let seconds: Double
}
