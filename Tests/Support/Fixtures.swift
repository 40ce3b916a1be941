import Foundation
import NeuralNet

/// The package's `fixtures/` folder.
public let fixturesURL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fixtures")

/// A weight-file fixture written by real Keras for one zoo model (fixtures/keras/<writer>_<model>.json).
public struct KerasCase: Decodable, Sendable, CustomStringConvertible {
    public struct Array: Decodable, Sendable {
        public let shape: [Int]
        public let values: [Double]
        public let dtype: String?
    }

    public let writer: String
    public let model: String
    /// Layout → file name: `legacy` (tf-keras save_weights), `legacy_full` (Keras 3 model.save), `v3`.
    public let files: [String: String]
    public let layers: [String]
    public let weights: [Array]
    public let input: Array
    public let output: Array
    public let reference: Array

    public var description: String { "\(writer) \(model)" }

    /// Every case in fixtures/keras.
    public static func all() throws -> [KerasCase] {
        let folder = fixturesURL.appendingPathComponent("keras")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted().map {
            try JSONDecoder().decode(KerasCase.self, from: Data(contentsOf: folder.appendingPathComponent($0)))
        }
    }

    /// The path of one of the case's files.
    public func path(_ layout: String) -> String {
        fixturesURL.appendingPathComponent("keras/\(files[layout]!)").path
    }
}

extension Tensor {
    /// A float32 tensor from a fixture array.
    public init(_ array: KerasCase.Array) {
        self.init(shape: array.shape, scalars: array.values.map { Float($0) })
    }
}

/// A fresh temporary directory, removed when `body` returns.
public func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
    let path = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(path) }
    return try body(path)
}

/// A fresh temporary directory for asynchronous tests, removed when `body` returns.
public func withTemporaryDirectory<R>(_ body: (String) async throws -> R) async throws -> R {
    let path = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(path) }
    return try await body(path)
}

private func makeTemporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("heft-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private func removeTemporaryDirectory(_ path: String) {
    do { try FileManager.default.removeItem(atPath: path) } catch { print("warning: cannot remove \(path): \(error)") }
}

/// The absolute tolerance for comparing float32 forward passes: 1e-6 relative to the output's
/// magnitude (`1e-6 · max(1, max |y|)`). Summation order differs between BLAS libraries, so an
/// output near zero that is the sum of large terms can differ by more than 1e-6 absolute.
public func outputTolerance(_ reference: Tensor) -> Float {
    1e-6 * max(1, reference.scalars.map(abs).max() ?? 0)
}
