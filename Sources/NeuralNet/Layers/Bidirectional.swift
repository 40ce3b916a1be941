/// Keras's `Bidirectional` wrapper over a recurrent layer: a forward copy runs the sequence as
/// given, a backward copy runs it reversed (its sequence output reversed back), and their outputs
/// are merged by ``mergeMode``: concatenated on the last axis (`"concat"`, Keras's default), or
/// element-wise summed, multiplied or averaged (`"sum"`, `"mul"`, `"ave"`).
///
/// As in Keras, the wrapped layer becomes `forward_<name>` and a new layer of the same arguments
/// `backward_<name>`; Keras 3 saves them under `forward_layer` and `backward_layer`.
public final class Bidirectional: ComposedLayer {
    public let forwardLayer: any Recurrent
    public let backwardLayer: any Recurrent
    public let mergeMode: MergeMode
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?

    /// How the two directions' outputs combine, named as Keras's `merge_mode`.
    public enum MergeMode: String, Sendable, CaseIterable {
        case concat, sum, mul, ave
    }

    /// Wraps `layer`, which should be new (its name becomes the forward copy's).
    public init(_ layer: some Recurrent, mergeMode: MergeMode = .concat, inputShape: [Int]? = nil, name: String? = nil) {
        self.name = name ?? LayerNaming.uniqueName(prefix: "bidirectional")
        self.mergeMode = mergeMode
        forwardLayer = layer.copy(named: "forward_\(layer.name)")
        backwardLayer = layer.copy(named: "backward_\(layer.name)")
        // tf-keras names the copies' weights below the wrapper: `bidirectional/forward_lstm/lstm_cell/kernel:0`.
        for copy in [forwardLayer, backwardLayer] { copy.cell.owner = "\(self.name)/\(copy.name)" }
        self.inputShape = inputShape
        if let inputShape { build(inputShape: inputShape) }
    }

    public var className: String { "Bidirectional" }
    public var isBuilt: Bool { forwardLayer.isBuilt && backwardLayer.isBuilt }
    public var ownWeights: [Parameter] { [] }
    public var layers: [any Layer] { [forwardLayer, backwardLayer] }
    public var trackedAttributes: [TrackedAttribute] {
        [TrackedAttribute(name: "backward_layer", layers: [backwardLayer], isList: false),
         TrackedAttribute(name: "forward_layer", layers: [forwardLayer], isList: false)]
    }

    public func build(inputShape: [Int]) {
        forwardLayer.build(inputShape: inputShape)
        backwardLayer.build(inputShape: inputShape)
    }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] {
        var shape = forwardLayer.outputShape(forInputShape: inputShape)
        if mergeMode == .concat { shape[shape.count - 1] *= 2 }
        return shape
    }

    /// - Precondition: `input` is `[batch, time, features]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let forward = forwardLayer(input)
        let backward = forwardLayer.returnSequences ? reversedInTime(backwardLayer(reversedInTime(input))) : backwardLayer(reversedInTime(input))
        let (a, b) = (forward.scalars, backward.scalars)
        switch mergeMode {
        case .sum: return Tensor(shape: forward.shape, scalars: zip(a, b).map { $0 + $1 })
        case .mul: return Tensor(shape: forward.shape, scalars: zip(a, b).map { $0 * $1 })
        case .ave: return Tensor(shape: forward.shape, scalars: zip(a, b).map { ($0 + $1) / 2 })
        case .concat:
            let width = forward.shape.last!, rows = forward.count / width
            var output = [Float]()
            output.reserveCapacity(2 * a.count)
            for row in 0..<rows {
                output += a[(row * width)..<((row + 1) * width)]
                output += b[(row * width)..<((row + 1) * width)]
            }
            return Tensor(shape: forward.shape.dropLast() + [2 * width], scalars: output)
        }
    }

    /// `x` with its time axis (axis 1) reversed.
    private func reversedInTime(_ x: Tensor) -> Tensor {
        let (batch, steps) = (x.shape[0], x.shape[1]), step = x.count / max(batch * steps, 1)
        let values = x.scalars
        var output = [Float](repeating: 0, count: values.count)
        for b in 0..<batch {
            for t in 0..<steps {
                let from = (b * steps + t) * step, to = (b * steps + steps - 1 - t) * step
                output.replaceSubrange(to..<(to + step), with: values[from..<(from + step)])
            }
        }
        return Tensor(shape: x.shape, scalars: output)
    }
}
