import Foundation
import NeuralNet

/// The layer workloads of issue 15's benchmark: one Keras layer's forward pass on a fixed batch,
/// timed after warm-up, beside TensorFlow running the same layer (tools/python/bench_reference.py).
enum LayerWorkloads {
    /// `conv2d`: Conv2D(3×3, 64→64, same) on 32×56×56×64; `lstm`: LSTM(256) over 100 steps of 256
    /// features, batch 32; `mha`: MultiHeadAttention(8 heads, key_dim 64) self-attention on
    /// 16×128×512. `quick` shrinks each to a smoke test.
    static func run(_ name: String, repeats: Int, quick: Bool) -> String? {
        let (layer, input): ((Tensor) -> Tensor, Tensor)
        switch name {
        case "conv2d":
            let (batch, side, channels) = quick ? (2, 8, 4) : (32, 56, 64)
            let conv = Conv2D(channels, kernelSize: (3, 3), padding: .same, inputShape: [side, side, channels])
            (layer, input) = ({ conv($0) }, .randomUniform([batch, side, side, channels], seed: 1))
        case "lstm":
            let (batch, steps, units) = quick ? (2, 5, 8) : (32, 100, 256)
            let lstm = LSTM(units, inputShape: [steps, units])
            (layer, input) = ({ lstm($0) }, .randomUniform([batch, steps, units], seed: 1))
        case "mha":
            let (batch, length, width, heads, keyDim) = quick ? (2, 8, 16, 2, 4) : (16, 128, 512, 8, 64)
            let attention = MultiHeadAttention(numHeads: heads, keyDim: keyDim)
            attention.build(inputShape: [length, width])
            (layer, input) = ({ attention.merge([$0, $0]) }, .randomUniform([batch, length, width], seed: 1))
        default:
            return nil
        }
        let (seconds, finite) = HeftBench.timed(repeats: repeats, warmUp: 2) { layer(input) }
        return "{\"workload\": \"\(name)\", \"checksum\": \(finite), \"seconds\": \(seconds)}"
    }
}
