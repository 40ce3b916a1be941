/// A building block of a network, with Keras's layer surface.
///
/// Layers are classes: a layer used twice in a forward pass is the same object, and its weights
/// count once. Conformers implement the requirements; the weight lists, `getWeights`/`setWeights`
/// and `countParams` come from the protocol extension (see `Layer+Weights.swift`).
public protocol Layer: AnyObject {
    /// The unique name, `dense`, `dense_1`, … unless given explicitly.
    var name: String { get }
    /// The Keras class name shown by `summary()`, e.g. `Dense`.
    var className: String { get }
    /// Whether the layer's weights are trainable; `false` moves all of them (and those of its
    /// sublayers) to ``nonTrainableWeights``.
    var trainable: Bool { get set }
    /// The per-sample input shape given at creation (`input_shape=`), if any.
    var inputShape: [Int]? { get }
    /// Whether the weights exist (a layer without an input shape builds on its first call).
    var isBuilt: Bool { get }
    /// The weights this layer created itself, in creation order (Dense: kernel, then bias).
    var ownWeights: [Parameter] { get }
    /// The directly tracked sublayers, in tracking order.
    var layers: [any Layer] { get }
    /// Creates the weights for inputs of per-sample shape `inputShape` (without the batch axis).
    /// Does nothing if already built.
    func build(inputShape: [Int])
    /// The per-sample output shape for a per-sample input shape (without the batch axis).
    func outputShape(forInputShape inputShape: [Int]) -> [Int]
    /// The forward pass on a batch-major input.
    func callAsFunction(_ input: Tensor) -> Tensor
}
