import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// `heft run` on every model file of the Keras-written corpus — the `.keras` archives of the
/// container fixtures and the full-model `.h5` files of both Keras lines in the Keras-world corpus:
/// the outputs it writes equal Keras's; a family whose layers Heft does not build ends with exit 2
/// naming the class; bad inputs end with exit 2 and one line naming the file.
@Suite struct RunCommandTests {
    struct Sidecar: Decodable {
        let family: String
        let input: WorldCase.Array
        let output: WorldCase.Array
    }

    /// One model file with the input Keras ran and the output it computed.
    struct ModelFile: CustomTestStringConvertible, Sendable {
        let path: String
        let family: String
        let input: WorldCase.Array
        let output: WorldCase.Array
        var testDescription: String { URL(fileURLWithPath: path).lastPathComponent }
    }

    static let folder = fixturesURL.appendingPathComponent("containers").path

    static func modelFiles() throws -> [ModelFile] {
        let archives = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasPrefix("keras3_") && $0.hasSuffix(".keras") && !$0.contains(".deflated.") }.sorted()
            .map { name -> ModelFile in
                let stem = String(name.dropLast(".keras".count))
                let sidecar = try JSONDecoder().decode(Sidecar.self, from: Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(stem).json")))
                return ModelFile(path: "\(folder)/\(name)", family: sidecar.family, input: sidecar.input, output: sidecar.output)
            }
        // tf-keras's config of a Sequential applying one layer twice describes another model (see LoadModelTests).
        let fullModels = try WorldCase.all().filter { !($0.writer == "tfkeras" && $0.family == "shared_sequential") }.compactMap { world in
            world.paths.first(where: { $0.layout == "legacy_full" }).map {
                ModelFile(path: $0.path, family: world.family, input: world.input, output: world.output)
            }
        }
        return archives.filter { $0.family != "shared_sequential" } + fullModels
    }

    @Test(arguments: try modelFiles())
    func outputsEqualKerasOutputs(_ file: ModelFile) throws {
        try withTemporaryDirectory { (dir: String) throws in
            try NPYFile.write(Tensor(shape: file.input.shape, scalars: file.input.values.map(Float.init)), to: "\(dir)/x.npy")
            let run = try heft("run", file.path, "--input", "\(dir)/x.npy", "--output", "\(dir)/y.npy")
            if let className = WorldCase.unbuiltFamilies[file.family] {
                #expect(run.code == 2 && run.stderr.hasPrefix("heft: error: \(file.path): ") && run.stderr.contains(className),
                        "\(file.testDescription): \(run.stderr)")
                return
            }
            #expect(run.code == 0 && run.stdout.contains("output 0: \(formatShape(file.output.shape))"), "\(run.stdout)\(run.stderr)")
            let y = try NPYFile.read("\(dir)/y.npy")
            let scale = max(1, file.output.values.map(abs).max() ?? 0)
            let largest = zip(y.scalars.map(Double.init), file.output.values).map { abs($0 - $1) }.max() ?? .infinity
            #expect(y.shape == file.output.shape && largest <= 1e-4 * scale, "\(file.testDescription): max |Δ| \(largest)")
        }
    }

    /// A float64 array in format version 2, as `np.save` writes one past 64 KiB of header.
    @Test func readsFloat64AndFormatVersion2() throws {
        try withTemporaryDirectory { (dir: String) throws in
            var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
            header += String(repeating: " ", count: (64 - (12 + header.utf8.count + 1) % 64) % 64) + "\n"
            var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [2, 0]
            bytes += withUnsafeBytes(of: UInt32(header.utf8.count).littleEndian) { Array($0) } + Array(header.utf8)
            for value in [1.5, -2.0, 0.25, 3.0, 4.0, -0.5] { bytes += withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
            try Data(bytes).write(to: URL(fileURLWithPath: "\(dir)/x.npy"))
            let x = try NPYFile.read("\(dir)/x.npy")
            #expect(x.shape == [2, 3] && x.scalars == [1.5, -2.0, 0.25, 3.0, 4.0, -0.5])
        }
    }

    @Test func badInputsEndWithOneLineNamingTheFile() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let model = "\(Self.folder)/keras3_attention.keras"
            try NPYFile.write(.zeros([2, 3]), to: "\(dir)/wrong-shape.npy")
            try Data("not numpy".utf8).write(to: URL(fileURLWithPath: "\(dir)/text.npy"))
            let text = "{'descr': '>f4', 'fortran_order': False, 'shape': (1, 6, 8), }\n"
            var big: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.utf8.count), 0] + Array(text.utf8)
            big += [UInt8](repeating: 0, count: 6 * 8 * 4)
            try Data(big).write(to: URL(fileURLWithPath: "\(dir)/big-endian.npy"))
            let weightsOnly = fixturesURL.appendingPathComponent("world/keras3_attention.weights.h5").path
            for (arguments, named, says) in [
                ([model, "--input", "\(dir)/wrong-shape.npy"], "\(dir)/wrong-shape.npy", "input 0 of \(model) takes (batch, 6, 8)"),
                ([model, "--input", "\(dir)/text.npy"], "\(dir)/text.npy", "not a NumPy .npy file"),
                ([model, "--input", "\(dir)/big-endian.npy"], "\(dir)/big-endian.npy", "dtype '>f4'"),
                ([weightsOnly, "--input", "\(dir)/wrong-shape.npy"], weightsOnly, "holds weights only, no model config"),
            ] {
                let run = try heft(["run"] + arguments)
                let lines = run.stderr.split(separator: "\n")
                #expect(run.code == 2 && lines.count == 1 && lines[0].hasPrefix("heft: error: \(named): ") && run.stderr.contains(says),
                        "\(arguments): \(run.stderr)")
            }
        }
    }
}
