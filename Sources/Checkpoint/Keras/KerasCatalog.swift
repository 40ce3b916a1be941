import NeuralNet

/// What Heft knows of Keras's built-in classes that own variables, for Keras 3.15 and tf-keras
/// 2.21: each layer class's variables in creation order (names, shapes in terms of the config,
/// trainability, the config switch that drops them), its sublayers with the attribute names its
/// Keras 3 object paths use, and each optimizer's state variables in order.
///
/// One table for every rule that needs a layer's structure: the tensor identities of dump and diff
/// (``KerasModelView``), the placement of weights when a file changes layout (convert), the
/// optimizer section, and the model loader. The catalog table of docs/formats.md is rendered from it
/// (``markdownTable``) and a test keeps the two equal.
package enum KerasCatalog {
    /// The layer class named `name` (a config `class_name` such as `LSTM` or `GroupQueryAttention`,
    /// or the Python class name such as `GroupedQueryAttention`).
    package static func layerClass(named name: String) -> KerasLayerClass? {
        byName[name]
    }

    /// The layer class whose automatic name (and Keras 3 path component) is `snakeName`, with or
    /// without Keras's `_<n>` counter: `dense_3` → Dense, `batch_normalization` →
    /// BatchNormalization, `grouped_query_attention` → GroupQueryAttention.
    package static func layerClass(automaticName snakeName: String) -> KerasLayerClass? {
        if let exact = bySnakeName[snakeName] { return exact }
        guard let underscore = snakeName.lastIndex(of: "_"),
              let counter = Int(snakeName[snakeName.index(after: underscore)...]), counter >= 1 else { return nil }
        return bySnakeName[String(snakeName[..<underscore])]
    }

    /// The other spellings of sublayer attributes, by attribute (`query_dense` → `_query_dense`).
    package static let attributeAliases: [String: [String]] = {
        var table: [String: [String]] = [:]
        for sublayer in layers.flatMap(\.sublayers) where !sublayer.attributeAliases.isEmpty {
            table[sublayer.attribute] = sublayer.attributeAliases
        }
        return table
    }()

    private static let byName: [String: KerasLayerClass] = {
        var table: [String: KerasLayerClass] = [:]
        for layer in layers {
            table[layer.name] = layer
            table[layer.pythonName] = layer
            for alias in layer.aliases { table[alias] = layer }
        }
        return table
    }()

    private static let bySnakeName: [String: KerasLayerClass] = {
        Dictionary(layers.map { ($0.snakeName, $0) }, uniquingKeysWith: { first, _ in first })
    }()
}

/// One Keras layer class in the catalog.
package struct KerasLayerClass: Sendable {
    /// Whether the class is a layer or a model (a container of layers).
    package enum Role: Sendable {
        case layer
        /// Sequential and functional models: their layers sit in the `layers` container, each
        /// under its class-based name.
        case model
    }

    /// The config `class_name`, e.g. `LSTM`.
    package let name: String
    /// The Python class name when it differs from the config's (`GroupedQueryAttention`): Keras 3
    /// paths and automatic names are its snake case.
    package let pythonName: String
    /// Other class names that mean this class (tf-keras's `Model` for a functional model).
    package let aliases: [String]
    package let role: Role
    /// The variables the class creates itself, in creation order (the Keras 3 `vars/<i>` order).
    package let variables: [KerasVariableSpec]
    /// The sublayers that own variables, in the order their variables are created.
    package let sublayers: [KerasSublayerSpec]
    /// The Keras lines that have the class.
    package let lines: KerasLines

    package init(_ name: String, python: String? = nil, aliases: [String] = [], role: Role = .layer,
                 variables: [KerasVariableSpec] = [], sublayers: [KerasSublayerSpec] = [], lines: KerasLines = .both) {
        self.name = name
        self.pythonName = python ?? name
        self.aliases = aliases
        self.role = role
        self.variables = variables
        self.sublayers = sublayers
        self.lines = lines
    }

    /// The snake-case name: the automatic layer name and the Keras 3 path component (`lstm`).
    package var snakeName: String { kerasSnakeCase(pythonName) }

    /// The own variables a file holds `count` of: all of them, or, when optional ones are missing,
    /// the one subset of that size the config switches allow (`nil` when none or several fit, e.g.
    /// a BatchNormalization with one of `scale`, `center` off).
    package func variables(count: Int) -> [KerasVariableSpec]? {
        if count == variables.count { return variables }
        let optional = variables.indices.filter { variables[$0].optionalOn != nil }
        let missing = variables.count - count
        guard missing > 0, missing <= optional.count else { return nil }
        let fits = subsets(of: optional, size: missing).map { dropped in
            variables.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
        }
        let distinct = Set(fits.map { $0.map(\.name) })
        return distinct.count == 1 ? fits[0] : nil
    }

    /// Every subset of the own variables with `count` members that the config switches allow, in
    /// creation order.
    package func variableCandidates(count: Int) -> [[KerasVariableSpec]] {
        let optional = variables.indices.filter { variables[$0].optionalOn != nil }
        let missing = variables.count - count
        guard missing >= 0, missing <= optional.count else { return [] }
        return subsets(of: optional, size: missing).map { dropped in
            variables.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
        }
    }

    /// The own variables present under a config (`use_bias`, `center`, `scale` switched off drop theirs).
    package func variables(config: KerasLayerConfig) -> [KerasVariableSpec] {
        variables.filter { variable in variable.optionalOn.map { config.flag($0) ?? true } ?? true }
    }

    /// The sublayer whose Keras 3 attribute (or one of its spellings) is `attribute`.
    package func sublayer(attribute: String) -> KerasSublayerSpec? {
        sublayers.first { $0.attribute == attribute || $0.attributeAliases.contains(attribute) }
    }
}

