#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HDF5
import NeuralNet

/// A model-free view of a Keras weights file: its layout, its layers and their weights, with
/// values read one tensor (or one slice) at a time.
///
/// The layout is detected from the content, never from the file name: a root `layer_names`
/// attribute (or a `model_weights` group that has one, as in a full-model `model.save('m.h5')`)
/// means ``WeightFileFormat/kerasLegacy``; `…/vars/<i>` groups mean ``WeightFileFormat/kerasV3``.
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
    /// The file-system path.
    public let path: String
    /// The layout found in the file.
    public let format: WeightFileFormat
    /// Whether the weights sit in the `model_weights` group of a full-model legacy file.
    public let isFullModel: Bool
    /// The group that holds the layers: `/`, or `/model_weights` in a full-model file.
    public var weightsRoot: String { isFullModel ? "/model_weights" : "/" }
    /// The group holding `keras_version` and `backend` (legacy layout).
    private let attributesGroup: String?
    /// The `model_config` JSON of a full-model legacy file, if present.
    public let modelConfig: String?
    /// The layers in the file's order (legacy: `layer_names`, layers without weights included;
    /// Keras 3: depth-first path order, `dense` before `dense_1` before `dense_10`).
    public let layers: [LayerEntry]
    /// Weights owned by the model itself: legacy `top_level_model_weights`, Keras 3 root `/vars`.
    public let topLevelWeights: [WeightEntry]
    /// The optimizer's state, in the order Keras keeps it (legacy full-model `optimizer_weights`,
    /// Keras 3 `optimizer/vars`); empty when the file holds none. Not part of ``layers``.
    public let optimizerWeights: [WeightEntry]
    /// The optimizer's name as Keras 3 stores it (`adam`), if the file has one.
    public let optimizerName: String?
    /// Metric state objects (tf-keras's `.weights.h5` keeps `metrics/mean/vars`); not part of ``layers``.
    public let metricLayers: [LayerEntry]
    /// The file's size in bytes when it was opened.
    public let fileSize: UInt64

    let file: File
    /// The limits the file was opened with, for what is read after indexing.
    let limits: ReadLimits
    /// Tensors read while indexing (see ``Prefetch``), by dataset address.
    let prefetched: [UInt64: PrefetchedTensor]
    /// The Keras view without hints, computed on first use (see ``kerasView(hints:)``).
    var cachedKerasView: KerasModelView?

    /// Opens and indexes a weights file without reading any tensor, checking every object it lists
    /// against `limits` (see ``ReadLimits``).
    ///
    /// - Throws: ``CheckpointError`` naming the file: missing, a directory, unreadable, empty, not
    ///   HDF5, truncated, not a Keras weights file, a layer group or weight listed but missing, an
    ///   object that could read another file, damaged metadata, or a tensor beyond `limits`.
    public convenience init(path: String, limits: ReadLimits = ReadLimits()) throws {
        try self.init(path: path, limits: limits, prefetch: nil)
    }

    /// Opens and indexes a weights file, reading the tensors `prefetch` admits while their
    /// datasets are open for the checks.
    init(path: String, limits: ReadLimits, prefetch: Prefetch?) throws {
        fileSize = try FileChecks.requireReadableHDF5(path)
        self.path = path
        self.limits = limits
        ObjectTracker.reading("the superblock and root group", in: path)
        let file = try translatingHDF5Errors(file: path) { try File.open(path) }
        self.file = file
        let index = try translatingHDF5Errors(file: path) { try FileIndexer(file: file, limits: limits, prefetch: prefetch).index() }
        format = index.format
        isFullModel = index.isFullModel
        attributesGroup = index.attributesGroup
        modelConfig = index.modelConfig
        layers = index.layers
        topLevelWeights = index.topLevelWeights
        optimizerWeights = index.optimizerWeights
        optimizerName = index.optimizerName
        metricLayers = index.metricLayers
        prefetched = index.prefetched
    }

    /// The `keras_version` attribute (legacy layout), if present, cut after 256 bytes. Read when
    /// asked, not when the file is opened: libhdf5 needs about five times an attribute's text to
    /// read it, and only `dump` shows it.
    ///
    /// - Throws: ``CheckpointError`` if the attribute cannot be read.
    public func kerasVersion() throws -> String? {
        try informationalAttribute("keras_version")
    }

    /// The `backend` attribute (legacy layout), if present, cut after 256 bytes; read when asked.
    ///
    /// - Throws: ``CheckpointError`` if the attribute cannot be read.
    public func backend() throws -> String? {
        try informationalAttribute("backend")
    }

    private func informationalAttribute(_ name: String) throws -> String? {
        guard let attributesGroup else { return nil }
        return try translatingHDF5Errors(file: path) {
            try FileIndexer.optionalString(
                try file.root.group(attributesGroup), name, at: 256, truncating: true, storedAtMost: limits.maximumAttributeBytes)
        }
    }

    /// Every weight of every layer, in order (hard-linked paths included).
    public var weights: [WeightEntry] { layers.flatMap(\.weights) }

    /// Every tensor path of the file: the layers' weights, the model's own, then optimizer and
    /// metric state (hard-linked paths included).
    public var allWeights: [WeightEntry] { weights + topLevelWeights + optimizerWeights + metricLayers.flatMap(\.weights) }

    /// The dataset behind a weight, for block-wise reading.
    /// Opened by the address the index found it at (checked then), not by walking its path again.
    func dataset(_ weight: WeightEntry) throws -> Dataset {
        ObjectTracker.reading(weight.path, in: path)
        return try file.dataset(atAddress: weight.objectAddress, path: weight.path)
    }

    /// Reads a whole tensor in its stored dtype, with one library call.
    ///
    /// - Throws: ``CheckpointError`` if the data cannot be read (e.g. the file is truncated) or the
    ///   tensor would not fit in this machine's memory (a file can declare any size).
    public func read(_ weight: WeightEntry) throws -> Tensor {
        try requireReadable(weight, holding: weight.count * weight.dtype.byteCount)
        return try translatingHDF5Errors(file: path) {
            let dataset = try self.dataset(weight)
            return try Tensor(shape: weight.shape, dtype: weight.dtype) { buffer in
                try dataset.read(into: buffer, as: weight.dtype.elementType)
            }
        }
    }

    /// Reads a whole tensor into `buffer` (its elements' native little-endian bytes), with one
    /// library call.
    ///
    /// - Precondition: `buffer.count == weight.count * weight.dtype.byteCount`.
    /// - Throws: ``CheckpointError`` if the data cannot be read.
    public func read(_ weight: WeightEntry, into buffer: UnsafeMutableRawBufferPointer) throws {
        try translatingHDF5Errors(file: path) {
            try dataset(weight).read(into: buffer, as: weight.dtype.elementType)
        }
    }

    /// Throws unless the tensor has stored data (a dataset that was never written would read as
    /// fill values, and one declaring terabytes would take hours) and, when `bytes` of it are to be
    /// held in memory at once, they fit in the machine's physical memory. `nil` means block-wise
    /// streaming (bounded memory).
    func requireReadable(_ weight: WeightEntry, holding bytes: Int?) throws {
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

    /// Whether a weight's data is one allocated contiguous block that lies inside the file and holds
    /// exactly its elements: reading it can then fail only on an I/O error.
    public func hasVerifiedExtent(_ weight: WeightEntry) -> Bool {
        guard let offset = weight.dataOffset else { return false }
        let bytes = weight.count * weight.dtype.byteCount
        let (end, overflow) = offset.addingReportingOverflow(UInt64(bytes))
        return weight.storageSize == bytes && !overflow && end <= fileSize
    }

    /// Reads the rows `rows` (indices along the first axis) of a tensor, with one library call.
    ///
    /// - Precondition: the tensor has rank ≥ 1 and `rows` lies within its first axis.
    /// - Throws: ``CheckpointError`` if the data cannot be read.
    public func read(_ weight: WeightEntry, rows: Range<Int>) throws -> Tensor {
        precondition(!weight.shape.isEmpty && rows.lowerBound >= 0 && rows.upperBound <= weight.shape[0],
                     "WeightFile.read: rows \(rows) outside \(weight.path) of shape \(weight.shape)")
        let shape = [rows.count] + weight.shape.dropFirst()
        try requireReadable(weight, holding: shape.reduce(weight.dtype.byteCount, *))
        return try translatingHDF5Errors(file: path) {
            let dataset = try self.dataset(weight)
            return try Tensor(shape: shape, dtype: weight.dtype) { buffer in
                try dataset.readRows(rows, of: weight, into: buffer)
            }
        }
    }
}
