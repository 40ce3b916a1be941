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
    /// A SimpleRNN or LSTM step's gates, `[batch, width]`.
    private var gates: [Float]

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
        gates = [Float](repeating: 0, count: batch * width)
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
        switch cell.kind {
        case .simpleRNN, .lstm: advanceFused(step: step)
        case .gru: advanceGRU(step: step)
        }
    }

    /// A SimpleRNN or LSTM step: the step's projected inputs copied into the gate buffer, the
    /// recurrent product accumulated onto them by one sgemm, the gate activations applied sixteen
    /// lanes at a time (``VectorMath``), then the state update.
    private mutating func advanceFused(step: Int) {
        let (units, width, steps, batch) = (units, width, steps, batch)
        projected.withUnsafeBufferPointer { inputs in
            gates.withUnsafeMutableBufferPointer { g in
                for b in 0..<batch {
                    let row = inputs.baseAddress! + (b * steps + step) * width
                    (g.baseAddress! + b * width).update(from: row, count: width)
                }
                hidden.withUnsafeBufferPointer { h in
                    recurrent.withUnsafeBufferPointer { u in
                        GEMM.multiply(m: batch, n: width, k: units, a: h.baseAddress!, b: u.baseAddress!, beta: 1, c: g.baseAddress!)
                    }
                }
                for b in 0..<batch {
                    let row = UnsafeMutableBufferPointer(rebasing: g[(b * width)..<((b + 1) * width)])
                    if cell.kind == .simpleRNN {
                        VectorMath.tanh(row)
                    } else {   // i, f, c, o: sigmoid, sigmoid, tanh, sigmoid
                        VectorMath.sigmoid(UnsafeMutableBufferPointer(rebasing: row[0..<(2 * units)]))
                        VectorMath.tanh(UnsafeMutableBufferPointer(rebasing: row[(2 * units)..<(3 * units)]))
                        VectorMath.sigmoid(UnsafeMutableBufferPointer(rebasing: row[(3 * units)...]))
                    }
                }
            }
        }
        if cell.kind == .simpleRNN {
            hidden = gates
            return
        }
        for b in 0..<batch {
            let r = b * width, h = b * units
            for u in 0..<units {
                carry[h + u] = gates[r + units + u] * carry[h + u] + gates[r + u] * gates[r + 2 * units + u]
                gates[r + u] = carry[h + u]   // tanh(carry) next, in the spent input gate's place
            }
        }
        gates.withUnsafeMutableBufferPointer { g in
            for b in 0..<batch { VectorMath.tanh(UnsafeMutableBufferPointer(rebasing: g[(b * width)..<(b * width + units)])) }
        }
        for b in 0..<batch {
            let r = b * width, h = b * units
            for u in 0..<units { hidden[h + u] = gates[r + 3 * units + u] * gates[r + u] }
        }
    }

    /// A GRU step (both reset placements).
    private mutating func advanceGRU(step: Int) {
        let product = recurrentProduct(hidden)
        var reset: [Float] = []
        if case .gru(resetAfter: false) = cell.kind { reset = [Float](repeating: 0, count: batch * units) }
        for b in 0..<batch {
            let x = (b * steps + step) * width, r = b * width, h = b * units
            for u in 0..<units {
                switch cell.kind {
                case .simpleRNN, .lstm:
                    preconditionFailure("advanceGRU: a \(cell.className) step")
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
