/// A link in a group, as listed by ``Group/links()``.
public struct Link: Hashable, Sendable {
    /// The link's name within its group.
    public let name: String
    /// The link's kind, with its target for soft and external links.
    public let kind: LinkKind

    /// Creates a link description.
    public init(name: String, kind: LinkKind) {
        self.name = name
        self.kind = kind
    }
}
