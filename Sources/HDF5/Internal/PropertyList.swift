internal import CHDF5
internal import CHDF5Window

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

    /// A dataset-creation list whose data is allocated in the file when the dataset is created
    /// (so its offset is known before any data is written) and never filled.
    ///
    /// The corresponding C functions are `H5Pset_alloc_time` (`H5D_ALLOC_TIME_EARLY`) and
    /// `H5Pset_fill_time` (`H5D_FILL_TIME_NEVER`).
    static func allocatedEarly(_ location: Location) throws(HDF5Error) -> PropertyList {
        let list = PropertyList(
            owning: try check(H5Pcreate(datasetCreationClass), "create dataset property list", location))
        try check(H5Pset_alloc_time(list.id, H5D_ALLOC_TIME_EARLY), "set allocation time", location)
        try check(H5Pset_fill_time(list.id, H5D_FILL_TIME_NEVER), "set fill time", location)
        return list
    }

    /// A file-access list with library-version bounds "earliest" to "latest", as h5py's default
    /// `libver='earliest'`: superblock version 0 and old-style groups, readable by every HDF5;
    /// with the access settings of `applyHeftAccess`.
    ///
    /// The corresponding C function is `H5Pset_libver_bounds`.
    static func earliestFormat(_ location: Location) throws(HDF5Error) -> PropertyList {
        let list = PropertyList(
            owning: try check(
                H5Pcreate(fileAccessClass), "create file access property list", location))
        try check(
            H5Pset_libver_bounds(list.id, H5F_LIBVER_EARLIEST, chdf5_libver_latest()),
            "set library version bounds", location)
        try list.applyHeftAccess(location)
        return list
    }

    /// The settings every file access uses: the POSIX (`sec2`) driver, whatever the environment
    /// says, and no `flock`. A lock is inherited by every process spawned meanwhile (libhdf5 opens
    /// without `O_CLOEXEC`) and then blocks other readers and writers for that process's
    /// lifetime; libhdf5 also refuses to open one file twice with different locking settings.
    /// Heft writes by atomic rename, so no reader ever sees a partial Heft file; a file another
    /// tool is writing in place reads as damaged.
    ///
    /// A fixed 2 MiB metadata cache bounds what libhdf5 keeps of a file with many objects (see
    /// `chdf5_limit_metadata_cache`).
    ///
    /// The corresponding C functions are `H5Pset_fapl_sec2`, `H5Pset_file_locking` and `H5Pset_mdc_config`.
    private func applyHeftAccess(_ location: Location, window: Range<UInt64>? = nil) throws(HDF5Error) {
        if let window {
            try check(heft_set_fapl_window(id, window.lowerBound, UInt64(window.count)), "select the window file driver", location)
        } else {
            try check(H5Pset_fapl_sec2(id), "select the POSIX file driver", location)
        }
        try check(H5Pset_file_locking(id, false, true), "turn off file locking", location)
        try check(chdf5_limit_metadata_cache(id, 2 << 20), "limit the metadata cache", location)
    }

    /// A file-access list for opening an existing file (see `applyHeftAccess`): the whole file,
    /// or only the bytes `window` of it (read-only, through the window driver of `CHDF5Window`).
    static func opening(_ location: Location, window: Range<UInt64>? = nil) throws(HDF5Error) -> PropertyList {
        let list = PropertyList(
            owning: try check(
                H5Pcreate(fileAccessClass), "create file access property list", location))
        try list.applyHeftAccess(location, window: window)
        return list
    }
}
