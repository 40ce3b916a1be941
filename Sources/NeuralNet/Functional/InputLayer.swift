/// The layer behind ``Input(shape:name:)``: it holds the graph's input, like Keras's `InputLayer`.
public final class InputLayer: StatelessLayer {
    public let name: String
    public var trainable = true
    /// The per-sample shape of the input.
    public let inputShape: [Int]?
    /// The symbolic tensor it produces.
    weak var output: KerasTensor?

    init(shape: [Int], name: String?) {
        precondition(shape.allSatisfy { $0 > 0 }, "Input: every size must be positive, got \(formatShape(shape))")
        inputShape = shape
        self.name = name ?? LayerNaming.oneBasedName(prefix: "input")   // tf-keras: input_1, input_2, …
    }

    public var className: String { "InputLayer" }
    public func outputShape(forInputShape inputShape: [Int]) -> [Int] { inputShape }
    public func callAsFunction(_ input: Tensor) -> Tensor { input }
}
