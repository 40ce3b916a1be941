import NeuralNet

/// One layer's config arguments, read with the checks a model built from a file needs: every
/// value of the expected type, and arguments Heft does not implement refused unless they hold
/// Keras's default (the error names the layer, the class and the argument).
struct KerasArguments {
    let file: String
    let layer: String
    let className: String
    let values: [String: JSONValue]

    func refusal(_ argument: String, _ detail: String) -> CheckpointError {
        CheckpointError(file: file, .unsupportedModel("layer '\(layer)' (\(className)): \(argument) \(detail)"))
    }

    func int(_ key: String, default fallback: Int? = nil) throws -> Int {
        switch values[key] {
        case .number(let value)? where value == value.rounded() && abs(value) < 1e15: return Int(value)
        case .null?, nil:
            guard let fallback else { throw refusal(key, "is missing") }
            return fallback
        default: throw refusal(key, "is not an integer")
        }
    }

    /// A size given as one integer or a list of `count` (`kernel_size: 3` or `[3, 3]`).
    func ints(_ key: String, count: Int, default fallback: [Int]? = nil) throws -> [Int] {
        switch values[key] {
        case .number?: return Array(repeating: try int(key), count: count)
        case .array(let list)? where list.count == count:
            return try list.map { element in
                guard case .number(let value) = element, value == value.rounded() else { throw refusal(key, "is not a list of integers") }
                return Int(value)
            }
        case .null?, nil:
            guard let fallback else { throw refusal(key, "is missing") }
            return fallback
        default: throw refusal(key, "is not \(count) integers")
        }
    }

    func double(_ key: String, default fallback: Double) throws -> Double {
        switch values[key] {
        case .number(let value)?: return value
        case .null?, nil: return fallback
        default: throw refusal(key, "is not a number")
        }
    }

    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        switch values[key] {
        case .bool(let value)?: return value
        case nil: return fallback
        default: throw refusal(key, "is not true or false")
        }
    }

    func string(_ key: String, default fallback: String) throws -> String {
        switch values[key] {
        case .string(let value)?: return value
        case .null?, nil: return fallback
        default: throw refusal(key, "is not a string")
        }
    }

    /// Throws unless `key` is absent or holds one of `allowed` (Keras's defaults Heft implements).
    func require(_ key: String, in allowed: [JSONValue]) throws {
        guard let value = values[key], !allowed.contains(value) else { return }
        throw refusal(key, "= \(Self.text(value)) is not supported (Heft implements \(allowed.map(Self.text).joined(separator: " or ")))")
    }

    /// A normalization's one axis (`-1`, `[-1]`, or tf-keras's built `[3]`).
    func axis() throws -> Int {
        switch values["axis"] {
        case .number(let value)?: return Int(value)
        case .array(let items)? where items.count == 1: if case .number(let value) = items[0] { return Int(value) }
        case nil: return -1
        default: break
        }
        throw refusal("axis", "is not one axis (Heft normalizes one axis, the last)")
    }

    func padding() throws -> Padding {
        let text = try string("padding", default: "valid")
        guard let padding = Padding(rawValue: text) else { throw refusal("padding", "= '\(text)' is not supported (valid or same)") }
        return padding
    }

    func activation(_ key: String = "activation") throws -> Activation {
        let name = try string(key, default: "linear")
        do {
            return try Activation(identifier: name)
        } catch {
            throw refusal(key, "= '\(name)' is not an activation Heft knows")
        }
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): "\(flag)"
        case .number(let number): number == number.rounded() ? "\(Int(number))" : "\(number)"
        case .string(let string): "'\(string)'"
        case .array(let items): "[" + items.map(text).joined(separator: ", ") + "]"
        case .object: "an object"
        }
    }
}
