/// A container that stores its tensors in a tree of groups with string attributes, as HDF5 does:
/// what the Keras layouts (``KerasLayoutIndexer``) read to name the tensors.
///
/// Every method checks what it reads against the container's ``ReadLimits`` and refuses what could
/// read outside the container; a link is reported with its kind so the layouts decide which to follow.
package protocol WeightTree: AnyObject {
    /// An open group.
    associatedtype Node

    /// The container's path, for errors.
    var path: String { get }
    /// The limits every read is checked against.
    var limits: ReadLimits { get }
    /// The root group.
    func root() throws -> Node
    /// The absolute path of `node` (`/`, `/dense`).
    func path(of node: Node) -> String
    /// The identity of the object `node` is (as a hard link to it gives it).
    func objectID(of node: Node) throws -> UInt64
    /// The links in `node`, by name (the container's object limit counts every link listed).
    func links(of node: Node) throws -> [String: TreeLink]
    /// The group `name` in `node`, or `nil` when it is not a group.
    func group(_ name: String, in node: Node) throws -> Node?
    /// The tensor `name` in `node`, reached through `link`, with its shape, dtype and storage
    /// checked, as a weight called `entryName`; `nil` when it is not a dataset.
    func tensor(_ name: String, in node: Node, link: TreeLink, entryName: String) throws -> WeightEntry?
    /// Whether `node` has the name list `attribute` (or its first chunk `attribute0`).
    func hasNameList(_ attribute: String, in node: Node) throws -> Bool
    /// The name list `attribute` of `node` (Keras chunks long lists as `attribute0`, `attribute1`,
    /// …), and whether it is stored as a single string; `nil` when absent.
    func nameList(_ attribute: String, in node: Node) throws -> (names: [String], isScalar: Bool)?
    /// The string attribute `attribute` of `node`, at most `limit` bytes (cut there with
    /// `truncating`, else refused past it); `nil` when absent.
    func text(_ attribute: String, in node: Node, limit: Int, truncating: Bool) throws -> String?
    /// Forgets what was cached for `path` and below (its link tables): a layer's are needed only
    /// while it is indexed.
    func release(below path: String)
    /// Says which object reading starts on, so a crash can name it.
    func noteReading(_ object: String)
}

/// One link of a ``WeightTree`` group.
package enum TreeLink: Equatable {
    /// A hard link to the object with this identity (equal for two links to one object).
    case hard(UInt64)
    /// A soft link to a path.
    case soft(String)
    /// A link into another file.
    case external(file: String, path: String)
    /// A link of a kind Heft does not know.
    case other

    /// The object's identity for a hard link.
    package var objectID: UInt64? {
        if case .hard(let id) = self { return id }
        return nil
    }
}
