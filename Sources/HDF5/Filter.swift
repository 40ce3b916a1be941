/// A filter in a dataset's pipeline (for example deflate, id 1); see ``Dataset/filters``.
public struct Filter: Hashable, Sendable {
    /// The registered filter id (`H5Z_filter_t`).
    public let id: Int
    /// The filter's name as stored in the file, for example `deflate`.
    public let name: String

    /// Creates a filter description.
    public init(id: Int, name: String) {
        self.id = id
        self.name = name
    }
}
