internal import CHDF5

/// Reads the calling thread's HDF5 error stack.
enum ErrorStack {
    /// Collects frames for the `H5Ewalk2` callback, which cannot capture context.
    private final class Frames {
        var messages: [String] = []
    }

    /// Returns the frames of the current thread's error stack, outermost API call first and the
    /// innermost detail last, each as `"function(): description"`, and clears the stack.
    ///
    /// The corresponding C functions are `H5Ewalk2` and `H5Eclear2`.
    static func takeCurrent() -> [String] {
        let frames = Frames()
        let status = H5Ewalk2(
            defaultErrorStack, H5E_WALK_DOWNWARD,
            { _, frame, context in
                guard let frame, let context else { return 0 }
                let function = frame.pointee.func_name.map { String(cString: $0) } ?? "?"
                let detail = frame.pointee.desc.map { String(cString: $0) } ?? ""
                Unmanaged<Frames>.fromOpaque(context).takeUnretainedValue()
                    .messages.append("\(function)(): \(detail)")
                return 0
            }, Unmanaged.passUnretained(frames).toOpaque())
        let cleared = H5Eclear2(defaultErrorStack)
        return withExtendedLifetime(frames) {
            status < 0 || cleared < 0
                ? frames.messages + ["the HDF5 error stack could not be read"] : frames.messages
        }
    }
}
