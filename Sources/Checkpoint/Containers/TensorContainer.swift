import NeuralNet

/// A set of named tensors in some storage, opened for reading: what every reader above it (the
/// model loader, conversions, the inspection engines) sees of an HDF5 file, an in-memory
/// checkpoint or any other container.
///
/// A container lists its tensors as a ``WeightIndex`` (the Keras layers and weights it holds, in
/// the layout it found), reads a tensor or a block of its rows into a caller's buffer, and hands
/// out the integrity data Heft stored with it. Opening a container checks every tensor it lists
/// against the ``ReadLimits`` (declared sizes, storage that stays inside the container), so a
/// reader never allocates for a size the storage cannot back.
///
/// Writing goes through ``ContainerFormat/write(_:layout:to:check:)``, which commits atomically.
/// A new container is one type adopting this protocol and ``ContainerFormat``, and one line in
/// ``ContainerRegistry/formats``.
package protocol TensorContainer: AnyObject {
    /// The path the container was opened from, as the user gave it (named in every error).
    var path: String { get }
    /// What kind of container this is.
    var kind: ContainerKind { get }
    /// The bytes the container occupies (a file's size when it was opened).
    var byteSize: UInt64 { get }
    /// The layout found, and the layers and tensors listed.
    var index: WeightIndex { get }
    /// Tensors read while opening (see ``Prefetch``), by ``WeightEntry/storageID``.
    var prefetched: [UInt64: PrefetchedTensor] { get }

    /// A reader for the tensor's rows, which keeps what it needs open until it is released.
    ///
    /// - Throws: ``CheckpointError`` if the tensor's storage cannot be opened.
    func rowReader(for weight: WeightEntry) throws -> any TensorRowReader

    /// Whether the tensor's bytes are one block that was checked, when the container was opened,
    /// to lie inside it and hold exactly the tensor: reading them can then fail only on an I/O
    /// error.
    func hasVerifiedExtent(_ weight: WeightEntry) -> Bool

    /// The tensor's bytes in a read-only map of the file (see ``FileMapping``), when they are one
    /// verified block (``hasVerifiedExtent(_:)``) stored exactly as they lie in memory, aligned to
    /// their elements or not (``MappedRegion/isAligned``); `nil` when they must be read (filtered,
    /// chunked or big-endian data, a container in memory, a kernel that cannot map safely).
    ///
    /// - Throws: ``CheckpointError`` if the file changed since it was opened or cannot be mapped.
    func mappedBytes(of weight: WeightEntry) throws -> MappedRegion?

    /// The text of the SHA-256 stored with the tensor (see ``Integrity``), not yet validated, or
    /// `nil` when there is none.
    ///
    /// - Throws: ``CheckpointError`` if the stored text cannot be read.
    func storedDigestText(of weight: WeightEntry) throws -> String?

    /// The text of the manifest stored with the container (see ``Integrity/Manifest``), or `nil`.
    ///
    /// - Throws: ``CheckpointError`` if the stored text cannot be read.
    func manifestText() throws -> String?

    /// A short descriptive text the container keeps with its weights (`keras_version`,
    /// `backend`), cut after 256 bytes; `nil` when it has none.
    ///
    /// - Throws: ``CheckpointError`` if the stored text cannot be read.
    func informationalText(_ name: String) throws -> String?
}

extension TensorContainer {
    /// Containers that cannot map their tensors read them.
    func mappedBytes(of weight: WeightEntry) throws -> MappedRegion? { nil }
}

/// Reads blocks of one tensor's rows (its first axis) into a caller's buffer, as little-endian
/// elements of the stored dtype in row-major order.
package protocol TensorRowReader {
    /// Reads `rows` (every element when `nil`, as for a scalar) into `buffer`, which holds
    /// exactly those elements.
    ///
    /// - Throws: ``CheckpointError`` if the data cannot be read.
    func read(rows: Range<Int>?, into buffer: UnsafeMutableRawBufferPointer) throws
}

/// The kind of a container, as `heft dump` reports it: an open set of names, so a container
/// defines its own in its file.
public struct ContainerKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}
