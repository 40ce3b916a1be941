import HDF5
import NeuralNet

// `DType` (NeuralNet) and `ElementType` (HDF5) have the same cases; the two modules stay
// independent of each other, and this file maps between them (a switch: this runs per dataset).

extension DType {
    /// The HDF5 element type with the same name.
    var elementType: ElementType {
        switch self {
        case .float16: .float16
        case .bfloat16: .bfloat16
        case .float32: .float32
        case .float64: .float64
        case .int8: .int8
        case .int16: .int16
        case .int32: .int32
        case .int64: .int64
        case .uint8: .uint8
        case .uint16: .uint16
        case .uint32: .uint32
        case .uint64: .uint64
        }
    }

    /// The dtype with the same name as an HDF5 element type.
    init(_ elementType: ElementType) {
        self = DType.allCases.first { $0.elementType == elementType }!
    }
}
