/// A JSON parser for data from files (a sharded checkpoint's index, a safetensors header) that
/// keeps object keys in their order and refuses what lenient parsers accept silently: a key twice
/// (Foundation and Python keep one of them), nesting deeper than 64 levels, text that is not UTF-8,
/// anything after the value. Numbers keep their text, so integers beyond 2⁵³ stay exact.
///
/// Why not Foundation's `JSONSerialization` or `JSONDecoder`: both drop duplicate keys and key
/// order without a trace, and a header whose two entries share a name would then read as one.
package enum StrictJSON {
    /// A parsed value.
    package indirect enum Value: Equatable, Sendable {
        case null
        case bool(Bool)
        /// A number, as written.
        case number(String)
        case string(String)
        case array([Value])
        /// Members in the order written.
        case object([(key: String, value: Value)])

        package static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case (.null, .null): true
            case let (.bool(x), .bool(y)): x == y
            case let (.number(x), .number(y)): x == y
            case let (.string(x), .string(y)): x == y
            case let (.array(x), .array(y)): x == y
            case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
            default: false
            }
        }

        /// The member `key` of an object.
        package subscript(key: String) -> Value? {
            guard case .object(let members) = self else { return nil }
            return members.first { $0.key == key }?.value
        }

        /// The number as a non-negative integer, if it is one.
        package var unsignedInteger: UInt64? {
            guard case .number(let text) = self else { return nil }
            return UInt64(text)
        }
    }

    /// Why the data is not acceptable JSON: a message with the byte offset.
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// `text` as a JSON string literal in ASCII, as Python's `json.dumps` writes it: quotes,
    /// backslashes and control characters escaped, everything past `~` as `\uXXXX` (surrogate
    /// pairs past U+FFFF).
    package static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value > 0x7E {
                    result += String(scalar).utf16.map { String(format: "\\u%04x", $0) }.joined()
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// Parses `bytes` as exactly one JSON value.
    ///
    /// - Throws: ``Failure`` for anything that is not strict JSON, a duplicate key, or nesting
    ///   deeper than 64.
    package static func parse(_ bytes: [UInt8]) throws(Failure) -> Value {
        var parser = Parser(bytes: bytes)
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.position == bytes.count else { throw parser.failure("text after the JSON value") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        func failure(_ what: String) -> Failure {
            Failure(description: "\(what) at byte \(position)")
        }

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
        }

        mutating func value(depth: Int) throws(Failure) -> Value {
            guard depth <= 64 else { throw failure("nesting deeper than 64 levels") }
            skipSpace()
            guard position < bytes.count else { throw failure("the JSON ends early") }
            switch bytes[position] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return .number(try number())
            }
        }

        mutating func literal(_ word: String) throws(Failure) {
            let expected = Array(word.utf8)
            guard bytes.count - position >= expected.count, Array(bytes[position..<position + expected.count]) == expected else {
                throw failure("not JSON")
            }
            position += expected.count
        }

        mutating func object(depth: Int) throws(Failure) -> Value {
            position += 1
            var members: [(key: String, value: Value)] = []
            var keys = Set<String>()
            skipSpace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw failure("an object key is not a string") }
                let key = try string()
                guard keys.insert(key).inserted else { throw failure("the key \"\(key)\" appears twice") }
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw failure("no ':' after a key") }
                position += 1
                members.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard position < bytes.count else { throw failure("the JSON ends early") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                guard bytes[position] == UInt8(ascii: "}") else { throw failure("no ',' or '}' after a member") }
                position += 1
                return .object(members)
            }
        }

        mutating func array(depth: Int) throws(Failure) -> Value {
            position += 1
            var elements: [Value] = []
            skipSpace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            }
            while true {
                elements.append(try value(depth: depth + 1))
                skipSpace()
                guard position < bytes.count else { throw failure("the JSON ends early") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                guard bytes[position] == UInt8(ascii: "]") else { throw failure("no ',' or ']' after an element") }
                position += 1
                return .array(elements)
            }
        }

        mutating func number() throws(Failure) -> String {
            let start = position
            if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
            let digits = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
            guard position > digits else { throw failure("not JSON") }
            if bytes[digits] == UInt8(ascii: "0") && position - digits > 1 { throw failure("a number with a leading zero") }
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                position += 1
                let fraction = position
                while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
                guard position > fraction else { throw failure("a number without fraction digits") }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
                let exponent = position
                while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
                guard position > exponent else { throw failure("a number without exponent digits") }
            }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        mutating func string() throws(Failure) -> String {
            position += 1
            var scalars: [UInt8] = []
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    guard let text = String(validating: scalars, as: UTF8.self) else { throw failure("a string that is not UTF-8") }
                    return text
                case UInt8(ascii: "\\"):
                    try escape(into: &scalars)
                case 0..<0x20:
                    throw failure("a control character inside a string")
                default:
                    scalars.append(byte)
                }
            }
            throw failure("a string that does not end")
        }

        mutating func escape(into scalars: inout [UInt8]) throws(Failure) {
            guard position < bytes.count else { throw failure("the JSON ends early") }
            let byte = bytes[position]
            position += 1
            let simple: [UInt8: UInt8] = [0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 0x08, 0x66: 0x0C, 0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09]
            if let replacement = simple[byte] {
                scalars.append(replacement)
                return
            }
            guard byte == UInt8(ascii: "u") else { throw failure("an unknown escape") }
            var code = try hex4()
            if (0xD800..<0xDC00).contains(code) {
                guard bytes.count - position >= 6, bytes[position] == 0x5C, bytes[position + 1] == UInt8(ascii: "u") else {
                    throw failure("an unpaired surrogate")
                }
                position += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw failure("an unpaired surrogate") }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(code) {
                throw failure("an unpaired surrogate")
            }
            guard let scalar = Unicode.Scalar(code) else { throw failure("an invalid \\u escape") }
            scalars += Array(String(Character(scalar)).utf8)
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard bytes.count - position >= 4 else { throw failure("the JSON ends early") }
            var code: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = Character(Unicode.Scalar(bytes[position])).hexDigitValue else { throw failure("an invalid \\u escape") }
                code = code * 16 + UInt32(digit)
                position += 1
            }
            return code
        }
    }
}
