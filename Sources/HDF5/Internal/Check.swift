internal import CHDF5

/// The checking funnel every C call goes through.
///
/// HDF5 reports failure with a negative `herr_t`, `hid_t`, `htri_t` or `ssize_t`. On failure the
/// error stack of the current thread is captured right away (HDF5's error stack is per thread)
/// and thrown as an ``HDF5Error`` naming the file and object in `location`.
///
/// - Returns: `result`, for calls that return an id or a count.
@discardableResult
func check<Result: BinaryInteger>(
    _ result: Result, _ operation: @autoclosure () -> String, _ location: Location
) throws(HDF5Error) -> Result {
    guard result < 0 else { return result }
    throw HDF5Error(
        operation: operation(), file: location.file, object: location.object,
        frames: ErrorStack.takeCurrent())
}

/// The same funnel for calls that return `0` on failure (`H5Tget_size`).
@discardableResult
func checkNonZero(
    _ result: Int, _ operation: @autoclosure () -> String, _ location: Location
) throws(HDF5Error) -> Int {
    try check(result == 0 ? -1 : result, operation(), location)
}
