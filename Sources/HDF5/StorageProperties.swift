/// How a dataset stores its data, from its creation properties.
public struct StorageProperties: Hashable, Sendable {
    /// Contiguous, chunked, compact or virtual.
    public let layout: Layout
    /// The number of external raw-data files (0 for data stored in this file).
    public let externalFileCount: Int
    /// The filter pipeline, in order (empty for unfiltered data, as Keras writes).
    public let filters: [Filter]
    /// The chunk dimensions of a chunked dataset, else `nil`.
    public let chunkShape: [Int]?

    /// Creates a description of a dataset's storage.
    public init(layout: Layout, externalFileCount: Int, filters: [Filter] = [], chunkShape: [Int]? = nil) {
        self.layout = layout
        self.externalFileCount = externalFileCount
        self.filters = filters
        self.chunkShape = chunkShape
    }
}
