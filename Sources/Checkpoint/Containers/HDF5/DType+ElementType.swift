import HDF5
import NeuralNet

// `DType` (NeuralNet) and `ElementType` (HDF5) have the same cases; the two modules stay
// independent of each other (HDF5 knows nothing of networks), and this file maps between them:
// a total switch one way (a new DType fails to compile here until mapped), its inverse the other.

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

    /// The dtype with the same name as an HDF5 element type: the inverse of ``elementType``,
    /// built from it once (a test checks that every element type has its dtype).
    init(_ elementType: ElementType) {
        guard let dtype = Self.byElementType[elementType] else {
            preconditionFailure("ElementType.\(elementType) has no DType: add it to DType and to elementType")
        }
        self = dtype
    }

    private static let byElementType = Dictionary(uniqueKeysWithValues: allCases.map { ($0.elementType, $0) })
}
