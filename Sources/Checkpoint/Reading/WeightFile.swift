#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NeuralNet

/// A model-free view of a Keras weights file: its layout, its layers and their weights, with
/// values read one tensor (or one slice) at a time.
///
/// The container (an HDF5 file, or any other in ``ContainerRegistry``) and the layout are detected
/// from the content, never from the file name: a root `layer_names` attribute (or a
/// `model_weights` group that has one, as in a full-model `model.save('m.h5')`) means
/// ``WeightFileFormat/kerasLegacy``; `…/vars/<i>` groups mean ``WeightFileFormat/kerasV3``.
/// External links, soft links, external raw storage and virtual datasets are refused, since they
/// can make a weights file read other files.
///
/// ```swift
/// let file = try WeightFile(path: "model.h5")
/// for layer in file.layers {
///     for weight in layer.weights { print(weight.path, weight.shape, weight.dtype) }
/// }
/// let kernel = try file.read(file.layers[0].weights[0])
/// ```
public final class WeightFile {
    /// The path the file was opened from.
    public var path: String { container.path }
    /// The kind of container (`hdf5`).
    public var containerKind: ContainerKind { container.kind }
    /// Why the file holds no Keras layout, when it does not (a safetensors file another program
    /// wrote): it can be read, dumped and compared, but not loaded into a model.
    package var foreignLayoutNote: String? { index.foreignLayoutNote }
    /// What `heft` calls the file's format: the Keras layout of one HDF5 file (`keras-legacy`,
    /// `keras-v3`), else the container (`keras-archive`, `keras-v3-sharded`, `safetensors`), whose
    /// layout is ``format``.
    public var formatName: String {
        containerKind == .hdf5 || containerKind == .memory ? format.rawValue : containerKind.rawValue
    }
    /// The layout found in the file.
    public var format: WeightFileFormat { index.format }
    /// Whether the weights sit in the `model_weights` group of a full-model legacy file.
    public var isFullModel: Bool { index.isFullModel }
    /// The model's config: the `model_config` JSON of a full-model legacy file, or a `.keras`
    /// archive's `config.json`, if present.
    public var modelConfig: String? { index.modelConfig }
    /// A `.keras` archive's config and metadata, what a conversion to a `.keras` archive takes.
    package var archiveContents: SavePlan.ArchiveContents? {
        guard containerKind == .kerasArchive, let config = index.modelConfig else { return nil }
        return SavePlan.ArchiveContents(config: config, metadata: index.archiveMetadata ?? "{}")
    }
    /// The layers in the file's order (legacy: `layer_names`, layers without weights included;
    /// Keras 3: the order the objects were written, which is the model's).
    public var layers: [LayerEntry] { index.layers }
    /// Weights owned by the model itself: legacy `top_level_model_weights`, Keras 3 root `/vars`.
    public var topLevelWeights: [WeightEntry] { index.topLevelWeights }
    /// The optimizer's state, in the order Keras keeps it (legacy full-model `optimizer_weights`,
    /// Keras 3 `optimizer/vars`); empty when the file holds none. Not part of ``layers``.
    public var optimizerWeights: [WeightEntry] { index.optimizerWeights }
    /// The optimizer's name as Keras 3 stores it (`adam`), if the file has one.
    public var optimizerName: String? { index.optimizerName }
    /// Metric state objects (tf-keras's `.weights.h5` keeps `metrics/mean/vars`); not part of ``layers``.
    public var metricLayers: [LayerEntry] { index.metricLayers }

    /// The storage the weights are read from.
    package let container: any TensorContainer
    /// What the container lists, taken once.
    private let index: WeightIndex
    /// The limits the file was opened with, for what is read after indexing.
    package let limits: ReadLimits
    /// The Keras view without hints, computed on first use (see ``kerasView(hints:)``).
    var cachedKerasView: KerasModelView?

    /// Opens and indexes a weights file without reading any tensor, checking every object it lists
    /// against `limits` (see ``ReadLimits``). With an `observer` (an isolated worker's), each
    /// object is reported as reading it starts.
    ///
    /// - Throws: ``CheckpointError`` naming the file: missing, a directory, unreadable, empty, not
    ///   HDF5, truncated, not a Keras weights file, a layer group or weight listed but missing, an
    ///   object that could read another file, damaged metadata, or a tensor beyond `limits`.
    public convenience init(path: String, limits: ReadLimits = ReadLimits(), observer: ReadObserver? = nil) throws {
        try self.init(path: path, options: OpenOptions(limits: limits, observer: observer))
    }

    /// Opens and indexes a weights file with every option of ``ContainerFormat/open(_:options:)``.
    package init(path: String, options: OpenOptions) throws {
        container = try ContainerRegistry.open(path, options: options)
        index = container.index
        limits = options.limits
    }

    /// The file over a container already open.
    package init(container: any TensorContainer, limits: ReadLimits = ReadLimits()) {
        self.container = container
        index = container.index
        self.limits = limits
    }