/// One variable of a layer class.
package struct KerasVariableSpec: Sendable, Equatable {
    /// Keras 3's name, e.g. `kernel` (the name in Heft's identities).
    package let name: String
    /// The shape in terms of the config, as documentation: `(input_dim, units)`.
    package let shape: String
    /// Whether an optimizer updates it (BatchNormalization's moving statistics do not).
    package let trainable: Bool
    /// The boolean config argument that, when false, removes the variable (`use_bias`).
    package let optionalOn: String?
    /// Other names one Keras line gives it (tf-keras's `depthwise_kernel` for Keras 3's `kernel`).
    package let aliases: [String]

    package init(_ name: String, _ shape: String, trainable: Bool = true, optionalOn: String? = nil, aliases: [String] = []) {
        self.name = name
        self.shape = shape
        self.trainable = trainable
        self.optionalOn = optionalOn
        self.aliases = aliases
    }

    /// Whether `name` (a variable name as a file writes it, without `:0`) means this variable.
    package func matches(_ name: String) -> Bool {
        name == self.name || aliases.contains(name)
    }
}

/// One sublayer of a layer class.
package struct KerasSublayerSpec: Sendable {
    /// How the sublayer's class is known.
    package enum Class: Sendable {
        /// Always this class (MultiHeadAttention's `query_dense` is an EinsumDense).
        case fixed(String)
        /// The class the config names under the first of these keys it has (Bidirectional's
        /// `backward_layer`, else `layer`; RNN's `cell`).
        case configured(keys: [String])
    }

    /// How legacy weight names call the sublayer.
    package enum LegacyName: Sendable {
        /// A fixed name (`query`, `lstm_cell`).
        case fixed(String)
        /// The inner layer's name after a prefix (`forward_` + `lstm`); a Bidirectional's backward
        /// layer given explicitly (`backward_layer=GRU(…)`) keeps its own name instead.
        case prefixed(String)
        /// The inner layer's own name (TimeDistributed's `dense`).
        case inner
    }

    /// The Keras 3 attribute, e.g. `cell`, `forward_layer`, `query_dense`.
    package let attribute: String
    /// Other spellings of the attribute in Keras 3 paths (tf-keras writes `_query_dense`).
    package let attributeAliases: [String]
    package let layerClass: Class
    package let legacyName: LegacyName

    package init(_ attribute: String, aliases: [String] = [], _ layerClass: Class, legacy: LegacyName) {
        self.attribute = attribute
        self.attributeAliases = aliases
        self.layerClass = layerClass
        self.legacyName = legacy
    }
}

/// The Keras lines a catalog entry applies to.
package enum KerasLines: String, Sendable {
    case both = "Keras 3, tf-keras 2"
    case keras3 = "Keras 3 only"
    case tfKeras = "tf-keras 2 only"
}

/// The non-empty subsets of `items` of `size` elements.
private func subsets(of items: [Int], size: Int) -> [[Int]] {
    guard size > 0 else { return [[]] }
    guard items.count >= size else { return [] }
    let first = items[0], rest = Array(items.dropFirst())
    return subsets(of: rest, size: size - 1).map { [first] + $0 } + subsets(of: rest, size: size)
}
