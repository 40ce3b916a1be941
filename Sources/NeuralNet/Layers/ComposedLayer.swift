/// A built-in layer that holds sublayers under named attributes, as Keras's recurrent layers hold
/// their `cell`: Keras 3 saves each sublayer's variables under `<layer path>/<attribute>`.
public protocol ComposedLayer: Layer {
    /// The attributes that hold sublayers (Keras's tracked attributes).
    var trackedAttributes: [TrackedAttribute] { get }
}
