internal import CHDF5

/// Process-wide HDF5 settings, applied once before the first file is touched.
enum Library {
    /// Turns off HDF5's automatic error printing (errors are thrown instead) and filter plugin
    /// loading (no shared object is ever loaded from `HDF5_PLUGIN_PATH`).
    ///
    /// A lazily initialised static, so it runs exactly once even when files are opened
    /// concurrently.
    ///
    /// HDF5's error settings are per thread: `Location` silences each further thread on first use.
    private static let setup = Result { () throws(HDF5Error) in
        let location = Location(file: "", object: "")
        try check(
            H5Eset_auto2(defaultErrorStack, nil, nil), "turn off HDF5 error printing", location)
        try check(H5PLset_loading_state(0), "turn off HDF5 plugin loading", location)
    }

    /// Applies the settings on first use.
    /// - Throws: ``HDF5Error`` if the library cannot be configured.
    static func initialize() throws(HDF5Error) {
        try setup.get()
    }
}
