import Checkpoint
import Crypto
import NeuralNet

extension WeightFile {
    /// Min, max, mean, std and NaN/Inf/zero counts of a tensor, read in bounded blocks.
    ///
    /// - Throws: ``CheckpointError`` if the data cannot be read.
    public func statistics(of weight: WeightEntry) throws -> TensorStatistics {
        var accumulator = StatisticsAccumulator()
        try forEachBlock(of: weight) { bytes, _ in
            Elements.with(bytes, dtype: weight.dtype) { accumulator.add($0) }
        }
        return accumulator.statistics
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

    /// Calls `body` with each block of the tensor's raw little-endian bytes and the index of the
    /// block's first element. Memory: one block (≤ 4 MiB or one row), whatever the tensor size.
    ///
    /// - Throws: ``CheckpointError`` if the data cannot be read, or what `body` throws.
    public func forEachBlock(of weight: WeightEntry,
                             _ body: (_ bytes: UnsafeRawBufferPointer, _ firstElement: Int) throws -> Void) throws {
        try requireReadable(weight, holding: nil)
        let reader = try ChunkReader(file: self, weight: weight)
        try withBuffer(reader.bufferBytes) { buffer in try reader.forEach(into: buffer, body) }
    }
}
