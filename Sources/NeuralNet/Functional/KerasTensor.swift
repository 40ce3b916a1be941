import Synchronization

/// A symbolic tensor of a functional graph, like Keras's `KerasTensor`: what `Input(shape:)`
/// returns and what calling a layer on one returns. It records its per-sample shape and the node
/// (layer and inputs) that produces it; ``Functional`` runs the graph.
public final class KerasTensor {
    /// The per-sample shape (no batch axis).
    public let shape: [Int]
    /// The application of a layer that produces this tensor.
    let node: GraphNode

    init(shape: [Int], node: GraphNode) {
        self.shape = shape
        self.node = node
    }
}

/// One application of a layer to symbolic inputs (an `InputLayer` has none).
final class GraphNode {
    let layer: any Layer
    let inputs: [KerasTensor]
    /// Whether the layer takes its inputs as a list (a merge layer), even a list of one.
    let takesList: Bool
    /// The order in which nodes were made (a layer's applications are numbered by it).
    let serial: UInt64

    private static let counter = Mutex<UInt64>(0)

    init(layer: any Layer, inputs: [KerasTensor], takesList: Bool) {
        (self.layer, self.inputs, self.takesList) = (layer, inputs, takesList)
        serial = Self.counter.withLock { value in
            defer { value += 1 }
            return value
        }
    }
}

/// A functional model's input: `let x = Input(shape: [8])`, like `keras.Input(shape=(8,))`.
///
/// - Precondition: every size is positive.
public func Input(shape: [Int], name: String? = nil) -> KerasTensor {
    let layer = InputLayer(shape: shape, name: name)
    let tensor = KerasTensor(shape: shape, node: GraphNode(layer: layer, inputs: [], takesList: false))
    layer.output = tensor
    return tensor
}

extension Layer {
    /// Applies the layer to a symbolic tensor, building it for that tensor's shape: a node of a
    /// functional graph (the layer may be applied several times; it keeps one set of weights).
    public func callAsFunction(_ input: KerasTensor) -> KerasTensor {
        build(inputShape: input.shape)
        return KerasTensor(shape: outputShape(forInputShape: input.shape), node: GraphNode(layer: self, inputs: [input], takesList: false))
    }
}
