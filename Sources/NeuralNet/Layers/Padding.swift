/// How a convolution or pooling window meets the border, as Keras's `padding` argument.
public enum Padding: String, Sendable {
    /// No padding: only windows that fit (`valid`).
    case valid
    /// Zero padding so the output has `ceil(input / stride)` positions (`same`), split as
    /// TensorFlow does: `total = max((out − 1)·stride + window − input, 0)`, `total / 2` before
    /// (rounded down) and the rest after.
    case same

    /// The output length and the padding before, for one spatial axis.
    func geometry(input: Int, window: Int, stride: Int) -> (output: Int, before: Int) {
        switch self {
        case .valid:
            return (max(0, (input - window) / stride + 1), 0)
        case .same:
            let output = (input + stride - 1) / stride
            let total = max((output - 1) * stride + window - input, 0)
            return (output, total / 2)
        }
    }
}
