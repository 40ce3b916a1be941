#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One HDF5 weights file (`.weights.h5` or `.h5`, either Keras layout) written by several
/// processes at once — the ranks of an `mpirun`, or any processes sharing a file system.
///
/// Rank 0 lays the file out (``WeightFile/beginConvert(to:format:like:dropOptimizer:digest:)``):
/// a temporary beside the target holding every group, attribute, link and dataset, each dataset's
/// space allocated, but no data. It hands the value (it is `Codable`) to the other ranks; each
/// writes the bytes of the datasets it owns straight into their places in the file
/// (``WeightFile/convertShare(to:rank:of:like:dropOptimizer:digest:)``) and returns a
/// ``WriteShare`` with their digests. Rank 0 then stores the digests and the manifest, checks the
/// file and moves it into place atomically
/// (``WeightFile/convert(to:shares:like:dropOptimizer:digest:)``); ``end()`` removes what is left.
///
/// Ownership: the datasets in writing order, split into contiguous shares of nearly equal bytes,
/// share k to rank k. The file is the one a single process writes, tensor for tensor, except
/// that every dataset's space is allocated when it is created (a single process allocates it when
/// the data is written), so offsets may differ. Why not parallel HDF5: docs/design.md, "Clusters".
public struct SingleFileWrite: Codable, Sendable, Equatable {
    /// Where one dataset's bytes go.
    struct Placement: Codable, Sendable, Equatable {
        /// The dataset's absolute path in the file.
        let path: String
        /// Its first byte's offset in the file.
        let offset: UInt64
        /// Its size in bytes.
        let bytes: Int
    }

    /// The file being written, as the user named it.
    public let path: String
    /// The temporary the ranks write into.
    public let temporary: String
    /// The layout written.
    public let format: WeightFileFormat
    /// Every dataset, in writing order.
    let placements: [Placement]

    /// Removes the temporary, if a failure left it (after a commit there is none). Call it on
    /// rank 0 once the write has ended either way.
    public func end() {
        unlink(temporary)
    }
}
