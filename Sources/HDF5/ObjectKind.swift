/// The kind of object a hard or soft link resolves to; see ``Group/objectKind(at:)``.
public enum ObjectKind: Hashable, Sendable {
    /// A group.
    case group
    /// A dataset.
    case dataset
    /// A named (committed) datatype.
    case namedDatatype
    /// Anything else, including whatever an external or user-defined link points to (such
    /// links are not followed).
    case other
}
