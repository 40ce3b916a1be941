import HDF5

/// Reads one dataset's rows: the ``TensorRowReader`` of ``HDF5Container``. The dataset stays open
/// while the reader lives (opening it costs more than reading a small one).
struct HDF5RowReader: TensorRowReader {
    let dataset: Dataset
    let weight: WeightEntry
    let file: String

    func read(rows: Range<Int>?, into buffer: UnsafeMutableRawBufferPointer) throws {
        let type = weight.dtype.elementType
        try translatingHDF5Errors(file: file) {
            guard let rows, rows.lowerBound != 0 || rows.count != weight.shape.first else {
                return try dataset.read(into: buffer, as: type)
            }
            let rest = weight.shape.dropFirst()
            try dataset.read(into: buffer, as: type, offset: [rows.lowerBound] + rest.map { _ in 0 }, count: [rows.count] + rest)
        }
    }
}
