internal import CHDF5

/// An owned HDF5 dataspace id, closed on deinit.
final class Dataspace {
    /// The owned id.
    let id: hid_t

    /// Takes ownership of an id that has already been checked.
    init(owning id: hid_t) {
        self.id = id
    }

    /// Creates a scalar dataspace for `shape == []`, otherwise a simple one of that shape
    /// (zero-length dimensions allowed, as numpy writes empty arrays).
    ///
    /// The corresponding C functions are `H5Screate` and `H5Screate_simple`.
    convenience init(shape: [Int], _ location: Location) throws(HDF5Error) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        if shape.isEmpty {
            self.init(owning: try check(H5Screate(H5S_SCALAR), "create dataspace", location))
        } else {
            let dims = shape.map { hsize_t($0) }
            self.init(
                owning: try check(
                    H5Screate_simple(Int32(dims.count), dims, nil), "create dataspace", location))
        }
    }

    deinit {
        H5Sclose(id)
    }

    /// The dimensions; `[]` for a scalar or null dataspace.
    ///
    /// The corresponding C function is `H5Sget_simple_extent_dims`.
    func shape(_ location: Location) throws(HDF5Error) -> [Int] {
        let rank = try check(H5Sget_simple_extent_ndims(id), "get dataspace rank", location)
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        try check(H5Sget_simple_extent_dims(id, &dims, nil), "get dataspace dimensions", location)
        var shape: [Int] = []
        for dim in dims { shape.append(try location.int(dim, "get dataspace dimensions")) }
        return shape
    }

    /// Dimensions, maximum dimensions (`nil` for unlimited) and element count, in three calls.
    ///
    /// The corresponding C functions are `H5Sget_simple_extent_ndims`,
    /// `H5Sget_simple_extent_dims` and `H5Sget_simple_extent_npoints`.
    func extent(_ location: Location) throws(HDF5Error) -> Extent {
        let rank = try check(H5Sget_simple_extent_ndims(id), "get dataspace rank", location)
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        var maximum = [hsize_t](repeating: 0, count: Int(rank))
        try check(H5Sget_simple_extent_dims(id, &dims, &maximum), "get dataspace dimensions", location)
        var shape: [Int] = []
        for dim in dims { shape.append(try location.int(dim, "get dataspace dimensions")) }
        return Extent(shape: shape, maximumShape: maximum.map { $0 == hsize_t.max || $0 > hsize_t(Int.max) ? nil : Int($0) },
                      elementCount: try elementCount(location))
    }

    /// The number of elements: 1 for a scalar, 0 for a null dataspace.
    ///
    /// The corresponding C function is `H5Sget_simple_extent_npoints`.
    func elementCount(_ location: Location) throws(HDF5Error) -> Int {
        let count = try check(
            H5Sget_simple_extent_npoints(id), "count dataspace elements", location)
        return try location.int(count, "count dataspace elements")
    }

    /// Selects the block `offset ..< offset + count` in every dimension.
    ///
    /// The corresponding C function is `H5Sselect_hyperslab`.
    /// - Precondition: `offset` and `count` have one entry per dimension (HDF5 reads that many).
    func selectHyperslab(offset: [Int], count: [Int], _ location: Location) throws(HDF5Error) {
        let rank = try check(H5Sget_simple_extent_ndims(id), "get dataspace rank", location)
        precondition(
            offset.count == rank && count.count == rank,
            "\(location.object): slice of rank \(offset.count) for a dataset of rank \(rank)")
        let start = offset.map { hsize_t($0) }
        let size = count.map { hsize_t($0) }
        try check(
            H5Sselect_hyperslab(id, H5S_SELECT_SET, start, nil, size, nil), "select hyperslab",
            location)
    }
}
