/// A link in a group, as listed by ``Group/links()``.
public struct Link: Hashable, Sendable {
    /// The link's name within its group.
    public let name: String
    /// The link's kind, with its target for soft and external links.
    public let kind: LinkKind
    /// For a hard link, the address of the object it points to (equal for two hard links to one
    /// object, and equal to ``Dataset/objectAddress``); `nil` for other kinds.
    public let objectAddress: UInt64?

    /// Creates a link description.
    public init(name: String, kind: LinkKind, objectAddress: UInt64? = nil) {
        self.name = name
        self.kind = kind
        self.objectAddress = objectAddress
    }
}
