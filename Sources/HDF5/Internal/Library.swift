internal import CHDF5

/// Process-wide HDF5 settings, applied once before the first file is touched.
enum Library {
    /// Turns off libhdf5's exit-time teardown and its automatic error printing (errors are thrown instead), bounds its free
    /// lists, and turns off filter plugin
    /// loading (no shared object is ever loaded from `HDF5_PLUGIN_PATH`), and replaces the
    /// external-link class by one that is listed but never followed (no other file is opened,
    /// and libhdf5's own link-value decoder, which crafted values crash, never runs).
    ///
    /// A lazily initialised static, so it runs exactly once even when files are opened
    /// concurrently.
    ///
    /// HDF5's error settings are per thread: `Location` silences each further thread on first use.
    private static let setup = Result { () throws(HDF5Error) in
        // No exit-time teardown: after a failed write (a full disk) libhdf5 1.10.8 leaves the file
        // half closed and its atexit handler crashes on it. Heft closes every handle itself.
        // Effective only before the library's first call, which is why it comes first.
        H5dont_atexit()
        let location = Location(file: "", object: "")
        try check(
            H5Eset_auto2(defaultErrorStack, nil, nil), "turn off HDF5 error printing", location)
        try check(H5PLset_loading_state(0), "turn off HDF5 plugin loading", location)
        try check(chdf5_make_external_links_inert(), "make external links inert", location)
        // libhdf5 keeps freed internal objects on free lists that, by default, never shrink: after
        // 100,000 objects they hold tens of MiB. 2 MiB per kind of list (1 MiB per list) keeps
        // the reuse and bounds the memory.
        try check(H5set_free_list_limits(2 << 20, 1 << 20, 2 << 20, 1 << 20, 2 << 20, 1 << 20),
                  "limit HDF5's free lists", location)
    }

    /// Applies the settings on first use.
    /// - Throws: ``HDF5Error`` if the library cannot be configured.
    static func initialize() throws(HDF5Error) {
        try setup.get()
    }
}
