/// A weight of a layer: a reference object holding a ``Tensor``, like a Keras variable.
///
/// Sharing a weight means several layers hold the *same* `Parameter` object. Every update goes
/// through ``assign(_:)``, which replaces the value in place, so ties survive `setWeights` and
/// checkpoint loads.
public final class Parameter: CustomStringConvertible {
    /// The weight's own name, e.g. `kernel`.
    public let name: String
    /// The name of the layer that created the weight, e.g. `dense`.
    public let layerName: String
    /// Whether an optimizer may update this weight (a frozen layer moves all its weights to the
    /// non-trainable list regardless of this flag).
    public var trainable: Bool
    /// The current value. Its shape and dtype never change after creation.
    public private(set) var value: Tensor

    /// Creates a weight named `layerName/name:0` holding `value`.
    public init(name: String, layerName: String, value: Tensor, trainable: Bool = true) {
        self.name = name
        self.layerName = layerName
        self.value = value
        self.trainable = trainable
    }

    /// The variable name as tf-keras writes it to weight files: `dense/kernel:0`.
    public var kerasName: String { "\(layerName)/\(name):0" }
    /// The shape of the value.
    public var shape: [Int] { value.shape }
    /// The element type of the value.
    public var dtype: DType { value.dtype }

    /// Replaces the value in place, converting `newValue` to this weight's dtype.
    ///
    /// - Throws: ``NeuralNetError/weightShapeMismatch(layer:weight:expected:found:)`` when the
    ///   shape differs; the value is then unchanged.
    public func assign(_ newValue: Tensor) throws {
        guard newValue.shape == value.shape else {
            throw NeuralNetError.weightShapeMismatch(layer: layerName, weight: kerasName,
                                                     expected: value.shape, found: newValue.shape)
        }
        value = newValue.converted(to: value.dtype)
    }

    /// Calls `body` with the value's elements as mutable raw bytes (the native little-endian layout
    /// of ``dtype``), to overwrite them in place, e.g. by reading a checkpoint straight into the
    /// weight. Shape and dtype stay the same; ties see the new values at once.
    package func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try value.withUnsafeMutableBytes(body)
    }

    public var description: String {
        "<Parameter \(kerasName) shape=\(formatShape(shape)) dtype=\(dtype)>"
    }
}
