import Foundation

/// How the results of one process's share of a command (`mpirun`: see docs/design.md, "Clusters")
/// are written for rank 0: JSON, with NaN and infinities as strings (a comparison's largest
/// difference can be either) so they come back as the same values.
package enum PartCoding {
    /// `value` as bytes.
    ///
    /// - Throws: what `JSONEncoder` throws (nothing for the records here).
    package static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return Array(try encoder.encode(value))
    }

    /// The value `bytes` hold.
    ///
    /// - Throws: `DecodingError` if they do not hold a `T`.
    package static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(type, from: Data(bytes))
    }
}
