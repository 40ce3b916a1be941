extension Functional {
    /// A tensor of the graph as a Keras config names it: the layer that produces it, which of that
    /// layer's applications in this model (Keras's node index, counted per model), and its
    /// per-sample shape.
    package struct TensorReference {
        package let layer: any Layer
        package let node: Int
        package let shape: [Int]
    }

    /// One application of a layer in this model: its inputs, and whether the layer takes them as a
    /// list (a merge layer, even of one tensor).
    package struct Application {
        package let inputs: [TensorReference]
        package let takesList: Bool
    }

    /// Each layer's applications in this model, in the order they were made (their node indices),
    /// keyed by the layer's identity; an input layer has one application without inputs.
    package var applications: [ObjectIdentifier: [Application]] {
        let numbers = nodeNumbers
        var result: [ObjectIdentifier: [Application]] = [:]
        for node in schedule.sorted(by: { $0.serial < $1.serial }) {
            let inputs = node.inputs.map { reference(to: $0, numbers: numbers) }
            result[ObjectIdentifier(node.layer), default: []].append(Application(inputs: inputs, takesList: node.takesList))
        }
        return result
    }

    /// The model's inputs as references (each an input layer's only application).
    package var inputReferences: [TensorReference] {
        let numbers = nodeNumbers
        return inputs.map { reference(to: $0, numbers: numbers) }
    }

    /// The model's outputs as references.
    package var outputReferences: [TensorReference] {
        let numbers = nodeNumbers
        return outputs.map { reference(to: $0, numbers: numbers) }
    }

    /// Each node's index among its layer's applications in this model.
    private var nodeNumbers: [ObjectIdentifier: Int] {
        var counts: [ObjectIdentifier: Int] = [:], numbers: [ObjectIdentifier: Int] = [:]
        for node in schedule.sorted(by: { $0.serial < $1.serial }) {
            let layer = ObjectIdentifier(node.layer)
            numbers[ObjectIdentifier(node)] = counts[layer, default: 0]
            counts[layer, default: 0] += 1
        }
        return numbers
    }

    private func reference(to tensor: KerasTensor, numbers: [ObjectIdentifier: Int]) -> TensorReference {
        TensorReference(layer: tensor.node.layer, node: numbers[ObjectIdentifier(tensor.node)] ?? 0, shape: tensor.shape)
    }
}
