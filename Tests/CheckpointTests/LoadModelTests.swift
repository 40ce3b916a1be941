import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// `loadModel(from:)` on files real Keras wrote: every `.keras` archive of the container fixtures
/// and every full-model `.h5` of the Keras-world corpus whose layers Heft implements builds, loads
/// and gives the output Keras computed when it wrote the file; the others are refused naming the
/// layer and its class.
@Suite struct LoadModelTests {
    struct Sidecar: Decodable {
        let family: String
        let files: [String: FileName]
        let input: WorldCase.Array
        let output: WorldCase.Array

        enum FileName: Decodable {
            case one(String), many([String])
            init(from decoder: Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let name = try? container.decode(String.self) { self = .one(name) } else { self = .many(try container.decode([String].self)) }
            }
        }
    }

    static let unsupported = WorldCase.unbuiltFamilies

    static func sidecars() throws -> [Sidecar] {
        let folder = fixturesURL.appendingPathComponent("containers")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasPrefix("keras3_") && $0.hasSuffix(".json") && !$0.hasSuffix(".weights.json") }.sorted()
            .map { try JSONDecoder().decode(Sidecar.self, from: Data(contentsOf: folder.appendingPathComponent($0))) }
    }

    /// Keras's output for `input`, compared within 1e-4 of the output's scale (recurrent and
    /// attention layers accumulate float32 rounding; the rest agree far closer).
    func expectMatches(_ model: Model, _ input: WorldCase.Array, _ output: WorldCase.Array, _ what: String) {
        let x = Tensor(shape: input.shape, scalars: input.values.map(Float.init))
        let found = model(x).scalars.map(Double.init)
        let scale = max(1, output.values.map(abs).max() ?? 0)
        let largest = zip(found, output.values).map { abs($0 - $1) }.max() ?? .infinity
        #expect(found.count == output.values.count && largest <= 1e-4 * scale, "\(what): max |Δ| \(largest)")
    }

    @Test func kerasArchivesBuildAndMatchKeras() throws {
        var built = 0
        for sidecar in try Self.sidecars() where sidecar.family != "shared_sequential" {
            guard case .one(let name)? = sidecar.files["keras"] else { continue }
            let path = fixturesURL.appendingPathComponent("containers/\(name)").path
            if let className = Self.unsupported[sidecar.family] {
                #expect { try loadModel(from: path) } throws: { "\($0)".contains(className) && "\($0)".contains("which Heft cannot build yet") }
                continue
            }
            do {
                expectMatches(try loadModel(from: path), sidecar.input, sidecar.output, name)
                built += 1
            } catch {
                Issue.record("\(error)")
            }
        }
        #expect(built >= 15)
    }

    @Test func fullModelFilesOfBothKerasLinesBuildAndMatchKeras() throws {
        var built = 0
        // tf-keras's config of a Sequential that applies one layer twice lists the layer once, so the
        // model it describes (and tf-keras's own load_model) differs from the one that was saved.
        for world in try WorldCase.all() where !(world.writer == "tfkeras" && world.family == "shared_sequential") {
            guard let path = world.paths.first(where: { $0.layout == "legacy_full" })?.path else { continue }
            if let className = Self.unsupported[world.family] {
                #expect { try loadModel(from: path) } throws: { "\($0)".contains(className) }
                continue
            }
            do {
                expectMatches(try loadModel(from: path), world.input, world.output, path)
                built += 1
            } catch {
                Issue.record("\(error)")
            }
        }
        #expect(built >= 20)
    }

    @Test func weightsOnlyFilesAndSubclassedModelsAreClearErrors() throws {
        let weightsOnly = fixturesURL.appendingPathComponent("world/keras3_conv2d.weights.h5").path
        #expect { try loadModel(from: weightsOnly) } throws: { "\($0)" == "\(weightsOnly): holds weights only, no model config: build the model in Swift and call loadWeights(from:)" }
    }
}
