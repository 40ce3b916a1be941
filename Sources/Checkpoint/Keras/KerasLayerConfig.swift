import Foundation

/// A layer (or model) as a Keras config describes it: the `model_config` of a full-model `.h5`,
/// or the `config.json` of a `.keras` archive. Holds what the catalog needs: the class, the name,
/// the arguments, and the layers of a model or the layer a wrapper wraps.
package struct KerasLayerConfig: Sendable {
    /// The config `class_name`, e.g. `LSTM`, `Sequential`.
    package let className: String
    /// The layer's name (`config.name`).
    package let name: String
    /// The arguments (`config`).
    package let arguments: [String: JSONValue]
    /// The layers of a Sequential or functional model, in the config's order (parsed once).
    package let layers: [KerasLayerConfig]
    /// ``layers`` by name (the first of a name).
    private let layersByName: [String: Int]

    /// Parses a serialized model config, e.g. `{"class_name": "Sequential", "config": {…}}`.
    ///
    /// - Returns: `nil` when `json` is not a Keras config (no `class_name`, or not JSON).
    package init?(json: String) {
        let value: JSONValue
        do { value = try JSONValue.parse(Data(json.utf8)) } catch { return nil }   // not JSON: not a config
        self.init(value)
    }

    /// Reads one serialized layer: `{"class_name": …, "config": {"name": …, …}}`.
    package init?(_ value: JSONValue) {
        guard case .object(let object) = value, case .string(let className)? = object["class_name"] else { return nil }
        var arguments: [String: JSONValue] = [:]
        if case .object(let config)? = object["config"] { arguments = config }
        let name: String
        if case .string(let configured)? = arguments["name"] {
            name = configured
        } else if case .string(let outer)? = object["name"] {
            name = outer
        } else {
            name = ""
        }
        self.className = className
        self.name = name
        self.arguments = arguments
        if case .array(let list)? = arguments["layers"] { layers = list.compactMap(KerasLayerConfig.init) } else { layers = [] }
        layersByName = Dictionary(layers.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The layer of the model called `name`, if any.
    package func layer(named name: String) -> KerasLayerConfig? {
        layersByName[name].map { layers[$0] }
    }

    /// The layer under `key` (Bidirectional's and TimeDistributed's `layer`, RNN's `cell`).
    package func wrapped(_ key: String) -> KerasLayerConfig? {
        arguments[key].flatMap(KerasLayerConfig.init)
    }

    /// The value of a boolean argument (`use_bias`), or of a test `key == value` / `key > 0`
    /// (`score_mode == concat`, `momentum > 0`); `nil` when the argument is absent.
    package func flag(_ expression: String) -> Bool? {
        let parts = expression.split(separator: " ").map(String.init)
        if parts.count == 3 {
            switch (arguments[parts[0]], parts[1]) {
            case (.string(let text)?, "=="): return text == parts[2]
            case (.number(let number)?, ">"): return number > Double(parts[2]) ?? 0
            default: return nil
            }
        }
        switch arguments[expression] {
        case .bool(let value)?: return value
        case .null?: return false
        case .string(let text)?: return !text.isEmpty
        default: return nil
        }
    }

    /// Every layer config by name, depth first (models' layers, wrapped layers).
    package func descendants() -> [KerasLayerConfig] {
        let children = layers + ["layer", "cell", "backward_layer"].compactMap(wrapped)
        return children.flatMap { [$0] + $0.descendants() }
    }
}

/// A JSON value, for configs and headers read from files.
package enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses `data` as one JSON value.
    ///
    /// - Throws: `DecodingError` for data that is not JSON.
    package static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    package init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {          // a type probe, not a hidden failure
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Encodes the value as JSON (integral numbers without a fraction: `3`, as Python reads an int).
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value) where value == value.rounded() && abs(value) < 1e15: try container.encode(Int(value))
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let items): try container.encode(items)
        case .object(let members): try container.encode(members)
        }
    }

    /// The value as compact JSON text, keys sorted.
    package var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        } catch {
            preconditionFailure("JSONValue: a JSON value failed to encode: \(error)")   // finite numbers and strings always encode
        }
    }
}
