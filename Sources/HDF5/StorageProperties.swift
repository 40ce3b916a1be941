/// How a dataset stores its data, from its creation properties.
public struct StorageProperties: Hashable, Sendable {
    /// Contiguous, chunked, compact or virtual.
    public let layout: Layout
    /// The number of external raw-data files (0 for data stored in this file).
    public let externalFileCount: Int

    /// Creates a description of a dataset's storage.
    public init(layout: Layout, externalFileCount: Int) {
        self.layout = layout
        self.externalFileCount = externalFileCount
    }
}
