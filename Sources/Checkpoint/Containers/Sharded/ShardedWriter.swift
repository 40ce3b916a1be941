#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SystemPackage

/// Writes a sharded checkpoint and commits it as a whole.
///
/// The set is written into a staging directory beside the index (`.m.weights.json.heft-tmp-<pid>-<n>/`,
/// with Keras's names inside), every file synced, and checked there. Then, in the index's directory:
/// the old index is moved aside (`.m.weights.json.heft-old-<pid>`), then the old shards it names,
/// then the new shards are moved in, the new index last, and the directory synced; only then are the
/// old files removed. A crash or failure at any point leaves either the old checkpoint whole or the
/// new one whole, or — between the first and last move — no index at all, with every file of the old
/// checkpoint kept under its `.heft-old-<pid>` name: an index never points at a missing, partial or
/// mixed set of shards, and nothing the user had is lost. A failure during the moves puts the old
/// files back.
enum ShardedWriter {
    /// Keras's default maximum shard size: 5 GB (Keras counts 1 GB as 1024³ bytes).
    static let defaultMaximumShardBytes = 5 << 30

    static func write(_ plan: SavePlan, layout: WeightFileFormat, to path: String,
                      check: ((_ written: String) throws -> Void)?) throws {
        guard layout == .kerasV3 else {
            throw CheckpointError(file: path, .unsupportedModel("a sharded checkpoint holds the Keras 3 layout, not \(layout)"))
        }
        let (directory, indexName) = SafeFileReplacement.split(path)
        let stage = "\(directory)/.\(indexName)\(SafeFileReplacement.marker)\(getpid())-\(UInt32.random(in: 0 ... .max))"
        removeStaleStages(in: directory, for: indexName)
        do {
            try SystemCall.check { mkdir(stage, 0o700) }
        } catch {
            throw error.checkpointError(file: path, "cannot create the staging directory \(stage)")
        }
        defer { removeTree(stage) }
        let sink = try ShardedTreeSink(directory: stage, base: ShardIndex.baseName(of: indexName),
                                       maximumBytes: plan.maximumShardBytes ?? defaultMaximumShardBytes, reportedAs: path)
        try WeightWriter.write(plan, layout: .kerasV3, to: sink)
        let shards = try sink.finish(indexName: indexName)
        for name in shards + [indexName] { try sync("\(stage)/\(name)", for: path) }
        try check?("\(stage)/\(indexName)")
        try commit(shards: shards, index: indexName, from: stage, into: directory, for: path)
    }

    // MARK: - Commit

    private static func commit(shards: [String], index: String, from stage: String, into directory: String, for path: String) throws {
        let oldSuffix = ".heft-old-\(getpid())"
        var setAside: [(from: String, to: String)] = []   // old files moved aside, to restore on failure
        var movedIn: [String] = []
        do {
            let oldShards = previousShards(of: "\(directory)/\(index)")
            for name in [index] + oldShards where exists("\(directory)/\(name)") {
                let aside = "\(directory)/.\(name)\(oldSuffix)"
                try move("\(directory)/\(name)", to: aside, for: path)
                setAside.append(("\(directory)/\(name)", aside))
            }
            for name in shards + [index] {
                try move("\(stage)/\(name)", to: "\(directory)/\(name)", for: path)
                movedIn.append("\(directory)/\(name)")
            }
            try sync(directory, for: path)
        } catch {
            for name in movedIn.reversed() { unlink(name) }
            for (original, aside) in setAside.reversed() { rename(aside, original) }
            throw error
        }
        for (_, aside) in setAside { unlink(aside) }
    }

    /// The shards the index at `path` names, if it is a readable index (only names of Keras's
    /// form, in its directory: a damaged or hostile index never makes Heft move other files).
    private static func previousShards(of path: String) -> [String] {
        do {
            return try ShardIndex(ContainerProbe(path)).shards
        } catch {
            return []   // no index, or not one Heft reads: there is no old set to move aside
        }
    }

    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    private static func move(_ from: String, to: String, for path: String) throws {
        do {
            try SystemCall.check { rename(from, to) }
        } catch {
            throw error.checkpointError(file: path, "cannot move \(from) to \(to); the previous checkpoint is intact")
        }
    }

    private static func sync(_ file: String, for path: String) throws {
        do {
            let descriptor = try FileDescriptor.open(FilePath(file), .readOnly)
            defer { try? descriptor.close() }   // read-only: closing cannot lose data
            try SystemCall.check { fsync(descriptor.rawValue) }
        } catch let error as Errno {
            throw error.checkpointError(file: path, "cannot sync \(file)")
        }
    }

    /// Removes staging directories of processes that no longer run (a killed save).
    private static func removeStaleStages(in directory: String, for indexName: String) {
        let prefix = ".\(indexName)\(SafeFileReplacement.marker)"
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch { return }   // nothing to clean
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }), SafeFileReplacement.hasEnded(pid) else { continue }
            removeTree("\(directory)/\(name)")
        }
    }

    /// Removes a staging directory and the files in it (it holds no subdirectories).
    private static func removeTree(_ path: String) {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch { return }   // already gone
        for name in names { unlink("\(path)/\(name)") }
        rmdir(path)
    }
}
