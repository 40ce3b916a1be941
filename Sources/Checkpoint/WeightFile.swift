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
    /// The `keras_version` attribute (legacy layout), if present.
    public let kerasVersion: String?
    /// The `backend` attribute (legacy layout), if present.
    public let backend: String?
    /// The `model_config` JSON of a full-model legacy file, if present.
    public let modelConfig: String?
    /// The layers in the file's order (legacy: `layer_names`, layers without weights included;
    /// Keras 3: depth-first path order, `dense` before `dense_1` before `dense_10`).
    public let layers: [LayerEntry]
    /// Weights owned by the model itself: legacy `top_level_model_weights`, Keras 3 root `/vars`.
    public let topLevelWeights: [WeightEntry]

    private let file: File

    /// Opens and indexes a weights file without reading any tensor.
    ///
    /// - Throws: ``CheckpointError`` naming the file: missing, a directory, unreadable, empty, not
    ///   HDF5, truncated, not a Keras weights file, a layer group or weight listed but missing, or an
    ///   object that could read another file.
    public init(path: String) throws {
        try FileChecks.requireReadableHDF5(path)
        self.path = path
        let file = try translatingHDF5Errors(file: path) { try File.open(path) }
        self.file = file
        let index = try translatingHDF5Errors(file: path) { try FileIndexer(file: file).index() }
        format = index.format
        isFullModel = index.isFullModel
        kerasVersion = index.kerasVersion
        backend = index.backend
        modelConfig = index.modelConfig
        layers = index.layers
        topLevelWeights = index.topLevelWeights
    }

    /// Every weight of every layer, in order (hard-linked paths included).
    public var weights: [WeightEntry] { layers.flatMap(\.weights) }

    /// Reads a whole tensor in its stored dtype, with one library call.
    ///
    /// - Throws: ``CheckpointError`` if the data cannot be read (e.g. the file is truncated).
    public func read(_ weight: WeightEntry) throws -> Tensor {
        try translatingHDF5Errors(file: path) {
            let dataset = try file.root.dataset(weight.path)
            return try Tensor(shape: weight.shape, dtype: weight.dtype) { buffer in
                try dataset.read(into: buffer, as: weight.dtype.elementType)
            }
        }
    }

    /// Reads the rows `rows` (indices along the first axis) of a tensor, with one library call.
    ///
    /// - Precondition: the tensor has rank ≥ 1 and `rows` lies within its first axis.
    /// - Throws: ``CheckpointError`` if the data cannot be read.
    public func read(_ weight: WeightEntry, rows: Range<Int>) throws -> Tensor {
        precondition(!weight.shape.isEmpty && rows.lowerBound >= 0 && rows.upperBound <= weight.shape[0],
                     "WeightFile.read: rows \(rows) outside \(weight.path) of shape \(weight.shape)")
        let shape = [rows.count] + weight.shape.dropFirst()
        return try translatingHDF5Errors(file: path) {
            let dataset = try file.root.dataset(weight.path)
            return try Tensor(shape: shape, dtype: weight.dtype) { buffer in
                try dataset.read(into: buffer, as: weight.dtype.elementType,
                                 offset: [rows.lowerBound] + weight.shape.dropFirst().map { _ in 0 }, count: shape)
            }
        }
    }
}
