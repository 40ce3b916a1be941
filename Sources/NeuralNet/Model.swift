/// The base class for networks built from layers, like subclassing `keras.Model`.
///
/// Subclass it, store the sublayers as properties and override ``call(_:)``:
///
/// ```swift
/// final class MLPModel: Model {
///     let hidden = Dense(2, activation: .relu)
///     let hidden1 = Dense(2, activation: .relu)
///     let out = Dense(2)
///     override func call(_ x: Tensor) -> Tensor { out(hidden1(hidden(x))) }
/// }
/// ```
///
/// **Weight order.** By default ``layers`` lists every stored property that holds a layer (or an
/// optional layer, or an array of layers) in *declaration order*, superclass properties first, each
/// object once. ``weights`` then follows that order (see ``Layer/weights``), as Keras's follows
/// attribute-assignment order. Override ``layers`` to choose another order explicitly.
/// The model's name defaults to the snake-cased class name with Keras's counter (`mlp_model`).
open class Model: Layer {
    public let name: String
    public var trainable = true

    /// Creates a model named `name`, or by default the snake-cased class name (`MLPModel` → `mlp_model`).
    public init(name: String? = nil) {
        self.name = name ?? LayerNaming.uniqueName(prefix: LayerNaming.snakeCase(String(describing: Self.self)))
    }

    /// The class name shown by `summary()`: the Swift class name.
    open var className: String { String(describing: type(of: self)) }

    /// The sublayers found in stored properties, in declaration order (see the type's discussion).
    open var layers: [any Layer] {
        unique(trackedAttributes.flatMap(\.layers))
    }

    /// The stored properties that hold sublayers, in declaration order (superclass first): a
    /// property holding a layer or an optional layer, or an array of layers (`isList`).
    ///
    /// Keras 3's `.weights.h5` layout names a subclassed model's layers by these attribute names,
    /// so `Checkpoint` uses them to write and find `hidden/vars/0`. Found by reflection once, on
    /// first use (as Keras tracks attributes when they are set, a model's sublayers are its
    /// initializer's).
    open var trackedAttributes: [TrackedAttribute] {
        if let reflectedAttributes { return reflectedAttributes }
        let found = reflectAttributes()
        reflectedAttributes = found
        return found
    }

    /// ``trackedAttributes`` once found.
    private var reflectedAttributes: [TrackedAttribute]?

    private func reflectAttributes() -> [TrackedAttribute] {
        var mirrors: [Mirror] = []
        var next: Mirror? = Mirror(reflecting: self)
        while let mirror = next {
            mirrors.append(mirror)
            next = mirror.superclassMirror
        }
        return mirrors.reversed().flatMap { mirror in
            mirror.children.compactMap { child -> TrackedAttribute? in
                guard let label = child.label, !label.hasPrefix("$") else { return nil }
                if let layer = child.value as? any Layer, layer !== self {
                    return TrackedAttribute(name: label, layers: [layer], isList: false)
                }
                if let list = child.value as? [any Layer] {
                    return TrackedAttribute(name: label, layers: list.filter { $0 !== self }, isList: true)
                }
                return nil
            }
        }
    }

    /// Whether Keras tracks this model's sublayers only as one ordered list, as it does for
    /// `Sequential` and functional models (`false`: by attribute name, as for subclassed models).
    ///
    /// Override it to return `true` in a subclass that mirrors a Keras *functional* model, so its
    /// weights are saved and found at `layers/dense`, `layers/dense_1`, … as Keras 3 writes them.
    open var tracksLayersAsList: Bool { false }

    /// The forward pass. Subclasses must override it.
    open func call(_ input: Tensor) -> Tensor {
        preconditionFailure("\(className) '\(name)': subclasses of Model must override call(_:)")
    }

    /// Runs ``call(_:)``.
    public func callAsFunction(_ input: Tensor) -> Tensor { call(input) }

    /// A model owns no weights itself; its weights are its sublayers'.
    open var ownWeights: [Parameter] { [] }
    /// `nil` unless a subclass records one.
    open var inputShape: [Int]? { nil }
    /// Whether every sublayer is built (and there is at least one).
    open var isBuilt: Bool { let all = layers; return !all.isEmpty && all.allSatisfy(\.isBuilt) }

    /// Builds by calling the model once on a batch of one zero sample, as Keras's `build` does for
    /// subclassed models.
    open func build(inputShape: [Int]) {
        guard !isBuilt else { return }
        _ = call(.zeros([1] + inputShape))
    }

    /// The per-sample output shape, found by calling the model on one zero sample.
    open func outputShape(forInputShape inputShape: [Int]) -> [Int] {
        Array(call(.zeros([1] + inputShape)).shape.dropFirst())
    }

    /// The output shape text `summary()` shows for each layer; `multiple` for a subclassed model,
    /// as tf-keras prints it.
    open func summaryOutputShapes() -> [String] {
        layers.map { _ in "multiple" }
    }

    /// The direct sublayer named `name`, like `get_layer(name=…)`.
    ///
    /// - Throws: ``NeuralNetError/layerNotFound(model:name:)``.
    public func layer(named name: String) throws -> any Layer {
        guard let match = layers.first(where: { $0.name == name }) else {
            throw NeuralNetError.layerNotFound(model: self.name, name: name)
        }
        return match
    }

    /// The direct sublayer at `index`, like `get_layer(index=…)`.
    ///
    /// - Precondition: `index` is within ``layers``.
    public func layer(at index: Int) -> any Layer {
        let all = layers
        precondition(all.indices.contains(index), "model '\(name)': no layer at index \(index) (it has \(all.count))")
        return all[index]
    }
}

/// A stored property of a ``Model`` that holds sublayers (see ``Model/trackedAttributes``).
public struct TrackedAttribute {
    /// The property name, e.g. `hidden`.
    public let name: String
    /// The layers it holds: one, or the elements of an array.
    public let layers: [any Layer]
    /// Whether the property is an array of layers (Keras: a list attribute).
    public let isList: Bool

    /// Describes a property `name` holding `layers` (one, unless `isList`).
    public init(name: String, layers: [any Layer], isList: Bool) {
        self.name = name
        self.layers = layers
        self.isList = isList
    }
}
