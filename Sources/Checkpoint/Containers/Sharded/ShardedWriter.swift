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
        try requireKerasV3(layout, path)
        let stage = try createStage(for: path)
        defer { removeTree(stage) }
        let indexName = SafeFileReplacement.split(path).name
        let sink = try makeSink(plan, stage: stage, for: path, ownership: .single, writer: 0)
        try WeightWriter.write(plan, layout: .kerasV3, to: sink)
        try sink.finishShards()
        try sink.writeIndex(named: indexName)
        for name in sink.shardNames + [indexName] { try sync("\(stage)/\(name)", for: path) }
        try check?("\(stage)/\(indexName)")
        try commit(shards: sink.shardNames, index: indexName, from: stage, into: SafeFileReplacement.split(path).directory, for: path)
    }

    // MARK: - Several processes

    /// Makes the staging directory for a set written to `path` (after removing those of ended
    /// processes) and returns its path.
    static func createStage(for path: String) throws -> String {
        let (directory, indexName) = SafeFileReplacement.split(path)
        let stage = "\(directory)/.\(indexName)\(SafeFileReplacement.marker)\(getpid())-\(UInt32.random(in: 0 ... .max))"
        removeStaleStages(in: directory, for: indexName)
        do {
            try SystemCall.check { mkdir(stage, 0o700) }
        } catch {
            throw error.checkpointError(file: path, "cannot create the staging directory \(stage)")
        }
        return stage
    }

    /// Writes, into `stage`, the shards `rank` of `ranks` owns (see ``ShardOwnership``), synced,
    /// and returns what rank 0 needs to write the index.
    static func writeShare(_ plan: SavePlan, layout: WeightFileFormat, stage: String, rank: Int, ranks: Int,
                           for path: String) throws -> WriteShare {
        try requireKerasV3(layout, path)
        let sink = try makeSink(plan, stage: stage, for: path, ownership: ShardOwnership(plan: plan, layout: .kerasV3, ranks: ranks), writer: rank)
        let written = try WeightWriter.writeTensors(plan, layout: .kerasV3, to: sink)
        try sink.finishShards()
        for name in sink.writtenShards { try sync("\(stage)/\(name)", for: path) }
        let digests = written.paths.filter { !$0.digest.isEmpty }
        return WriteShare(rank: rank, shards: sink.writtenShards, paths: digests.map(\.path), digests: digests.map(\.digest))
    }

    /// Writes the index of the set every rank's share (`shares`, one per rank) put in `stage`,
    /// checks it with `check`, and commits the set to `path` as ``write(_:layout:to:check:)`` does.
    ///
    /// - Throws: ``CheckpointError`` when a shard or a tensor's digest is missing from the shares,
    ///   or as ``write(_:layout:to:check:)`` does.
    static func commitShares(_ plan: SavePlan, layout: WeightFileFormat, stage: String, shares: [WriteShare], to path: String,
                             check: ((_ written: String) throws -> Void)?) throws {
        try requireKerasV3(layout, path)
        let sink = try makeSink(plan, stage: stage, for: path, ownership: ShardOwnership(plan: plan, layout: .kerasV3, ranks: shares.count), writer: nil)
        let written = try WeightWriter.writeTensors(plan, layout: .kerasV3, to: sink)
        let made = Set(shares.flatMap(\.shards))
        if let missing = sink.shardNames.first(where: { !made.contains($0) }) {
            throw CheckpointError(file: path, .io("no rank wrote the shard \(missing); the previous checkpoint is intact"))
        }
        var digests: [String: String] = [:]
        for share in shares { for (tensor, digest) in zip(share.paths, share.digests) { digests[tensor] = digest } }
        let paths = try written.paths.map { entry in
            guard let digest = digests[entry.path] else {
                throw CheckpointError(file: path, .io("no rank wrote the tensor \(entry.path); the previous checkpoint is intact"))
            }
            return (path: entry.path, digest: digest)
        }
        sink.manifest = try WeightWriter.manifestText(paths, bytes: written.bytes, algorithm: plan.digestAlgorithm)
        let indexName = SafeFileReplacement.split(path).name
        try sink.writeIndex(named: indexName)
        try sync("\(stage)/\(indexName)", for: path)
        try check?("\(stage)/\(indexName)")
        try commit(shards: sink.shardNames, index: indexName, from: stage, into: SafeFileReplacement.split(path).directory, for: path)
    }

    private static func requireKerasV3(_ layout: WeightFileFormat, _ path: String) throws {
        guard layout == .kerasV3 else {
            throw CheckpointError(file: path, .unsupportedModel("a sharded checkpoint holds the Keras 3 layout, not \(layout)"))
        }
    }

    private static func makeSink(_ plan: SavePlan, stage: String, for path: String, ownership: ShardOwnership,
                                 writer: Int?) throws -> ShardedTreeSink {
        try ShardedTreeSink(directory: stage, base: ShardIndex.baseName(of: SafeFileReplacement.split(path).name),
                            maximumBytes: plan.maximumShardBytes ?? defaultMaximumShardBytes, reportedAs: path,
                            ownership: ownership, writer: writer)
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
    static func removeTree(_ path: String) {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch { return }   // already gone
        for name in names { unlink("\(path)/\(name)") }
        rmdir(path)
    }
}
