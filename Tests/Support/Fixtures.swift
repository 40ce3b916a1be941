import Checkpoint
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

/// A Keras-world fixture (fixtures/world/<writer>_<family>.json): one model of a family of built-in
/// layers as one Keras line writes it, in each layout that line writes.
public struct WorldCase: Decodable, Sendable, CustomStringConvertible {
    /// Families whose layers Heft does not build yet, with the class a refusal to build must name.
    public static let unbuiltFamilies = ["conv1d": "SeparableConv1D", "conv3d": "Conv3D", "convlstm": "ConvLSTM1D",
                                         "gqa": "QueryAttention"]   // GroupQueryAttention (.keras) or GroupedQueryAttention (.h5)
    public struct Weight: Decodable, Sendable {
        /// Keras's name for the variable (`w.path` in Keras 3, `w.name` in tf-keras).
        public let name: String
        public let shape: [Int]
        public let trainable: Bool
    }

    public struct Optimizer: Decodable, Sendable {
        /// The optimizer's class, e.g. `Adam`.
        public let `class`: String
        /// `len(optimizer.variables)`.
        public let variables: Int
    }

    public struct Array: Decodable, Sendable {
        public let shape: [Int]
        public let values: [Double]
        public let dtype: String?
    }

    /// `keras3` or `tfkeras`.
    public let writer: String
    public let family: String
    /// Layout → file name: `legacy` (weights only), `legacy_full` (`model.save`), `v3` (`.weights.h5`).
    public let files: [String: String]
    /// The model's top-level layers: name → class.
    public let layers: [String: String]
    /// `model.weights`, in order.
    public let weights: [Weight]
    public let optimizer: Optimizer?
    public let input: Array
    public let output: Array

    public var description: String { "\(writer) \(family)" }

    /// Every case in fixtures/world.
    public static func all() throws -> [WorldCase] {
        let folder = fixturesURL.appendingPathComponent("world")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted().map {
            try JSONDecoder().decode(WorldCase.self, from: Data(contentsOf: folder.appendingPathComponent($0)))
        }
    }

    /// The path of one of the case's files.
    public func path(_ layout: String) -> String {
        fixturesURL.appendingPathComponent("world/\(files[layout]!)").path
    }

    /// Why converting the file of `layout` to `format` must be refused, or `nil` when it must
    /// work: the file does not record what the other layout needs.
    public func expectedRefusal(converting layout: String, to format: WeightFileFormat) -> String? {
        if layout == "legacy" && format == .kerasV3 && ["named", "nested"].contains(family) {
            return "a weights-only legacy file with custom layer names or a nested model"
        }
        if writer == "tfkeras" && family == "wrappers"
            && ((layout == "legacy" && format == .kerasV3) || (layout == "v3" && format == .kerasLegacy)) {
            return "tf-keras's TimeDistributed does not record the class it wraps"
        }
        return nil
    }

    /// The case's files, `(layout, path)`, in a fixed order.
    public var paths: [(layout: String, path: String)] {
        ["legacy", "legacy_full", "v3"].filter { files[$0] != nil }.map { ($0, path($0)) }
    }
}

/// Every `.h5` file below `directory`.
public func weightFiles(below directory: String) throws -> [String] {
    let enumerator = FileManager.default.enumerator(atPath: directory)
    var paths: [String] = []
    while let relative = enumerator?.nextObject() as? String {
        if relative.hasSuffix(".h5") { paths.append("\(directory)/\(relative)") }
    }
    return paths.sorted()
}
