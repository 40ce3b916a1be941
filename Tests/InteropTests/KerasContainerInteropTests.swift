import Checkpoint
import Foundation
import Testing
import TestSupport

/// What Heft writes in each container loads in real Keras 3 (and in the Python `safetensors`
/// package) and gives the outputs Keras computed when it wrote the source: a `.keras` archive made
/// `--like` Keras's own archive (`keras.saving.load_model`), a sharded `.weights.json` set
/// (`model.load_weights`), and `.weights.h5 → .safetensors → .weights.h5` (`model.load_weights`);
/// the safetensors file itself reads in `safetensors.numpy.load_file` with every tensor's values.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["HEFT_PYTHON"] != nil, "needs HEFT_PYTHON (run tools/test)"))
struct KerasContainerInteropTests {
    struct Sidecar: Decodable {
        struct Files: Decodable { let keras: String; let world_v3: String }
        let family: String
        let files: Files
        let input: WorldCase.Array
        let output: WorldCase.Array
    }

    struct Manifest: Encodable {
        struct Case: Encodable {
            let id: String
            let family: String
            let container: String
            let file: String
            let input: Input
        }
        struct Input: Encodable { let shape: [Int]; let dtype: String; let values: [Double] }
        let cases: [Case]
    }

    typealias Output = KerasOutput

    struct SafetensorsOutput: Decodable {
        struct Tensor: Decodable { let dtype: String; let shape: [Int]; let values: [Double] }
        let tensors: [String: Tensor]?
        let metadata: [String: String]?
        let error: String?
    }

    static let folder = fixturesURL.appendingPathComponent("containers")

    /// The sidecars of the Keras-world families, except the one whose `.keras` Keras itself cannot
    /// load (a layer used twice in a Sequential).
    static func sidecars() throws -> [Sidecar] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasPrefix("keras3_") && $0.hasSuffix(".json") && !$0.hasSuffix(".weights.json") }.sorted()
            .map { try JSONDecoder().decode(Sidecar.self, from: Data(contentsOf: folder.appendingPathComponent($0))) }
            .filter { $0.family != "shared_sequential" }
    }

    @Test func everyContainerHeftWritesLoadsInKerasWithTheSourcesOutputs() throws {
        try withTemporaryDirectory { (dir: String) throws in
            var cases: [Manifest.Case] = []
            var expected: [String: [Double]] = [:]
            var safetensors: [String: WeightFile] = [:]
            for sidecar in try Self.sidecars() {
                let source = try WeightFile(path: Self.folder.appendingPathComponent(sidecar.files.world_v3).path)
                let reference = try WeightFile(path: Self.folder.appendingPathComponent(sidecar.files.keras).path)
                let base = "\(dir)/\(sidecar.family)"
                try source.convert(to: "\(base).keras", format: .kerasV3, like: reference)
                let largest = source.allWeights.map(\.storageSize).max() ?? 1
                try source.convert(to: "\(base).weights.json", format: .kerasV3, maxShardSize: largest)
                try source.convert(to: "\(base).safetensors", format: .kerasV3)
                try WeightFile(path: "\(base).safetensors").convert(to: "\(base).back.weights.h5", format: .kerasV3)
                safetensors["\(base).safetensors"] = source
                for (container, file) in [("keras", "\(base).keras"), ("sharded", "\(base).weights.json"),
                                          ("sharded", "\(base).back.weights.h5")] {
                    let id = URL(fileURLWithPath: file).lastPathComponent
                    cases.append(.init(id: id, family: sidecar.family, container: container, file: file,
                                       input: .init(shape: sidecar.input.shape, dtype: sidecar.input.dtype ?? "float32",
                                                    values: sidecar.input.values)))
                    expected[id] = sidecar.output.values
                }
            }
            let results: [String: Output] = try runKerasCheck("containers", manifest: ["cases": cases], in: dir)
            #expect(results.count == cases.count && cases.count >= 45)
            try KerasOutput.expect(results, match: expected)
            try checkSafetensorsValues(safetensors, in: dir)
        }
    }

    /// Python's `load_file` reads each file Heft wrote; its keys are the source's Keras identities
    /// and its values the source's, exactly.
    func checkSafetensorsValues(_ files: [String: WeightFile], in dir: String) throws {
        let results: [String: SafetensorsOutput] = try runKerasCheck("safetensors", manifest: ["files": files.keys.sorted()], in: dir)
        for (path, source) in files.sorted(by: { $0.key < $1.key }) {
            let output = try #require(results[path], "no result for \(path)")
            #expect(output.error == nil, "\(path): \(output.error ?? "")")
            let tensors = output.tensors ?? [:]
            let sources = Dictionary(source.allWeights.map { (source.identity(of: $0), $0) }, uniquingKeysWith: { first, _ in first })
            #expect(Set(tensors.keys) == Set(sources.keys), "\(path): keys \(tensors.keys.sorted()) vs \(sources.keys.sorted())")
            for (key, tensor) in tensors {
                guard let weight = sources[key] else { continue }
                let values = try source.read(weight).doubleValues()
                #expect(tensor.shape == weight.shape && tensor.values == values, "\(path): \(key)")
            }
            #expect(output.metadata?["heft.index"] != nil && output.metadata?["heft.digests"] != nil)
        }
    }
}
