/// A model defined by a graph of layers applied to symbolic tensors, like Keras's functional API:
///
/// ```swift
/// let x = Input(shape: [8])
/// let y = Dense(3)(Dense(16, activation: .relu)(x))
/// let model = try Functional(inputs: [x], outputs: [y], name: "m")
/// let out = model(.randomUniform([2, 8]))
/// ```
///
/// A layer applied twice is one layer (shared weights); a model may be applied as a layer; graphs
/// may have several inputs and outputs (``callAsFunction(_:)-([Tensor])``). ``layers`` lists the
/// graph's layers, input layers included, in Keras's order (by depth from the inputs, ties in the
/// order a walk from the outputs meets them), which also names their Keras 3 paths
/// (`layers/dense`, `layers/dense_1`, …).
public final class Functional: Model {
    public let inputs: [KerasTensor]
    public let outputs: [KerasTensor]
    /// The nodes in an order that runs each after its inputs.
    let schedule: [GraphNode]
    private let orderedLayers: [any Layer]

    /// Creates the model from its graph.
    ///
    /// - Throws: ``NeuralNetError/duplicateLayerName(model:name:)`` if two different layers share a
    ///   name.
    /// - Precondition: every output is computed from `inputs` alone.
    public init(inputs: [KerasTensor], outputs: [KerasTensor], name: String? = nil) throws {
        precondition(!inputs.isEmpty && !outputs.isEmpty, "Functional: needs inputs and outputs")
        self.inputs = inputs
        self.outputs = outputs
        let graph = GraphOrder(outputs: outputs)
        schedule = graph.schedule
        orderedLayers = graph.layers
        super.init(name: name ?? LayerNaming.uniqueName(prefix: "model"))   // tf-keras's automatic name
        let given = Set(inputs.map { ObjectIdentifier($0.node) })
        for node in schedule where node.inputs.isEmpty {
            precondition(given.contains(ObjectIdentifier(node)), "Functional '\(self.name)': the outputs depend on an Input not listed in inputs")
        }
        var names: [String: ObjectIdentifier] = [:]
        for layer in orderedLayers {
            if let other = names[layer.name], other != ObjectIdentifier(layer) {
                throw NeuralNetError.duplicateLayerName(model: self.name, name: layer.name)
            }
            names[layer.name] = ObjectIdentifier(layer)
        }
    }

    public override var className: String { "Functional" }
    public override var layers: [any Layer] { orderedLayers }
    public override var trackedAttributes: [TrackedAttribute] { [TrackedAttribute(name: "layers", layers: orderedLayers, isList: true)] }
    public override var tracksLayersAsList: Bool { true }
    public override var inputShape: [Int]? { inputs.count == 1 ? inputs[0].shape : nil }
    public override var isBuilt: Bool { true }
    public override func build(inputShape: [Int]) {}

    public override func outputShape(forInputShape inputShape: [Int]) -> [Int] {
        precondition(outputs.count == 1, "Functional '\(name)': has \(outputs.count) outputs")
        return outputs[0].shape
    }

    public override func summaryOutputShapes() -> [String] {
        var shapes: [ObjectIdentifier: [String]] = [:]
        for node in schedule {
            // tf-keras shows an input layer's shape as a list of one: `[(None, 6)]`.
            let text = node.inputs.isEmpty ? "[\(formatBatchShape(node.layer.inputShape ?? []))]" : formatBatchShape(produced(by: node))
            shapes[ObjectIdentifier(node.layer), default: []].append(text)
        }
        return orderedLayers.map { layer in
            let all = shapes[ObjectIdentifier(layer)] ?? ["?"]
            return Set(all).count == 1 ? all[0] : "multiple"
        }
    }

    /// Whether tf-keras prints the model as a chain (its 65-column table without connections): every
    /// layer applied once, each node with at most one input, and one node at each depth.
    var isSequentialLike: Bool {
        var seen = Set<ObjectIdentifier>()
        for node in schedule {
            guard node.inputs.count <= 1, !node.takesList, seen.insert(ObjectIdentifier(node.layer)).inserted else { return false }
        }
        return schedule.count == orderedLayers.count && inputs.count == 1 && outputs.count == 1
            && Set(schedule.flatMap { $0.inputs.map { ObjectIdentifier($0.node) } }).count == schedule.count - 1
    }

