import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// `heft run` on the Keras-written `.keras` archives of the container fixtures: the outputs it
/// writes equal Keras's; bad inputs end with exit 2 and one line naming the file.
@Suite struct RunCommandTests {
    struct Sidecar: Decodable {
        let family: String
        let input: WorldCase.Array
        let output: WorldCase.Array
    }

    static let folder = fixturesURL.appendingPathComponent("containers").path
    /// Families whose layers Heft builds (see LoadModelTests for the others).
    static let families = ["attention", "conv2d", "named", "nested", "recurrent", "wrappers", "trained_adam"]

    @Test(arguments: families)
    func outputsEqualKerasOutputs(_ family: String) throws {
        let sidecar = try JSONDecoder().decode(Sidecar.self, from: Data(contentsOf: URL(fileURLWithPath: "\(Self.folder)/keras3_\(family).json")))
        try withTemporaryDirectory { (dir: String) throws in
            try NPYFile.write(Tensor(shape: sidecar.input.shape, scalars: sidecar.input.values.map(Float.init)), to: "\(dir)/x.npy")
            let run = try heft("run", "\(Self.folder)/keras3_\(family).keras", "--input", "\(dir)/x.npy", "--output", "\(dir)/y.npy")
            #expect(run.code == 0 && run.stdout.contains("output 0: \(formatShape(sidecar.output.shape))"), "\(run.stdout)\(run.stderr)")
            let y = try NPYFile.read("\(dir)/y.npy")
            let largest = zip(y.scalars.map(Double.init), sidecar.output.values).map { abs($0 - $1) }.max() ?? .infinity
            #expect(y.shape == sidecar.output.shape && largest <= 1e-4, "\(family): max |Δ| \(largest)")
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
