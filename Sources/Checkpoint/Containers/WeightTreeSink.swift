import NeuralNet

/// Where ``WeightWriter`` writes a Keras layout: a tree of groups with string attributes and
/// tensors, as HDF5 stores it. A container that stores such a tree adopts this to be written.
///
/// Paths are relative to the root, without a leading slash (`dense/dense/kernel:0`); creating a
/// tensor or group creates the groups above it. Every method throws ``CheckpointError`` naming the
/// path the result is written for.
package protocol WeightTreeSink: AnyObject {
    /// The path the result is written for (named in errors).
    var path: String { get }
    /// Creates the group at `path`.
    func createGroup(_ path: String) throws
    /// Writes the name list `attribute` on the group at `group` (`""` for the root) as Keras does:
    /// chunked as `attribute0`, `attribute1`, … when long, and an empty list as Keras writes one.
    func writeNames(_ attribute: String, _ names: [String], on group: String) throws
    /// Writes the text attribute `attribute` on the group at `group`; `unicode` marks it UTF-8
    /// (names) rather than ASCII (Keras's own version strings).
    func writeText(_ attribute: String, _ text: String, on group: String, unicode: Bool) throws
    /// Creates the tensor at `path`, to be filled through the returned writer.
    func createTensor(_ path: String, dtype: DType, shape: [Int]) throws -> any TensorWriter
    /// Makes `path` a second name of the tensor already at `target`.
    func link(_ path: String, to target: String) throws
    /// Writes the manifest (see ``Integrity/Manifest``) as JSON text on the root.
    func writeManifest(_ text: String) throws
}

/// Fills one tensor created by a ``WeightTreeSink``.
package protocol TensorWriter {
    /// Writes `bytes` (little-endian elements in row-major order) to `rows` of the first axis, or
    /// to the whole tensor when `rows` is `nil`.
    func write(_ bytes: UnsafeRawBufferPointer, rows: Range<Int>?) throws
    /// Stores the tensor's SHA-256 (lowercase hex) with it (see ``Integrity``).
    func storeDigest(_ digest: String) throws
    /// Whether the tensor's bytes are written here; `false` for a tensor another process writes
    /// (see ``ShardedWrite``), whose values are then neither read nor hashed.
    var writesData: Bool { get }
}

extension TensorWriter {
    var writesData: Bool { true }
}
