import HDF5
import NeuralNet

/// A generic listing of any HDF5 file (for files that are not Keras weights files): groups,
/// datasets with shape and type, and links, without following soft or external links.
public enum HDF5Listing {
    public struct Entry: Sendable, Equatable {
        public enum Kind: String, Sendable { case group, dataset, softLink = "soft_link", externalLink = "external_link", other }
        public let path: String
        public let kind: Kind
        public var shape: [Int]?
        /// The element type, or a description of a type Heft does not read.
        public var dtype: String?
        public var storageSize: Int?
        /// Where a soft or external link points.
        public var target: String?
    }

    /// Whether `path` is a readable HDF5 file (by its signature); `false` for anything else,
    /// including a file that cannot be read.
    public static func isHDF5(path: String) -> Bool {
        do { return try HDF5Container.recognizes(ContainerProbe(path)) } catch { return false }
    }

    static let maximumDepth = 64
    static let maximumEntries = 100_000

    /// Every object below the root, depth first in name order (at most 100 000 entries, 64 levels).
    ///
    /// - Throws: ``CheckpointError`` if the file cannot be opened or walked.
    public static func list(path: String) throws -> [Entry] {
        let probe = ContainerProbe(path)
        guard try HDF5Container.recognizes(probe) else { throw CheckpointError(file: path, .unknownFormat("no HDF5 signature")) }
        return try translatingHDF5Errors(file: path) {
            var entries: [Entry] = []
            try walk(try File.open(path).root, depth: 0, into: &entries)
            return entries
        }
    }

    private static func walk(_ group: Group, depth: Int, into entries: inout [Entry]) throws {
        guard depth < maximumDepth, entries.count < maximumEntries else { return }
        for link in try group.links().sorted(by: { naturalOrder($0.name, $1.name) }) {
            let path = group.path == "/" ? "/\(link.name)" : "\(group.path)/\(link.name)"
            switch link.kind {
            case .soft(let target): entries.append(Entry(path: path, kind: .softLink, target: target))
            case let .external(file, target): entries.append(Entry(path: path, kind: .externalLink, target: "\(file):\(target)"))
            case .other: entries.append(Entry(path: path, kind: .other))
            case .hard:
                switch try group.objectKind(at: link.name) {
                case .group:
                    entries.append(Entry(path: path, kind: .group))
                    try walk(try group.group(link.name), depth: depth + 1, into: &entries)
                case .dataset:
                    entries.append(try datasetEntry(try group.dataset(link.name)))
                default:
                    entries.append(Entry(path: path, kind: .other))
                }
            }
        }
    }

    private static func datasetEntry(_ dataset: Dataset) throws -> Entry {
        var entry = Entry(path: dataset.path, kind: .dataset, shape: try dataset.shape, storageSize: try dataset.storageSize)
        do {
            entry.dtype = DType(try dataset.elementType).rawValue
        } catch let error as HDF5Error {
            entry.dtype = "unsupported (\(error.messages.last ?? "unknown type"))"
        }
        return entry
    }
}
