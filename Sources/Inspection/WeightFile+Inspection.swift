import Checkpoint
import Crypto
import NeuralNet

extension WeightFile {
    /// Min, max, mean, std and NaN/Inf/zero counts of a tensor, read in bounded blocks.
    ///
    /// - Throws: ``CheckpointError`` if the data cannot be read.
    public func statistics(of weight: WeightEntry) throws -> TensorStatistics {
        var accumulator = StatisticsAccumulator()
        try forEachBlock(of: weight) { bytes, _ in accumulator.add(bytes, dtype: weight.dtype) }
        return accumulator.statistics
    }

    /// What ``summaries(of:statistics:sha256:progress:)`` computes for one tensor.
    public struct Summary: Sendable {
        public var statistics: TensorStatistics?
        /// The SHA-256 (lowercase hex) of the canonical bytes.
        public var sha256: String?
    }

    /// A dataset's ``Summary`` as it crosses processes (`mpirun`).
    package struct SummaryRecord: Codable, Sendable {
        package let storageID: UInt64
        let statistics: TensorStatistics.Record?
        let sha256: String?

        package init(storageID: UInt64, summary: Summary) {
            self.storageID = storageID
            statistics = summary.statistics.map(TensorStatistics.Record.init)
            sha256 = summary.sha256
        }

        package var summary: Summary {
            Summary(statistics: statistics?.statistics, sha256: sha256)
        }
    }

    /// The statistics and/or SHA-256 of many tensors (each distinct dataset once, keyed by
    /// ``WeightEntry/storageID``): one streaming pass over each, several tensors at once — this
    /// thread reads, the tensor lanes summarise (see ``ConcurrentTensors``), so reading and
    /// computing overlap on both cores. `progress` receives (bytes done, bytes total).
    ///
    /// - Throws: ``CheckpointError`` for the first tensor, in the order given, that cannot be read.
    public func summaries(of weights: [WeightEntry], statistics: Bool, sha256: Bool,
                          progress: ((Int, Int) -> Void)? = nil) throws -> [UInt64: Summary] {
        var seen = Set<UInt64>()
        let distinct = weights.filter { seen.insert($0.storageID).inserted }
        let total = distinct.reduce(0) { $0 + $1.storageSize }
        var done = 0
        struct Lane {
            let dtype: DType
            var accumulator: StatisticsAccumulator?
            var hasher: DigestHasher?
        }
        let results = ConcurrentTensors.map(distinct, in: self, completed: { weight in
            done += weight.storageSize
            progress?(done, total)
        }, start: { weight in
            Lane(dtype: weight.dtype, accumulator: statistics ? StatisticsAccumulator() : nil, hasher: sha256 ? DigestHasher(.sha256) : nil)
        }, consume: { lane, bytes in
            lane.accumulator?.add(bytes, dtype: lane.dtype)
            lane.hasher?.update(bytes)
        }, finish: { lane in
            Summary(statistics: lane.accumulator?.statistics, sha256: lane.hasher?.finalize().hex)
        })
        var summaries: [UInt64: Summary] = [:]
        for (weight, result) in zip(distinct, results) { summaries[weight.storageID] = try result.get() }
        return summaries
    }

    /// The SHA-256 (lowercase hex) of the tensor's canonical bytes: its elements in row-major order,
    /// each in its stored dtype as little-endian bytes. Equal tensors hash equal whatever the file's
    /// layout, chunking or byte order; shape and dtype are not part of the hash.
    ///
    /// - Throws: ``CheckpointError`` if the data cannot be read.
    public func sha256(of weight: WeightEntry) throws -> String {
        var hasher = SHA256()
        try forEachBlock(of: weight) { bytes, _ in hasher.update(bufferPointer: bytes) }
        return hexDigest(hasher.finalize())
    }

    /// Calls `body` with each block of the tensor's raw little-endian bytes (in place where the
    /// file can be mapped) and the index of the block's first element. Memory: one block (≤ 4 MiB
    /// or one row), whatever the tensor size.
    ///
    /// - Throws: ``CheckpointError`` if the data cannot be read, or what `body` throws.
    public func forEachBlock(of weight: WeightEntry,
                             _ body: (_ bytes: UnsafeRawBufferPointer, _ firstElement: Int) throws -> Void) throws {
        try requireReadable(weight, holding: nil)
        let reader = try ChunkReader(file: self, weight: weight)
        try withBuffer(reader.bufferBytes) { buffer in try reader.forEach(into: buffer, body) }
    }
}
