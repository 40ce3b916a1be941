import NeuralNet

/// One weight in a file, as the model-free reader lists it; the values are read on demand with
/// ``WeightFile/read(_:)``.
public struct WeightEntry: Sendable, Equatable {
    /// The weight's name: the `weight_names` entry (legacy, e.g. `dense/kernel:0`) or the index
    /// under `vars` (Keras 3, e.g. `0`).
    public let name: String
    /// The tensor's absolute path in its container, e.g. `/dense/dense/kernel:0`.
    public let path: String
    /// The shape (`[]` for a scalar).
    public let shape: [Int]
    /// The element type as stored (bfloat16 is a 2-byte opaque type, float16 a 16-bit float).
    public let dtype: DType
    /// The bytes the tensor occupies in its container.
    public let storageSize: Int
    /// The first path listed before this one that holds the same tensor (an HDF5 hard link to
    /// the same dataset), if any: the two paths share one array by construction.
    public internal(set) var sharedWith: String?
    /// The tensor's identity in its container: equal for paths that reach one stored tensor.
    package let storageID: UInt64
    /// Where the data starts in the container when it is one contiguous, allocated block, else `nil`.
    package let dataOffset: UInt64?
    /// Whether the bytes at ``dataOffset`` are the elements as they lie in memory (little-endian
    /// IEEE, no conversion), so they can be used in place; found while indexing, so mapping a
    /// tensor opens nothing.
    package let storesNativeElements: Bool
    /// The file of a multi-file container that holds the tensor (a shard of a sharded
    /// checkpoint), `nil` for single-file containers.
    public package(set) var storageFile: String?

    /// Describes a weight of a container.
    package init(name: String, path: String, shape: [Int], dtype: DType, storageSize: Int, storageID: UInt64,
                 dataOffset: UInt64? = nil, storesNativeElements: Bool = false, sharedWith: String? = nil) {
        self.name = name
        self.path = path
        self.shape = shape
        self.dtype = dtype
        self.storageSize = storageSize
        self.storageID = storageID
        self.dataOffset = dataOffset
        self.storesNativeElements = storesNativeElements
        self.sharedWith = sharedWith
    }

    /// The number of elements, `shape.reduce(1, *)`.
    public var count: Int { shape.reduce(1, *) }
}

/// One layer in a file: a legacy layer group, or a Keras 3 object with a `vars` group.
public struct LayerEntry: Sendable, Equatable {
    /// The layer's name: the `layer_names` entry (legacy) or the `vars` group's `name` attribute
    /// (Keras ≥ 3.6), else the last path component (Keras 3).
    public let name: String
    /// Whether the file stores the name (legacy files; Keras 3 files from Keras ≥ 3.6 and Heft),
    /// rather than Heft taking the last path component.
    public var hasStoredName = true
    /// The HDF5 path of the layer's group, e.g. `/dense` or `/layers/dense`.
    public let path: String
    /// The weights, in the file's order (legacy `weight_names`; Keras 3 `vars/0`, `vars/1`, …).
    public let weights: [WeightEntry]

    /// Describes a layer of a file.
    public init(name: String, path: String, weights: [WeightEntry], hasStoredName: Bool = true) {
        self.name = name
        self.path = path
        self.weights = weights
        self.hasStoredName = hasStoredName
    }
}
