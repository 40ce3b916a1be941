import Foundation
import NeuralNet

/// A tensor value or difference as numpy prints it for `dtype`: the shortest decimal that reads
/// back as the same value in that dtype (`0.29093075` for a float32, not the float64 expansion
/// `0.29093074798583984`); `n/a` for a figure that is undefined (`nil`).
func valueText(_ value: Double?, dtype: DType?) -> String {
    guard let value else { return "n/a" }
    guard value.isFinite else { return value.isNaN ? "nan" : value > 0 ? "inf" : "-inf" }
    switch dtype {
    case .float64?, nil: return "\(value)"
    case .float32?: return "\(Float(value))"
    case .float16?: return "\(Float16(Float(value)))"
    case .bfloat16?: return bfloat16Text(Float(value))
    default: return value == value.rounded() && abs(value) < 1e18 ? "\(Int(value))" : "\(value)"
    }
}

/// A tolerance or other user-given number in one style: the shortest round-trip decimal, whole
/// numbers without a fraction (`0`, `1e-06`, `0.001`).
func plainNumber(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
}

/// The shortest decimal that rounds (to nearest, ties to even) to the same bfloat16 as `value`.
private func bfloat16Text(_ value: Float) -> String {
    func bfloat16Bits(_ x: Float) -> UInt32 {
        let bits = x.bitPattern
        return (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16
    }
    let target = bfloat16Bits(value)
    for precision in 1...9 {
        let text = String(format: "%.\(precision)g", Double(value))
        if let parsed = Float(text), bfloat16Bits(parsed) == target { return text }
    }
    return "\(value)"
}
