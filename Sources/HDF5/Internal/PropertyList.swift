internal import CHDF5

/// An owned HDF5 property list id, closed on deinit.
final class PropertyList {
    /// The owned id.
    let id: hid_t

    /// Takes ownership of an id that has already been checked.
    init(owning id: hid_t) {
        self.id = id
    }

    deinit {
        H5Pclose(id)
    }

    /// A link-creation list that creates missing intermediate groups.
    ///
    /// The corresponding C function is `H5Pset_create_intermediate_group`.
    static func creatingIntermediateGroups(_ location: Location) throws(HDF5Error) -> PropertyList {
        let list = PropertyList(
            owning: try check(H5Pcreate(linkCreationClass), "create link property list", location))
        try check(
            H5Pset_create_intermediate_group(list.id, 1), "set intermediate group creation",
            location)
        return list
    }

    /// A file-access list with library-version bounds "earliest" to "latest", as h5py's default
    /// `libver='earliest'`: superblock version 0 and old-style groups, readable by every HDF5.
    ///
    /// The corresponding C function is `H5Pset_libver_bounds`.
    static func earliestFormat(_ location: Location) throws(HDF5Error) -> PropertyList {
        let list = PropertyList(
            owning: try check(
                H5Pcreate(fileAccessClass), "create file access property list", location))
        try check(
            H5Pset_libver_bounds(list.id, H5F_LIBVER_EARLIEST, chdf5_libver_latest()),
            "set library version bounds", location)
        return list
    }
}
