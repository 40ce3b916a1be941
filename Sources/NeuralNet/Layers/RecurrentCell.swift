/// The weights of a recurrent cell as Keras creates them: `kernel [input, gates·units]`,
/// `recurrent_kernel [units, gates·units]`, `bias` (`[gates·units]`, or `[2, gates·units]` for a
/// GRU with `reset_after`), named `<layer>/<cell>/<weight>:0` in the legacy layout.
public final class RecurrentCell: Layer {
    /// Which recurrence: the number of gates and the cell's Keras class.
    public enum Kind: Sendable, Equatable {
        case simpleRNN, lstm, gru(resetAfter: Bool)

        var gates: Int {
            switch self {
            case .simpleRNN: 1
            case .lstm: 4
            case .gru: 3
            }
        }
    }

    public let kind: Kind
    public let units: Int
    public let useBias: Bool
    public let dtype: DType
    public let name: String
    public var trainable = true
    public var inputShape: [Int]? { nil }
    /// The path of the layer that owns the cell (its weights are named below it, as
    /// `bidirectional/forward_lstm` for a wrapped copy); set before the cell builds.
    var owner: String
    public private(set) var kernel: Parameter?
    public private(set) var recurrentKernel: Parameter?
    public private(set) var bias: Parameter?

    init(_ kind: Kind, units: Int, useBias: Bool, dtype: DType, owner: String) {
        (self.kind, self.units, self.useBias, self.dtype, self.owner) = (kind, units, useBias, dtype, owner)
        switch kind {
        case .simpleRNN: name = "simple_rnn_cell"
        case .lstm: name = "lstm_cell"
        case .gru: name = "gru_cell"
        }
    }

    public var className: String {
        switch kind {
        case .simpleRNN: "SimpleRNNCell"
        case .lstm: "LSTMCell"
        case .gru: "GRUCell"
        }
    }

    public var isBuilt: Bool { kernel != nil }
    public var ownWeights: [Parameter] { [kernel, recurrentKernel, bias].compactMap { $0 } }
    public var layers: [any Layer] { [] }

    /// Creates the weights with Keras's initializers: `glorot_uniform` kernel, `orthogonal`
    /// recurrent kernel, zero bias (an LSTM's forget-gate slice ones: `unit_forget_bias`).
    public func build(inputShape: [Int]) {
        guard !isBuilt else { return }
        let width = kind.gates * units, layerName = "\(owner)/\(name)"
        kernel = Parameter(name: "kernel", layerName: layerName, value: Initializer.glorotUniform()([inputShape.last!, width], dtype: dtype))
        recurrentKernel = Parameter(name: "recurrent_kernel", layerName: layerName, value: Initializer.orthogonal()([units, width], dtype: dtype))
        guard useBias else { return }
        var values = [Float](repeating: 0, count: width)
        if case .lstm = kind { for index in units..<(2 * units) { values[index] = 1 } }
        if case .gru(resetAfter: true) = kind {
            bias = Parameter(name: "bias", layerName: layerName, value: Tensor(shape: [2, width], scalars: values + values).converted(to: dtype))
        } else {
            bias = Parameter(name: "bias", layerName: layerName, value: Tensor(shape: [width], scalars: values).converted(to: dtype))
        }
    }

    public func outputShape(forInputShape inputShape: [Int]) -> [Int] { [units] }

    /// A cell is run by its layer (see ``Recurrent``), not called on its own.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        preconditionFailure("RecurrentCell '\(name)': a cell runs inside its recurrent layer")
    }
}
