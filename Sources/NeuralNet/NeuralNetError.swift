/// The one error type of the `NeuralNet` module: data errors that a caller can recover from.
///
/// Every message names the layer (and weight) it concerns; programmer errors such as a wrong input
/// width trap with a `precondition` instead.
public enum NeuralNetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A model received a layer whose explicit name is already used by another layer in it.
    case duplicateLayerName(model: String, name: String)
    /// `setWeights` received the wrong number of arrays.
    case weightCountMismatch(layer: String, expected: Int, found: Int)
    /// `setWeights` received an array of the wrong shape for a weight.
    case weightShapeMismatch(layer: String, weight: String, expected: [Int], found: [Int])
    /// No layer of the model has the requested name.
    case layerNotFound(model: String, name: String)
    /// An initializer or activation identifier that Keras does not define.
    case unknownIdentifier(kind: String, name: String)
    /// An initializer cannot produce the requested shape (e.g. `identity` for a non-matrix).
    case unsupportedShape(initializer: String, shape: [Int], reason: String)
    /// An `EinsumDense` equation Heft does not compute (see ``EinsumDense/Equation``).
    case unsupportedEquation(equation: String, reason: String)

    public var description: String {
        switch self {
        case let .duplicateLayerName(model, name):
            "model '\(model)': a layer named '\(name)' is already in the model; all layer names must be unique"
        case let .weightCountMismatch(layer, expected, found):
            "layer '\(layer)': expected \(expected) weight(s), received \(found)"
        case let .weightShapeMismatch(layer, weight, expected, found):
            "layer '\(layer)', weight '\(weight)': expected shape \(formatShape(expected)), received \(formatShape(found))"
        case let .layerNotFound(model, name):
            "model '\(model)': no layer named '\(name)'"
        case let .unknownIdentifier(kind, name):
            "unknown \(kind) '\(name)'"
        case let .unsupportedShape(initializer, shape, reason):
            "initializer '\(initializer)' cannot fill shape \(formatShape(shape)): \(reason)"
        case let .unsupportedEquation(equation, reason):
            "einsum equation '\(equation)': \(reason)"
        }
    }
}

/// A shape as Keras and numpy print it: `(20, 256)`, `(10,)`, `()`.
package func formatShape(_ shape: [Int]) -> String {
    shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
}

/// Formats a per-sample shape with Keras's unknown batch axis: `(None, 256)`.
func formatBatchShape(_ shape: [Int]) -> String {
    shape.isEmpty ? "(None,)" : "(None, " + shape.map(String.init).joined(separator: ", ") + ")"
}
