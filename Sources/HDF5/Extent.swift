/// A dataset's dataspace: see ``Dataset/extent``.
public struct Extent: Hashable, Sendable {
    /// The dimensions; `[]` for a scalar (or a null dataspace).
    public let shape: [Int]
    /// The largest dimensions the dataset may be extended to; `nil` for an unlimited one. A sound
    /// dataset's shape never exceeds them.
    public let maximumShape: [Int?]
    /// The number of elements: the product of `shape`, except 0 for a null dataspace.
    public let elementCount: Int

    /// Creates a description of a dataspace.
    public init(shape: [Int], maximumShape: [Int?], elementCount: Int) {
        self.shape = shape
        self.maximumShape = maximumShape
        self.elementCount = elementCount
    }
}