    /// Each layer's inputs as tf-keras's summary lists them: `dense[0][0]` (the producing layer,
    /// which of its applications, which of its outputs), over every application of the layer.
    func summaryConnections() -> [[String]] {
        var applications: [ObjectIdentifier: [GraphNode]] = [:]
        for node in schedule.sorted(by: { $0.serial < $1.serial }) { applications[ObjectIdentifier(node.layer), default: []].append(node) }
        func index(of node: GraphNode) -> Int {
            applications[ObjectIdentifier(node.layer)]?.firstIndex { $0 === node } ?? 0
        }
        return orderedLayers.map { layer in
            (applications[ObjectIdentifier(layer)] ?? []).flatMap { node in
                node.inputs.map { "\($0.node.layer.name)[\(index(of: $0.node))][0]" }
            }
        }
    }

    /// The per-sample shape a node produces.
    private func produced(by node: GraphNode) -> [Int] {
        if node.takesList, let layer = node.layer as? any MultiInputLayer { return layer.mergedShape(node.inputs.map(\.shape)) }
        return node.layer.outputShape(forInputShape: node.inputs[0].shape)
    }

    /// Runs a model with one input and one output.
    public override func call(_ input: Tensor) -> Tensor {
        precondition(inputs.count == 1 && outputs.count == 1,
                     "Functional '\(name)': has \(inputs.count) inputs and \(outputs.count) outputs; call it with a list")
        return self([input])[0]
    }

    /// Runs the graph on one batch per input, returning one batch per output.
    ///
    /// - Precondition: one tensor per input, each of its input's per-sample shape.
    public func callAsFunction(_ values: [Tensor]) -> [Tensor] {
        precondition(values.count == inputs.count, "Functional '\(name)': expected \(inputs.count) inputs, found \(values.count)")
        var computed: [ObjectIdentifier: Tensor] = [:]
        for (tensor, value) in zip(inputs, values) {
            precondition(Array(value.shape.dropFirst()) == tensor.shape,
                         "Functional '\(name)': input \(tensor.node.layer.name) expects per-sample shape \(formatShape(tensor.shape)), found \(formatShape(Array(value.shape.dropFirst())))")
            computed[ObjectIdentifier(tensor.node)] = value
        }
        for node in schedule where !node.inputs.isEmpty {
            let arguments = node.inputs.map { computed[ObjectIdentifier($0.node)]! }
            if node.takesList, let layer = node.layer as? any MultiInputLayer {
                computed[ObjectIdentifier(node)] = layer.merge(arguments)
            } else {
                computed[ObjectIdentifier(node)] = node.layer(arguments[0])
            }
        }
        return outputs.map { computed[ObjectIdentifier($0.node)]! }
    }
}

/// Keras's ordering of a functional graph (`keras.src.ops.function.map_graph`): nodes by depth
/// from the outputs (an operation's depth the largest of its nodes'), layers deepest first, ties
/// in the order a depth-first walk from the outputs first meets them.
struct GraphOrder {
    let schedule: [GraphNode]
    let layers: [any Layer]

    init(outputs: [KerasTensor]) {
        var discovery: [ObjectIdentifier: Int] = [:]
        var finished = Set<ObjectIdentifier>()
        var postOrder: [GraphNode] = []
        func walk(_ tensor: KerasTensor) {
            let node = tensor.node, layer = ObjectIdentifier(node.layer)
            if discovery[layer] == nil { discovery[layer] = discovery.count }
            guard !finished.contains(ObjectIdentifier(node)) else { return }
            for input in node.inputs { walk(input) }
            finished.insert(ObjectIdentifier(node))
            postOrder.append(node)
        }
        for output in outputs { walk(output) }
        var nodeDepth: [ObjectIdentifier: Int] = [:], layerDepth: [ObjectIdentifier: Int] = [:]
        for node in postOrder.reversed() {
            let layer = ObjectIdentifier(node.layer)
            let depth = max(nodeDepth[ObjectIdentifier(node)] ?? 0, layerDepth[layer] ?? 0)
            layerDepth[layer] = depth
            nodeDepth[ObjectIdentifier(node)] = depth
            for input in node.inputs {
                let parent = ObjectIdentifier(input.node)
                nodeDepth[parent] = max(depth + 1, nodeDepth[parent] ?? 0)
            }
        }
        schedule = postOrder
        var seen = Set<ObjectIdentifier>()
        let unique = postOrder.map(\.layer).filter { seen.insert(ObjectIdentifier($0)).inserted }
        layers = unique.sorted { a, b in
            let (depthA, depthB) = (layerDepth[ObjectIdentifier(a)]!, layerDepth[ObjectIdentifier(b)]!)
            return depthA != depthB ? depthA > depthB : discovery[ObjectIdentifier(a)]! < discovery[ObjectIdentifier(b)]!
        }
    }
}
