#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NeuralNet

/// Reads one tensor in blocks of whole rows (first axis) into one reused buffer, so memory stays
/// bounded by `chunkBytes` (or one row, if a row is larger) whatever the tensor's size. Where the
/// tensor can be mapped (see ``FileMapping``) its blocks come from the file's memory map: copied
/// by ``read(_:into:)``, handed out in place by ``withBlock(_:buffer:_:)``; no dataset is opened.
package struct ChunkReader {
    /// The default block size: 4 MiB, which keeps a block in the CPU caches.
    package static let defaultChunkBytes = 4 << 20

    private let source: Source
    package let weight: WeightEntry
    package let rowsPerChunk: Int
    package let rowElements: Int

    /// Where the bytes come from.
    private enum Source {
        case reader(any TensorRowReader)
        case mapped(MappedRegion)
    }

    package init(file: WeightFile, weight: WeightEntry, chunkBytes: Int = defaultChunkBytes) throws {
        if let region = try file.container.mappedBytes(of: weight) {
            source = .mapped(region)
        } else {
            source = .reader(try file.container.rowReader(for: weight))
        }
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

    /// The bytes of a block within the tensor.
    private func byteRange(_ block: (row: Int, count: Int)) -> Range<Int> {
        guard weight.shape.first != nil else { return 0..<weight.dtype.byteCount }
        let rowBytes = rowElements * weight.dtype.byteCount
        return (block.row * rowBytes)..<((block.row + block.count) * rowBytes)
    }

    /// Reads one block into the start of `buffer` and returns the bytes read.
    package func read(_ block: (row: Int, count: Int), into buffer: UnsafeMutableRawBufferPointer) throws -> UnsafeRawBufferPointer {
        let range = byteRange(block)
        let bytes = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<range.count])
        switch source {
        case .reader(let reader):
            try reader.read(rows: weight.shape.first == nil ? nil : block.row..<(block.row + block.count), into: bytes)
        case .mapped(let region):
            try region.copy(range, into: bytes)
        }
        return UnsafeRawBufferPointer(bytes)
    }

    /// Calls `body` with one block's bytes: where the reader maps, as ``MappedRegion/withBlock(_:buffer:_:)``
    /// gives them (large blocks in the map, where they need not be aligned to their elements: read
    /// them with `loadUnaligned` or the C kernels; small ones copied into `buffer`), else read into
    /// `buffer`. The bytes are valid only during the call.
    package func withBlock<R>(_ block: (row: Int, count: Int), buffer: UnsafeMutableRawBufferPointer,
                              _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard case .mapped(let region) = source else { return try body(try read(block, into: buffer)) }
        return try region.withBlock(byteRange(block), buffer: buffer, body)
    }

    /// Calls `body` with the bytes of every block (see ``withBlock(_:buffer:_:)``) and the index of
    /// the block's first element.
    package func forEach(into buffer: UnsafeMutableRawBufferPointer,
                 _ body: (_ bytes: UnsafeRawBufferPointer, _ firstElement: Int) throws -> Void) throws {
        for block in blocks {
            try withBlock(block, buffer: buffer) { try body($0, block.row * rowElements) }
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
