import Foundation

/// The index of a Keras 3 sharded checkpoint (`m.weights.json`, Keras ≥ 3.10):
/// `{"metadata": {"total_size": B}, "weight_map": {"/layers/dense/vars": "m_00000.weights.h5" or
/// [shards…], …}}`; the shards sit beside it. Keras opens the first shard by the index's own name
/// (`m_00000.weights.h5`), the others by the map.
///
/// Shard names are data from the file: only plain names of files in the index's own directory are
/// accepted (no `/`, no `..`, nothing absolute), each of Keras's form `<base>_NNNNN.weights.h5`.
struct ShardIndex {
    /// An object's `vars` group path and the shards that hold its variables, in the index's order.
    struct Entry {
        let varsPath: String
        let shards: [String]
    }

    /// The largest index read: an index lists one line per object, so this is some 200 000 objects.
    static let maximumBytes = 16 << 20

    /// The index's path.
    let path: String
    /// The shard file names, in order (the first is the index's own `<base>_00000.weights.h5`).
    let shards: [String]
    let entries: [Entry]
    /// Heft's integrity manifest (see ``Integrity/Manifest``), as JSON text, when Heft wrote the set.
    let manifest: String?

    /// The directory holding the index and its shards.
    var directory: String { (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent }

    /// `m` for `m.weights.json`: shard names start with it.
    static func baseName(of indexPath: String) -> String {
        var name = (indexPath as NSString).lastPathComponent
        if name.hasSuffix(".json") { name.removeLast(5) }
        if name.hasSuffix(".weights") { name.removeLast(8) }
        return name
    }

    /// `m_00003.weights.h5`.
    static func shardName(base: String, number: Int) -> String {
        "\(base)_\(String(repeating: "0", count: max(0, 5 - String(number).count)))\(number).weights.h5"
    }

    /// The shard number of a file named like a shard (`m_00003.weights.h5` → (`m`, 3)), else `nil`.
    static func shardNumber(of fileName: String) -> (base: String, number: Int)? {
        guard fileName.hasSuffix(".weights.h5") else { return nil }
        let stem = fileName.dropLast(".weights.h5".count)
        guard let underscore = stem.lastIndex(of: "_") else { return nil }
        let digits = stem[stem.index(after: underscore)...]
        guard digits.count == 5, digits.allSatisfy(\.isASCII), let number = Int(digits) else { return nil }
        return (String(stem[..<underscore]), number)
    }

    /// Throws if `path` is named like a shard (`m_00002.weights.h5`): one shard is not a
    /// checkpoint, and its content cannot tell (shard 0 reads as a sound Keras 3 file that lacks
    /// the variables of the later shards), so Heft refuses rather than read part of a model as the
    /// whole. The message names the index that lists it, or the index that should be beside it
    /// and the remedy for a whole checkpoint that happens to be named so (rename it).
    ///
    /// - Throws: ``CheckpointError/Reason/loneShard(index:number:count:)`` or
    ///   ``CheckpointError/Reason/shardWithoutIndex(index:number:)``.
    static func refuseLoneShard(_ path: String) throws {
        let name = (path as NSString).lastPathComponent
        guard let (base, number) = shardNumber(of: name) else { return }
        let directory = (path as NSString).deletingLastPathComponent
        let indexPath = (directory.isEmpty ? "" : directory + "/") + base + ".weights.json"
        guard FileManager.default.fileExists(atPath: indexPath) else {
            throw CheckpointError(file: path, .shardWithoutIndex(index: indexPath, number: number))
        }
        let index = try ShardIndex(ContainerProbe(indexPath))   // a damaged index is reported, naming it
        guard let number = index.shards.firstIndex(of: name) else {
            throw CheckpointError(file: path, .shardWithoutIndex(index: indexPath, number: number))
        }
        throw CheckpointError(file: path, .loneShard(index: indexPath, number: number, count: index.shards.count))
    }

    /// Parses and checks the index at `path` (read through `probe`).
    ///
    /// - Throws: ``CheckpointError`` for an index that is not one (with what it is), too large,
    ///   a shard name that leaves the directory or is not Keras's form, or a shard listed twice
    ///   for one object.
    init(_ probe: ContainerProbe) throws {
        let path = probe.path
        self.path = path
        let size = try probe.fileSize()
        guard size <= UInt64(Self.maximumBytes) else {
            throw CheckpointError(file: path, .limitExceeded(path: "/",
                detail: "a \(size)-byte sharded-weights index, more than \(Self.maximumBytes) (an index lists one line per object)"))
        }
        let value: StrictJSON.Value
        do {
            value = try StrictJSON.parse(try probe.bytes(at: 0, count: Int(size)))
        } catch let failure as StrictJSON.Failure {
            throw CheckpointError(file: path, .corruptObject(path: "/", detail: "the sharded-weights index is not JSON: \(failure)"))
        }
        guard case .object(let map)? = value["weight_map"] else {
            throw CheckpointError(file: path, .unknownFormat("a JSON file, but not a Keras sharded-weights index (no weight_map)"))
        }
        let base = Self.baseName(of: path)
        var shards = [Self.shardName(base: base, number: 0)]
        var entries: [Entry] = []
        for (key, listed) in map {
            guard key.hasPrefix("/"), key.hasSuffix("/vars") || key == "/vars" else {
                throw CheckpointError(file: path, .corruptObject(path: key, detail: "a weight_map key that is not a /…/vars group"))
            }
            let names: [String]
            switch listed {
            case .string(let name): names = [name]
            case .array(let list):
                names = try list.map { item in
                    guard case .string(let name) = item else {
                        throw CheckpointError(file: path, .corruptObject(path: key, detail: "a shard that is not a file name"))
                    }
                    return name
                }
            default: throw CheckpointError(file: path, .corruptObject(path: key, detail: "a shard that is not a file name"))
            }
            guard Set(names).count == names.count else {
                throw CheckpointError(file: path, .corruptObject(path: key, detail: "lists one shard twice"))
            }
            for name in names {
                try Self.requirePlainShardName(name, base: base, index: path, key: key)
                if !shards.contains(name) { shards.append(name) }
            }
            entries.append(Entry(varsPath: key, shards: names))
        }
        self.shards = shards
        self.entries = entries
        if case .string(let manifest)? = value["metadata"]?["heft_manifest"] { self.manifest = manifest } else { manifest = nil }
    }

    /// Throws unless `name` is a plain file name of Keras's shard form for this index.
    private static func requirePlainShardName(_ name: String, base: String, index: String, key: String) throws {
        if name.contains("/") || name.contains("\\") || name == "." || name == ".." || name.isEmpty || name.hasPrefix("/") {
            throw CheckpointError(file: index, .unsafeObject(path: key, kind: "a shard named '\(name)', outside the index's directory"))
        }
        guard shardNumber(of: name) != nil else {
            throw CheckpointError(file: index, .corruptObject(path: key, detail: "a shard named '\(name)', not of Keras's form \(base)_NNNNN.weights.h5"))
        }
    }
}
