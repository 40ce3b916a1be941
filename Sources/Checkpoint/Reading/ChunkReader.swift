#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NeuralNet

/// Reads one tensor in blocks of whole rows (first axis) into one reused buffer, so memory stays
/// bounded by `chunkBytes` (or one row, if a row is larger) whatever the tensor's size.
package struct ChunkReader {
    /// The default block size: 4 MiB, which keeps a block in the CPU caches.
    package static let defaultChunkBytes = 4 << 20

    let reader: any TensorRowReader
    package let weight: WeightEntry
    package let rowsPerChunk: Int
    package let rowElements: Int

    package init(file: WeightFile, weight: WeightEntry, chunkBytes: Int = defaultChunkBytes) throws {
        self.reader = try file.container.rowReader(for: weight)
        self.weight = weight
        rowElements = weight.shape.dropFirst().reduce(1, *)
        rowsPerChunk = max(1, chunkBytes / max(1, rowElements * weight.dtype.byteCount))
    }

    /// The largest block in bytes; a buffer of this size serves every call of ``forEach(into:_:)``.
    package var bufferBytes: Int {
        guard let rows = weight.shape.first else { return weight.dtype.byteCount }
        return min(rows, rowsPerChunk) * rowElements * weight.dtype.byteCount
    }

    /// The blocks as (first row, row count); one block of no rows for a scalar.
    package var blocks: [(row: Int, count: Int)] {
        guard let rows = weight.shape.first else { return [(0, 0)] }
        return stride(from: 0, to: rows, by: rowsPerChunk).map { ($0, min(rowsPerChunk, rows - $0)) }
    }

    /// Reads one block into the start of `buffer` and returns the bytes read.
    package func read(_ block: (row: Int, count: Int), into buffer: UnsafeMutableRawBufferPointer) throws -> UnsafeRawBufferPointer {
        guard weight.shape.first != nil else {
            let bytes = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<weight.dtype.byteCount])
            try reader.read(rows: nil, into: bytes)
            return UnsafeRawBufferPointer(bytes)
        }
        let bytes = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<(block.count * rowElements * weight.dtype.byteCount)])
        try reader.read(rows: block.row..<(block.row + block.count), into: bytes)
        return UnsafeRawBufferPointer(bytes)
    }

    /// Reads every block into `buffer` and calls `body` with the bytes read and the index of the
    /// block's first element.
    package func forEach(into buffer: UnsafeMutableRawBufferPointer,
                 _ body: (_ bytes: UnsafeRawBufferPointer, _ firstElement: Int) throws -> Void) throws {
        for block in blocks {
            try body(try read(block, into: buffer), block.row * rowElements)
        }
    }
}

/// Calls `body` with a fresh buffer of `bytes` bytes (at least 1), released afterwards.
///
/// Buffers of 1 MiB and more are mapped from the kernel and unmapped after use, so their memory is
/// returned at once (glibc's heap would keep it and, with its adaptive mmap threshold, grow).
package func withBuffer<R>(_ bytes: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
    let count = max(1, bytes)
    if count >= 1 << 20, let mapped = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
       mapped != MAP_FAILED {
        defer { munmap(mapped, count) }
        return try body(UnsafeMutableRawBufferPointer(start: mapped, count: count))
    }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 64)
    defer { buffer.deallocate() }
    return try body(buffer)
}
