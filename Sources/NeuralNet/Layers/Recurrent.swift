/// What Keras's `SimpleRNN`, `LSTM` and `GRU` share: a ``RecurrentCell`` (its weights, saved under
/// the `cell` attribute) run over the time axis of `[batch, time, features]`, returning the last
/// output `[batch, units]` or, with `returnSequences`, every step's `[batch, time, units]`.
///
/// The input projection of all steps is one `cblas_sgemm` (`[batch·time, features] · kernel`);
/// each step adds `h · recurrent_kernel` (one more sgemm) and applies the gates in one pass:
/// - SimpleRNN: `h = tanh(x·W + h·U + b)`;
/// - LSTM (gates i, f, c, o): `c = σ(f)·c + σ(i)·tanh(c̃)`, `h = σ(o)·tanh(c)`;
/// - GRU (gates z, r, h): `h = z·h + (1 − z)·tanh(x·W_h + r ⊙ (h·U_h + b_rh))` with `reset_after`
///   (Keras's default; two bias rows, input and recurrent), `tanh(x·W_h + b_h + (r ⊙ h)·U_h)` without.
public protocol Recurrent: ComposedLayer {
    var cell: RecurrentCell { get }
    /// Whether every step's output is returned (else the last).
    var returnSequences: Bool { get }
    /// A new layer of the same kind and arguments, with its own weights, named `name` (the
    /// backward copy a ``Bidirectional`` makes, as Keras does).
    func copy(named name: String) -> Self
}

extension Recurrent {
    public var units: Int { cell.units }
    public var isBuilt: Bool { cell.isBuilt }
    /// A recurrent layer's weights are its cell's.
    public var ownWeights: [Parameter] { [] }
    public var layers: [any Layer] { [cell] }
    public var trackedAttributes: [TrackedAttribute] { [TrackedAttribute(name: "cell", layers: [cell], isList: false)] }

    public func build(inputShape: [Int]) {
        precondition(inputShape.count == 2, "\(className) layer '\(name)': needs inputs [time, features], got \(formatShape(inputShape))")
        cell.build(inputShape: inputShape)
    }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] {
        returnSequences ? [inputShape[0], units] : [units]
    }

    /// - Precondition: `input` is `[batch, time, features]` with the kernel's features.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank == 3, "\(className) layer '\(name)': expected input [batch, time, features], found \(formatShape(input.shape))")
        build(inputShape: Array(input.shape.dropFirst()))
        let (batch, steps, features) = (input.shape[0], input.shape[1], input.shape[2])
        precondition(features == cell.kernel!.shape[0],
                     "\(className) layer '\(name)': expected \(cell.kernel!.shape[0]) features, found \(features)")
        var runner = RecurrentRun(cell: cell, batch: batch, steps: steps)
        runner.projectInputs(input.scalars)
        var outputs = [Float]()
        if returnSequences { outputs = [Float](repeating: 0, count: batch * steps * units) }
        for step in 0..<steps {
            runner.advance(step: step)
            guard returnSequences else { continue }
            for b in 0..<batch {
                for u in 0..<units { outputs[(b * steps + step) * units + u] = runner.hidden[b * units + u] }
            }
        }
        return returnSequences
            ? Tensor(shape: [batch, steps, units], scalars: outputs)
            : Tensor(shape: [batch, units], scalars: runner.hidden)
    }
}

/// Keras's `SimpleRNN`.
public final class SimpleRNN: Recurrent {
    public let cell: RecurrentCell
    public let returnSequences: Bool
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?

    public init(_ units: Int, returnSequences: Bool = false, useBias: Bool = true, inputShape: [Int]? = nil,
                dtype: DType = .float32, name: String? = nil) {
        precondition(units > 0, "SimpleRNN: units must be positive")
        let name = name ?? LayerNaming.uniqueName(prefix: "simple_rnn")
        (self.name, self.returnSequences, self.inputShape) = (name, returnSequences, inputShape)
        cell = RecurrentCell(.simpleRNN, units: units, useBias: useBias, dtype: dtype, owner: name)
        if let inputShape { build(inputShape: inputShape) }
    }

    public var className: String { "SimpleRNN" }

    public func copy(named name: String) -> SimpleRNN {
        SimpleRNN(units, returnSequences: returnSequences, useBias: cell.useBias, dtype: cell.dtype, name: name)
    }
}

/// Keras's `LSTM` (tanh and sigmoid activations, `unit_forget_bias`).
public final class LSTM: Recurrent {
    public let cell: RecurrentCell
    public let returnSequences: Bool
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?

    public init(_ units: Int, returnSequences: Bool = false, useBias: Bool = true, inputShape: [Int]? = nil,
                dtype: DType = .float32, name: String? = nil) {
        precondition(units > 0, "LSTM: units must be positive")
        let name = name ?? LayerNaming.uniqueName(prefix: "lstm")
        (self.name, self.returnSequences, self.inputShape) = (name, returnSequences, inputShape)
        cell = RecurrentCell(.lstm, units: units, useBias: useBias, dtype: dtype, owner: name)
        if let inputShape { build(inputShape: inputShape) }
    }

    public var className: String { "LSTM" }

    public func copy(named name: String) -> LSTM {
        LSTM(units, returnSequences: returnSequences, useBias: cell.useBias, dtype: cell.dtype, name: name)
    }
}

/// Keras's `GRU` (`reset_after` true by default, as in Keras 3 and tf-keras 2).
public final class GRU: Recurrent {
    public let cell: RecurrentCell
    public let returnSequences: Bool
    public let name: String
    public var trainable = true
    public let inputShape: [Int]?

    public init(_ units: Int, returnSequences: Bool = false, resetAfter: Bool = true, useBias: Bool = true,
                inputShape: [Int]? = nil, dtype: DType = .float32, name: String? = nil) {
        precondition(units > 0, "GRU: units must be positive")
        let name = name ?? LayerNaming.uniqueName(prefix: "gru")
        (self.name, self.returnSequences, self.inputShape) = (name, returnSequences, inputShape)
        cell = RecurrentCell(.gru(resetAfter: resetAfter), units: units, useBias: useBias, dtype: dtype, owner: name)
        if let inputShape { build(inputShape: inputShape) }
    }

    public var className: String { "GRU" }

    public func copy(named name: String) -> GRU {
        guard case .gru(let resetAfter) = cell.kind else { preconditionFailure("GRU: its cell is a GRU cell") }
        return GRU(units, returnSequences: returnSequences, resetAfter: resetAfter, useBias: cell.useBias, dtype: cell.dtype, name: name)
    }
}
