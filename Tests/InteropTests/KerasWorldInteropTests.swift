import Checkpoint
import Foundation
import NeuralNet
import Testing
import TestSupport

/// Every conversion of the Keras-world corpus (fixtures/world) that Heft does not refuse loads in
/// real Keras — the model rebuilt fresh in the writer's Keras line, and in the other line where it
/// has the model — and gives the output Keras computed when it wrote the file.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["HEFT_PYTHON"] != nil, "needs HEFT_PYTHON (run tools/test)"))
struct KerasWorldInteropTests {
    struct Manifest: Encodable {
        struct Case: Encodable {
            let id: String
            let family: String
            let line: String
            let file: String
            let input: Input
        }
        struct Input: Encodable { let shape: [Int]; let dtype: String; let values: [Double] }
        let cases: [Case]
    }

    typealias Output = KerasOutput

    @Test func everyConversionLoadsInKerasWithTheSourcesOutputs() throws {
        try withTemporaryDirectory { (dir: String) throws in
            var cases: [Manifest.Case] = []
            var expected: [String: [Double]] = [:]
            for world in try WorldCase.all() {
                for (layout, path) in world.paths {
                    for format in WeightFileFormat.allCases where world.expectedRefusal(converting: layout, to: format) == nil {
                        let output = "\(dir)/\(world.writer)_\(world.family).\(layout).\(format == .kerasV3 ? "weights.h5" : "h5")"
                        try WeightFile(path: path).convert(to: output, format: format)
                        for line in ["keras3", "tfkeras"] where Self.loads(world, format, in: line) {
                            let id = "\(URL(fileURLWithPath: output).lastPathComponent) in \(line)"
                            cases.append(.init(id: id, family: world.family, line: line, file: output,
                                               input: .init(shape: world.input.shape, dtype: world.input.dtype ?? "float32",
                                                            values: world.input.values)))
                            expected[id] = world.output.values
                        }
                    }
                }
            }
            let results: [String: Output] = try runKerasCheck("world", manifest: Manifest(cases: cases), in: dir)
            #expect(results.count == cases.count && cases.count >= 400)
            try KerasOutput.expect(results, match: expected)
        }
    }

    /// Whether the Keras line has the model and can load it from the layout. Keras 3 counts a layer
    /// used twice in a Sequential twice: its legacy loader then expects one layer more than any
    /// legacy file lists, and its `.weights.h5` paths (`dense`, `dense_2`) are not tf-keras's
    /// (`dense`, `dense_1`), so that model moves between the lines only as a legacy file into tf-keras.
    static func loads(_ world: WorldCase, _ format: WeightFileFormat, in line: String) -> Bool {
        if world.family == "gqa" { return line == "keras3" }
        guard world.family == "shared_sequential" else { return true }
        if line == "keras3" { return format == .kerasV3 && world.writer == "keras3" }
        return format == .kerasLegacy || world.writer == "tfkeras"
    }
}
