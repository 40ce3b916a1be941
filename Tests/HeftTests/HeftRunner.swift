import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// The result of running the real `heft` executable.
struct HeftRun {
    let code: Int32
    let stdout: String
    let stderr: String

    /// The stdout parsed as one JSON object.
    func json() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "stdout is not a JSON object: \(stdout.prefix(300))")
    }

    var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

/// Runs the built `heft` binary (next to the test bundle, or `HEFT_BINARY`) with `arguments`.
func heft(_ arguments: String...) throws -> HeftRun {
    try heft(arguments)
}

func heft(_ arguments: [String], environment: [String: String] = [:]) throws -> HeftRun {
    let process = Process()
    process.executableURL = heftBinary
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let stdoutData = output.fileHandleForReading.readDataToEndOfFile()
    let stderrData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return HeftRun(code: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                   stderr: String(decoding: stderrData, as: UTF8.self))
}

let heftBinary: URL = {
    if let path = ProcessInfo.processInfo.environment["HEFT_BINARY"] { return URL(fileURLWithPath: path) }
    let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directory = testBinary.deletingLastPathComponent()
    while directory.path != "/" {
        let candidate = directory.appendingPathComponent("heft")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    return fixturesURL.deletingLastPathComponent().appendingPathComponent(".build/debug/heft")
}()

/// A fixture file written by real Keras.
func keras(_ name: String) -> String {
    fixturesURL.appendingPathComponent("keras/\(name)").path
}

/// Saves a Sequential of Dense layers with the given weight values.
func saveModel(_ path: String, widths: [Int], values: [Tensor], names: [String]? = nil, format: WeightFileFormat? = nil) throws {
    let layers: [any Layer] = (1..<widths.count).map { index in
        Dense(widths[index], inputShape: index == 1 ? [widths[0]] : nil, name: names?[index - 1] ?? "dense_\(index - 1)")
    }
    let model = try Sequential(layers)
    try model.setWeights(values)
    try model.saveWeights(to: path, format: format)
}

/// A Dense stack's kernels and biases for `widths`, each tensor filled with its own constant
/// (`first`, `first + 1`, …).
func constantWeights(widths: [Int], from first: Float) -> [Tensor] {
    (1..<widths.count).flatMap { layer in
        let value = first + Float(2 * (layer - 1))
        return [Tensor.full([widths[layer - 1], widths[layer]], value: value), Tensor.full([widths[layer]], value: value + 1)]
    }
}

