import HDF5

extension Dataset {
    /// Reads the rows `rows` (first axis) of `weight`'s dataset into `buffer` with one library call:
    /// the whole dataset when `rows` covers it, else a hyperslab over every other axis.
    ///
    /// - Precondition: `buffer` holds exactly those rows.
    func readRows(_ rows: Range<Int>, of weight: WeightEntry, into buffer: UnsafeMutableRawBufferPointer) throws {
        let type = weight.dtype.elementType
        if rows.lowerBound == 0 && rows.count == weight.shape.first {
            return try read(into: buffer, as: type)
        }
        let rest = weight.shape.dropFirst()
        try read(into: buffer, as: type, offset: [rows.lowerBound] + rest.map { _ in 0 }, count: [rows.count] + rest)
    }
}