    /// The `keras_version` attribute (legacy layout), if present, cut after 256 bytes. Read when
    /// asked, not when the file is opened: libhdf5 needs about five times an attribute's text to
    /// read it, and only `dump` shows it.
    ///
    /// - Throws: ``CheckpointError`` if the attribute cannot be read.
    public func kerasVersion() throws -> String? {
        try container.informationalText("keras_version")
    }

    /// The `backend` attribute (legacy layout), if present, cut after 256 bytes; read when asked.
    ///
    /// - Throws: ``CheckpointError`` if the attribute cannot be read.
    public func backend() throws -> String? {
        try container.informationalText("backend")
    }

    /// Every weight of every layer, in order (hard-linked paths included).
    public var weights: [WeightEntry] { layers.flatMap(\.weights) }

    /// Every tensor path of the file: the layers' weights, the model's own, then optimizer and
    /// metric state (hard-linked paths included).
    public var allWeights: [WeightEntry] { weights + topLevelWeights + optimizerWeights + metricLayers.flatMap(\.weights) }

    /// Reads a whole tensor in its stored dtype: copied from the file's memory map when its bytes
    /// are stored as they lie in memory (see ``mapped(_:verifying:)``), else with one container
    /// read.
    ///
    /// - Throws: ``CheckpointError`` if the data cannot be read (e.g. the file is truncated) or the
    ///   tensor would not fit in this machine's memory (a file can declare any size).
    public func read(_ weight: WeightEntry) throws -> Tensor {
        try requireReadable(weight, holding: weight.count * weight.dtype.byteCount)
        return try Tensor(shape: weight.shape, dtype: weight.dtype) { try read(weight, into: $0) }
    }

    /// Reads a whole tensor into `buffer` (its elements' native little-endian bytes): copied from
    /// the file's memory map when its bytes are stored as they lie in memory, else with one
    /// container read.
    ///
    /// - Precondition: `buffer.count == weight.count * weight.dtype.byteCount`.
    /// - Throws: ``CheckpointError`` if the data cannot be read.
    public func read(_ weight: WeightEntry, into buffer: UnsafeMutableRawBufferPointer) throws {
        if let region = try container.mappedBytes(of: weight) { return try region.copy(into: buffer) }
        try container.rowReader(for: weight).read(rows: nil, into: buffer)
    }

    /// Reads the rows `rows` (indices along the first axis) of a tensor, with one container read.
    ///
    /// - Precondition: the tensor has rank ≥ 1 and `rows` lies within its first axis.
    /// - Throws: ``CheckpointError`` if the data cannot be read.
    public func read(_ weight: WeightEntry, rows: Range<Int>) throws -> Tensor {
        precondition(!weight.shape.isEmpty && rows.lowerBound >= 0 && rows.upperBound <= weight.shape[0],
                     "WeightFile.read: rows \(rows) outside \(weight.path) of shape \(weight.shape)")
        let shape = [rows.count] + weight.shape.dropFirst()
        try requireReadable(weight, holding: shape.reduce(weight.dtype.byteCount, *))
        let reader = try container.rowReader(for: weight)
        return try Tensor(shape: shape, dtype: weight.dtype) { try reader.read(rows: rows, into: $0) }
    }

    /// Whether a weight's data is one block checked to lie inside the file and hold exactly its
    /// elements: reading it can then fail only on an I/O error.
    public func hasVerifiedExtent(_ weight: WeightEntry) -> Bool {
        container.hasVerifiedExtent(weight)
    }

    /// Throws unless the tensor has stored data (a dataset that was never written would read as
    /// fill values, and one declaring terabytes would take hours) and, when `bytes` of it are to be
    /// held in memory at once, they fit in the machine's physical memory and under the process's
    /// address-space limit. `nil` means block-wise streaming (bounded memory).
    package func requireReadable(_ weight: WeightEntry, holding bytes: Int?) throws {
        let declared = weight.count * weight.dtype.byteCount   // cannot overflow: checked when the file was indexed
        if (bytes ?? declared) > 0 && weight.storageSize == 0 {
            throw CheckpointError(file: path, .unsupportedData(path: weight.path,
                detail: "declares \(declared) bytes but stores none (the tensor was never written)"))
        }
        guard let bytes else { return }
        let memory = Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
        guard memory <= 0 || bytes <= memory else {
            throw CheckpointError(file: path, .unsupportedData(path: weight.path,
                detail: "\(bytes) bytes declared, more than this machine's \(memory) bytes of memory"))
        }
        // Under an address-space limit (an isolated worker's --memory-limit), say so before the
        // allocation would fail.
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max {
            let available = Int(clamping: limit.rlim_cur) - Isolation.currentAddressSpace()
            if bytes > available {
                throw CheckpointError(file: path, .limitExceeded(path: weight.path,
                    detail: "reading it at once takes \(bytes >> 20) MiB, more than the \(max(0, available) >> 20) MiB left under "
                        + "the memory limit of \(Int(clamping: limit.rlim_cur) >> 20) MiB (--memory-limit)"))
            }
        }
    }
}
