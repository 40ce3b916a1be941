/// The kind of a link and, for symbolic links, where it points.
public enum LinkKind: Hashable, Sendable {
    /// A hard link: the object lives in this file. The corresponding C constant is `H5L_TYPE_HARD`.
    case hard
    /// A soft link to a path in the same file. The corresponding C constant is `H5L_TYPE_SOFT`.
    case soft(target: String)
    /// An external link to `path` in another `file`.
    ///
    /// The corresponding C constant is `H5L_TYPE_EXTERNAL`.
    case external(file: String, path: String)
    /// A user-defined link type.
    case other
}
