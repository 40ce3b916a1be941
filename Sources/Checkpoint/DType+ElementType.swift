import HDF5
import NeuralNet

// `DType` (NeuralNet) and `ElementType` (HDF5) have the same cases with the same names; the two
// modules stay independent of each other, and this file maps between them by name.

extension DType {
    /// The HDF5 element type with the same name.
    var elementType: ElementType {
        ElementType.allCases.first { "\($0)" == rawValue }!
    }

    /// The dtype with the same name as an HDF5 element type.
    init(_ elementType: ElementType) {
        self.init(rawValue: "\(elementType)")!
    }
}
