#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HDF5

/// The three steps of one HDF5 file written by several processes (see ``SingleFileWrite``).
enum HDF5SharedWriter {
    /// Rank 0's first step: lays `plan` out in `layout` in a temporary beside `path` — every
    /// group, attribute, link and dataset, each dataset's space allocated, no data.
    ///
    /// - Throws: ``CheckpointError`` naming `path`; no temporary is then left.
    static func layOut(_ plan: SavePlan, layout: WeightFileFormat, to path: String) throws -> SingleFileWrite {
        let temporary = try SafeFileReplacement.temporaryPath(for: path)
        do {
            let placements = try allocate(plan, layout: layout, in: temporary, for: path)
            return SingleFileWrite(path: path, temporary: temporary, format: layout, placements: placements)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes the file and returns where each dataset goes; the file is closed on return.
    private static func allocate(_ plan: SavePlan, layout: WeightFileFormat, in temporary: String, for path: String) throws
        -> [SingleFileWrite.Placement] {
        let sink = try HDF5TreeSink(creating: temporary, reportedAs: path, allocatingOnly: true)
        _ = try WeightWriter.writeTensors(plan, layout: layout, to: sink)
        try sink.finish()
        return sink.placements
    }

    /// Each rank's step: writes the bytes of the datasets `rank` of `ranks` owns into `write`'s
    /// temporary, synced, and returns their digests.
    static func writeShare(_ plan: SavePlan, write: SingleFileWrite, rank: Int, ranks: Int) throws -> WriteShare {
        let owned = ShardOwnership(plan: plan, layout: write.format, ranks: ranks).keys(ownedBy: rank)
        let sink = try PlacedTensorSink(write, writing: !owned.isEmpty)
        let written = try WeightWriter.writeTensors(plan, layout: write.format, to: sink, owned: owned)
        try sink.finish()
        let digests = written.paths.filter { !$0.digest.isEmpty }
        return WriteShare(rank: rank, shards: [], paths: digests.map(\.path), digests: digests.map(\.digest))
    }

    /// Rank 0's last step: stores every dataset's digest and the manifest, checks the file with
    /// `check`, and moves it to `write.path` atomically.
    ///
    /// - Throws: ``CheckpointError`` for a tensor no share holds, or what the steps throw; the
    ///   previous file is then intact.
    static func commitShares(_ plan: SavePlan, write: SingleFileWrite, shares: [WriteShare],
                             check: ((_ written: String) throws -> Void)?) throws {
        let walk = try WeightWriter.writeTensors(plan, layout: write.format, to: PlacedTensorSink(write, writing: false))
        var digests: [String: String] = [:]
        for share in shares { for (tensor, digest) in zip(share.paths, share.digests) { digests[tensor] = digest } }
        let paths = try walk.paths.map { entry in
            guard let digest = digests[entry.path] else {
                throw CheckpointError(file: write.path, .io("no rank wrote the tensor \(entry.path); the previous file is intact"))
            }
            return (path: entry.path, digest: digest)
        }
        let manifest = try WeightWriter.manifestText(paths, bytes: walk.bytes, algorithm: plan.digestAlgorithm)
        try translatingHDF5Errors(file: write.path) {
            let root = try File.open(write.temporary, access: .readWrite).root
            for placement in write.placements {
                try root.dataset(String(placement.path.dropFirst())).writeString(Integrity.digestAttribute, digests[placement.path]!)
            }
            try root.writeString(Integrity.manifestAttribute, manifest)
        }
        try check?(write.temporary)
        try SafeFileReplacement.commit(write.temporary, to: write.path)
    }
}
