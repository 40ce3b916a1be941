/// A linear stack of layers, like `keras.Sequential`.
///
/// ```swift
/// let net = try Sequential([Dense(256, activation: .relu, inputShape: [20]), Dense(10)])
/// let y = net(.randomUniform([2, 20]))     // shape [2, 10]
/// ```
///
/// When the first layer has an input shape, every layer is built as it is added, so the weights
/// exist before the first call (as in Keras). The same layer object may be added more than once:
/// it is applied at each position and its weights count once. Two *different* layers with the same
/// name are an error.
public final class Sequential: Model {
    private var stack: [any Layer] = []
    /// The per-sample input shape, once known (from the first layer or from the first call).
    private var knownInputShape: [Int]?
    /// Each name in the stack and its layer, so adding checks a name in constant time.
    private var layersByName: [String: ObjectIdentifier] = [:]
    /// The stack's per-sample output shape once every layer is built for ``knownInputShape``, so
    /// adding a layer builds only that one: a stack of n layers is built in O(n), not O(n²).
    private var builtOutputShape: [Int]?

    /// Creates a model that applies `layers` in order.
    ///
    /// - Throws: ``NeuralNetError/duplicateLayerName(model:name:)`` if two different layers share a name.
    public init(_ layers: [any Layer] = [], name: String? = nil) throws {
        super.init(name: name)
        for layer in layers { try add(layer) }
    }

    /// Appends a layer, building it when the input shape is known.
    ///
    /// - Throws: ``NeuralNetError/duplicateLayerName(model:name:)`` if a different layer already in
    ///   the model has the same name; the model is then unchanged.
    public func add(_ layer: any Layer) throws {
        if let holder = layersByName[layer.name], holder != ObjectIdentifier(layer) {
            throw NeuralNetError.duplicateLayerName(model: name, name: layer.name)
        }
        layersByName[layer.name] = ObjectIdentifier(layer)
        stack.append(layer)
        if stack.count == 1, knownInputShape == nil { knownInputShape = layer.inputShape }
        if let shape = builtOutputShape {
            layer.build(inputShape: shape)
            builtOutputShape = layer.outputShape(forInputShape: shape)
        } else if let knownInputShape {
            build(inputShape: knownInputShape)
        }
    }

    public override var className: String { "Sequential" }
    /// The layers in order, each object once (`model.layers`).
    public override var layers: [any Layer] { unique(stack) }
    public override var inputShape: [Int]? { knownInputShape }
    /// The layers, as one list attribute named `layers`, a layer used twice listed twice (as in
    /// Keras 3's Sequential, whose saved paths count each use).
    public override var trackedAttributes: [TrackedAttribute] {
        [TrackedAttribute(name: "layers", layers: stack, isList: true)]
    }
    /// `true`: Keras tracks a Sequential's layers as one list.
    public override var tracksLayersAsList: Bool { true }

    /// Builds every layer for per-sample input shape `inputShape`, propagating shapes through the stack.
    public override func build(inputShape: [Int]) {
        knownInputShape = inputShape
        var shape = inputShape
        for layer in stack {
            layer.build(inputShape: shape)
            shape = layer.outputShape(forInputShape: shape)
        }
        builtOutputShape = shape
    }

    public override func outputShape(forInputShape inputShape: [Int]) -> [Int] {
        stack.reduce(inputShape) { $1.outputShape(forInputShape: $0) }
    }

    /// Applies the layers in order.
    public override func call(_ input: Tensor) -> Tensor {
        if knownInputShape == nil { knownInputShape = Array(input.shape.dropFirst()) }
        return stack.reduce(input) { $1($0) }
    }

    /// `(None, 256)` per layer once the input shape is known, `multiple` for a layer applied at
    /// several positions, `?` before the model is built.
    public override func summaryOutputShapes() -> [String] {
        guard var shape = knownInputShape else { return layers.map { _ in "?" } }
        var shapes: [ObjectIdentifier: String] = [:]
        for layer in stack {
            shape = layer.outputShape(forInputShape: shape)
            let id = ObjectIdentifier(layer)
            shapes[id] = shapes[id] == nil ? formatBatchShape(shape) : "multiple"
        }
        return layers.map { shapes[ObjectIdentifier($0)] ?? "?" }
    }
}
