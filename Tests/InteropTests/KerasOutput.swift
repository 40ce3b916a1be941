import Testing

/// What a Keras check (tools/python/keras_check.py) reports for one case: the model's output,
/// flattened, or why Keras could not load or run it.
struct KerasOutput: Decodable {
    let values: [Double]?
    let error: String?

    /// Every case of `expected` has a result in `results`, without error, whose values equal the
    /// expected ones within 1e-5 of their largest magnitude (at least 1).
    static func expect(_ results: [String: KerasOutput], match expected: [String: [Double]]) throws {
        for (id, values) in expected.sorted(by: { $0.key < $1.key }) {
            let output = try #require(results[id], "no result for \(id)")
            #expect(output.error == nil, "\(id): \(output.error ?? "")")
            guard let found = output.values else { continue }
            let scale = max(1, values.map(abs).max() ?? 0)
            let largest = zip(found, values).map { abs($0 - $1) }.max() ?? 0
            #expect(found.count == values.count && largest <= 1e-5 * scale, "\(id): max |Δ| \(largest)")
        }
    }
}
