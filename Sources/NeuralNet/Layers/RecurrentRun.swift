/// The state of one forward pass of a ``Recurrent`` layer: the projected inputs of every step,
/// the hidden state (and an LSTM's carry), and the step update of each kind of cell.
struct RecurrentRun {
    let cell: RecurrentCell
    let batch: Int, steps: Int, units: Int, width: Int
    private let recurrent: [Float]
    private let inputBias: [Float]?
    private let recurrentBias: [Float]?
    /// `x · kernel + input bias` for every (sample, step), row `b · steps + t`.
    private var projected: [Float] = []
    private(set) var hidden: [Float]
    private var carry: [Float]

    init(cell: RecurrentCell, batch: Int, steps: Int) {
        self.cell = cell
        (self.batch, self.steps, units) = (batch, steps, cell.units)
        width = cell.kind.gates * cell.units
        recurrent = cell.recurrentKernel!.value.scalars
        let bias = cell.bias?.value.scalars
        if case .gru(resetAfter: true) = cell.kind, let bias {
            (inputBias, recurrentBias) = (Array(bias[..<width]), Array(bias[width...]))
        } else {
            (inputBias, recurrentBias) = (bias, nil)
        }
        hidden = [Float](repeating: 0, count: batch * cell.units)
        carry = hidden
    }

    /// Projects the inputs of all steps at once: `[batch·steps, features] · kernel + bias`.
    mutating func projectInputs(_ x: [Float]) {
        projected = GEMM.affine(x, rows: batch * steps, inner: cell.kernel!.shape[0], weights: cell.kernel!.value.scalars,
                                outer: width, bias: inputBias)
    }

    /// `state · recurrent_kernel` (+ the recurrent bias), `[batch, width]`.
    private func recurrentProduct(_ state: [Float]) -> [Float] {
        GEMM.affine(state, rows: batch, inner: units, weights: recurrent, outer: width, bias: recurrentBias)
    }

    /// One time step: updates ``hidden`` (and the carry) from step `step`'s projected inputs.
    mutating func advance(step: Int) {
        let product = recurrentProduct(hidden)
        var reset: [Float] = []
        if case .gru(resetAfter: false) = cell.kind { reset = [Float](repeating: 0, count: batch * units) }
        for b in 0..<batch {
            let x = (b * steps + step) * width, r = b * width, h = b * units
            for u in 0..<units {
                switch cell.kind {
                case .simpleRNN:
                    hidden[h + u] = _tanh(projected[x + u] + product[r + u])
                case .lstm:
                    let input = sigmoidValue(projected[x + u] + product[r + u])
                    let forget = sigmoidValue(projected[x + units + u] + product[r + units + u])
                    let candidate = _tanh(projected[x + 2 * units + u] + product[r + 2 * units + u])
                    let output = sigmoidValue(projected[x + 3 * units + u] + product[r + 3 * units + u])
                    carry[h + u] = forget * carry[h + u] + input * candidate
                    hidden[h + u] = output * _tanh(carry[h + u])
                case .gru(resetAfter: true):
                    let update = sigmoidValue(projected[x + u] + product[r + u])
                    let resetGate = sigmoidValue(projected[x + units + u] + product[r + units + u])
                    let candidate = _tanh(projected[x + 2 * units + u] + resetGate * product[r + 2 * units + u])
                    hidden[h + u] = update * hidden[h + u] + (1 - update) * candidate
                case .gru(resetAfter: false):
                    reset[h + u] = sigmoidValue(projected[x + units + u] + product[r + units + u]) * hidden[h + u]
                }
            }
        }
        guard case .gru(resetAfter: false) = cell.kind else { return }
        // The candidate needs (r ⊙ h) · U_h: the product of the reset state, last `units` columns.
        let resetProduct = recurrentProduct(reset)
        for b in 0..<batch {
            let x = (b * steps + step) * width, r = b * width, h = b * units
            for u in 0..<units {
                let update = sigmoidValue(projected[x + u] + product[r + u])
                let candidate = _tanh(projected[x + 2 * units + u] + resetProduct[r + 2 * units + u])
                hidden[h + u] = update * hidden[h + u] + (1 - update) * candidate
            }
        }
    }
}
