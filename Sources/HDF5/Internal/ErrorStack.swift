internal import CHDF5

/// Reads the calling thread's HDF5 error stack.
enum ErrorStack {
    /// Collects frames for the `H5Ewalk2` callback, which cannot capture context.
    private final class Frames {
        var frames: [HDF5ErrorFrame] = []
    }

    /// Returns the frames of the current thread's error stack, outermost API call first and the
    /// innermost detail last, and clears the stack.
    ///
    /// The corresponding C functions are `H5Ewalk2` and `H5Eclear2`.
    static func takeCurrent() -> [HDF5ErrorFrame] {
        let frames = Frames()
        let status = H5Ewalk2(
            defaultErrorStack, H5E_WALK_DOWNWARD,
            { _, frame, context in
                guard let frame, let context else { return 0 }
                let function = frame.pointee.func_name.map { String(cString: $0) } ?? "?"
                let detail = frame.pointee.desc.map { String(cString: $0) } ?? ""
                Unmanaged<Frames>.fromOpaque(context).takeUnretainedValue().frames.append(HDF5ErrorFrame(
                    function: function, description: detail,
                    major: errorClass(of: frame.pointee.maj_num), minor: errorClass(of: frame.pointee.min_num)))
                return 0
            }, Unmanaged.passUnretained(frames).toOpaque())
        let cleared = H5Eclear2(defaultErrorStack)
        return withExtendedLifetime(frames) {
            guard status < 0 || cleared < 0 else { return frames.frames }
            return frames.frames + [HDF5ErrorFrame(function: "", description: "the HDF5 error stack could not be read",
                                                   major: .wrapper, minor: .wrapper)]
        }
    }
}

/// The class of a major or minor error code.
private func errorClass(of code: hid_t) -> HDF5ErrorClass {
    switch code {
    case chdf5_e_args(): .arguments
    case chdf5_e_file(): .file
    case chdf5_e_io(): .io
    case chdf5_e_cache(): .cache
    case chdf5_e_truncated(): .truncated
    case chdf5_e_overflow(): .overflow
    case chdf5_e_badvalue(): .badValue
    case chdf5_e_readerror(): .readError
    case chdf5_e_writeerror(): .writeError
    case chdf5_e_nospace(): .noSpace
    case chdf5_e_cantopenfile(): .cannotOpenFile
    default: .other
    }
}
