/// A layer applied to several tensors of one functional graph (a merge layer's list, an attention
/// layer's query and value).
public protocol MultiInputLayer: Layer {
    /// The per-sample output shape for the inputs' per-sample shapes; builds the layer if needed.
    func mergedShape(_ shapes: [[Int]]) -> [Int]
    /// The layer on `inputs` (each `[batch, …]`).
    func merge(_ inputs: [Tensor]) -> Tensor
}

extension MultiInputLayer {
    /// Applies the layer to symbolic tensors (a node of a functional graph): a merge layer's list,
    /// an attention layer's `[query, value]`.
    ///
    /// - Precondition: at least one input; shapes the layer accepts.
    public func callAsFunction(_ inputs: [KerasTensor]) -> KerasTensor {
        precondition(!inputs.isEmpty, "\(className) layer '\(name)': needs at least one input")
        return KerasTensor(shape: mergedShape(inputs.map(\.shape)), node: GraphNode(layer: self, inputs: inputs, takesList: true))
    }
}

/// A layer that combines several tensors of one functional graph: Keras's `Add`, `Subtract`,
/// `Multiply`, `Average` and `Concatenate`. Applied to a list: `Add()([a, b])`.
public protocol Merge: StatelessLayer, MultiInputLayer {}

extension Merge {
    public func outputShape(forInputShape inputShape: [Int]) -> [Int] { inputShape }

    /// A merge layer takes a list: call it on `[a, b]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        preconditionFailure("\(className) layer '\(name)': call it on a list of tensors")
    }

    /// Combines `inputs`.
    public func callAsFunction(_ inputs: [Tensor]) -> Tensor { merge(inputs) }

}

/// Element-wise merges (`Add`, `Subtract`, `Multiply`, `Average`): every input has one shape.
public protocol ElementwiseMerge: Merge {
    /// Which combination.
    var operation: MergeOperation { get }
}

/// The combination of an ``ElementwiseMerge``.
public enum MergeOperation: Sendable { case add, subtract, multiply, average }

extension ElementwiseMerge {
    public func mergedShape(_ shapes: [[Int]]) -> [Int] {
        precondition(shapes.allSatisfy { $0 == shapes[0] }, "\(className) layer '\(name)': inputs of different shapes \(shapes.map(formatShape))")
        precondition(operation != .subtract || shapes.count == 2, "Subtract layer '\(name)': needs exactly two inputs")
        return shapes[0]
    }

    public func merge(_ inputs: [Tensor]) -> Tensor {
        precondition(inputs.allSatisfy { $0.shape == inputs[0].shape }, "\(className) layer '\(name)': inputs of different shapes")
        var values = inputs[0].scalars
        for other in inputs.dropFirst() {
            let next = other.scalars
            for index in values.indices {
                switch operation {
                case .add, .average: values[index] += next[index]
                case .subtract: values[index] -= next[index]
                case .multiply: values[index] *= next[index]
                }
            }
        }
        if operation == .average { for index in values.indices { values[index] /= Float(inputs.count) } }
        return Tensor(shape: inputs[0].shape, scalars: values)
    }
}

/// Keras's `Add`: `a + b + …`.
public final class Add: ElementwiseMerge {
    public let name: String
    public var trainable = true
    public var inputShape: [Int]? { nil }
    public var operation: MergeOperation { .add }
    public var className: String { "Add" }

    public init(name: String? = nil) {
        self.name = name ?? LayerNaming.uniqueName(prefix: "add")
    }
}

/// Keras's `Subtract`: `a − b`.
public final class Subtract: ElementwiseMerge {
    public let name: String
    public var trainable = true
    public var inputShape: [Int]? { nil }
    public var operation: MergeOperation { .subtract }
    public var className: String { "Subtract" }

    public init(name: String? = nil) {
        self.name = name ?? LayerNaming.uniqueName(prefix: "subtract")
    }
}

/// Keras's `Multiply`: `a ⊙ b ⊙ …`.
public final class Multiply: ElementwiseMerge {
    public let name: String
    public var trainable = true
    public var inputShape: [Int]? { nil }
    public var operation: MergeOperation { .multiply }
    public var className: String { "Multiply" }

    public init(name: String? = nil) {
        self.name = name ?? LayerNaming.uniqueName(prefix: "multiply")
    }
}

/// Keras's `Average`: `(a + b + …) / n`.
public final class Average: ElementwiseMerge {
    public let name: String
    public var trainable = true
    public var inputShape: [Int]? { nil }
    public var operation: MergeOperation { .average }
    public var className: String { "Average" }

    public init(name: String? = nil) {
        self.name = name ?? LayerNaming.uniqueName(prefix: "average")
    }
}

/// Keras's `Concatenate` on the last axis.
public final class Concatenate: Merge {
    public let name: String
    public var trainable = true
    public var inputShape: [Int]? { nil }

    public init(name: String? = nil) {
        self.name = name ?? LayerNaming.uniqueName(prefix: "concatenate")
    }

    public var className: String { "Concatenate" }

    public func mergedShape(_ shapes: [[Int]]) -> [Int] {
        precondition(shapes.allSatisfy { $0.dropLast() == shapes[0].dropLast() },
                     "Concatenate layer '\(name)': inputs differ before the last axis: \(shapes.map(formatShape))")
        return shapes[0].dropLast() + [shapes.map { $0.last ?? 1 }.reduce(0, +)]
    }

    public func merge(_ inputs: [Tensor]) -> Tensor {
        let widths = inputs.map { $0.shape.last ?? 1 }, rows = inputs[0].count / max(widths[0], 1)
        let values = inputs.map(\.scalars)
        var output = [Float]()
        output.reserveCapacity(rows * widths.reduce(0, +))
        for row in 0..<rows {
            for (input, width) in zip(values, widths) { output += input[(row * width)..<((row + 1) * width)] }
        }
        return Tensor(shape: inputs[0].shape.dropLast() + [widths.reduce(0, +)], scalars: output)
    }
}
