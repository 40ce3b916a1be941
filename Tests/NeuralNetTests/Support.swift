import Foundation
import NeuralNet

/// The package's `fixtures/` folder, found from this file's path.
let fixturesURL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fixtures")

/// Mean and population variance of `values`.
func moments(_ values: [Float]) -> (mean: Double, variance: Double) {
    let n = Double(values.count)
    let mean = values.reduce(0.0) { $0 + Double($1) } / n
    let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
    return (mean, variance)
}

/// A forward-pass fixture written by real Keras (see tools/python/write_fixtures.py).
struct ForwardFixture: Decodable {
    struct Layer: Decodable { let units: Int; let activation: String; let use_bias: Bool }
    struct Array: Decodable { let shape: [Int]; let values: [Float] }
    let writer: String
    let layers: [Layer]
    let weights: [Array]
    let input: Array
    let output: Array

    static func load(_ name: String) throws -> ForwardFixture {
        let data = try Data(contentsOf: fixturesURL.appendingPathComponent("forward/\(name).json"))
        return try JSONDecoder().decode(ForwardFixture.self, from: data)
    }

    static var names: [String] {
        let folder = fixturesURL.appendingPathComponent("forward")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }
}

extension Tensor {
    init(_ array: ForwardFixture.Array) { self.init(shape: array.shape, scalars: array.values) }
}
