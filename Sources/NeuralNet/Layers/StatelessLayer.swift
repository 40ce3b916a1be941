/// A layer without weights (reshaping, pooling, activations, dropout): the weight and build
/// requirements of ``Layer`` have their trivial answers here.
public protocol StatelessLayer: Layer {}

extension StatelessLayer {
    public var isBuilt: Bool { true }
    public var ownWeights: [Parameter] { [] }
    public var layers: [any Layer] { [] }
    public func build(inputShape: [Int]) {}
}
