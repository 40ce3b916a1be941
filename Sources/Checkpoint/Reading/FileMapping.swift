import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// A read-only memory map of a whole file: tensors are read in place, with no copy through
/// libhdf5 or `read(2)`. Unmapped when the last ``MappedRegion`` of it goes away.
///
/// A mapped page whose file was cut short is a `SIGBUS` when touched, not an error. Every
/// access therefore goes through ``MappedRegion/populate(_:)`` first, which asks the kernel to map
/// the pages (`MADV_POPULATE_READ`, Linux 5.14) and gets an error, not a signal, where the file no
/// longer backs them. A file cut short by another process in the microseconds between that check
/// and the use can still raise `SIGBUS`; the CLI reads untrusted files in an isolated worker (see
/// ``Isolation``), which reports it. Where the kernel lacks `MADV_POPULATE_READ`
/// (``isSupported``), nothing is mapped and tensors are read as before.
package final class FileMapping: Sendable {
    /// The mapping's first byte, as an address (a pointer is not `Sendable`; the mapping is
    /// read-only, so sharing it between threads is safe).
    private let address: UInt
    /// The bytes mapped: the file's size when it was opened.
    package let count: Int
    /// The file, for errors.
    package let path: String
    /// A duplicate of the descriptor mapped, owned by the mapping, for ``MappedRegion/copy(_:into:)``'s
    /// `pread` of small ranges (the caller's descriptor may be closed, and its number reused,
    /// while a region is still in use).
    private let descriptor: Int32

    /// Maps the first `size` bytes of the open file `descriptor` (which may be closed afterwards).
    ///
    /// - Throws: ``CheckpointError`` if the file's size is no longer `size` (it changed since it
    ///   was opened) or the kernel refuses the mapping.
    package init(descriptor: Int32, size: UInt64, path: String) throws(CheckpointError) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw Errno(rawValue: errno).checkpointError(file: path, "fstat")
        }
        guard UInt64(status.st_size) == size, let count = Int(exactly: size), count > 0 else {
            throw CheckpointError(file: path, .truncated("the file's size changed from \(size) to \(status.st_size) bytes since it was opened"))
        }
        let duplicate = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
        guard duplicate >= 0 else { throw Errno(rawValue: errno).checkpointError(file: path, "dup") }
        guard let base = mmap(nil, count, PROT_READ, MAP_SHARED, descriptor, 0), base != MAP_FAILED else {
            let error = Errno(rawValue: errno).checkpointError(file: path, "mmap")
            close(duplicate)
            throw error
        }
        self.descriptor = duplicate
        address = UInt(bitPattern: base)
        self.count = count
        self.path = path
    }

    deinit {
        munmap(UnsafeMutableRawPointer(bitPattern: address), count)
        close(descriptor)
    }

    /// Reads `buffer.count` bytes at `offset` with `pread(2)`, without touching the map.
    ///
    /// - Throws: ``CheckpointError`` if the file ends before them (it was cut short) or the read fails.
    fileprivate func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer, object: String) throws(CheckpointError) {
        var done = 0
        while done < buffer.count {
            let count = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let reason = count == 0 ? "the file ends inside its data (it was cut short while open)"
                    : "reading the data failed: \(String(cString: strerror(errno)))"
                throw CheckpointError(file: path, .truncated("\(object): \(reason)"))
            }
            done += count
        }
    }

    /// Whether this kernel can populate mapped pages with an error instead of a signal.
    package static let isSupported: Bool = {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard let probe = mmap(nil, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), probe != MAP_FAILED else { return false }
        defer { munmap(probe, page) }
        return madvise(probe, page, populateRead) == 0
    }()

    /// `MADV_POPULATE_READ`, which not every C library's headers define yet.
    static let populateRead: Int32 = 22

    /// The bytes `offset ..< offset + count` of the file, for the tensor at `object`, whose
    /// elements are `elementSize` bytes wide.
    ///
    /// - Precondition: the range lies inside the mapping.
    package func region(offset: UInt64, count: Int, elementSize: Int, object: String) -> MappedRegion {
        precondition(count >= 0 && offset <= UInt64(self.count) && UInt64(count) <= UInt64(self.count) - offset,
                     "FileMapping: \(object) at \(offset)+\(count) outside the \(self.count) bytes of \(path)")
        return MappedRegion(mapping: self, offset: Int(offset), count: count, isAligned: offset % UInt64(elementSize) == 0,
                            object: object)
    }

    fileprivate func pointer(at offset: Int) -> UnsafeRawPointer {
        UnsafeRawPointer(bitPattern: address)! + offset
    }
}

/// One tensor's bytes in a ``FileMapping``, which it keeps alive.
package struct MappedRegion: Sendable {
    /// The mapping.
    package let mapping: FileMapping
    /// Where the bytes start in the file.
    package let offset: Int
    /// How many bytes.
    package let count: Int
    /// Whether the data starts at a multiple of its element size. Blocks are handed out in place
    /// either way (their readers load elements with `loadUnaligned` or C kernels that `memcpy`
    /// them); only a ``MappedTensor``, which exposes typed elements, needs aligned data. Unaligned
    /// data is what a `.keras` archive's entry holds (Python's `zipfile` does not align) and what a
    /// safetensors writer that does not align leaves.
    package let isAligned: Bool
    /// The tensor's path, for errors.
    package let object: String

    /// The bytes in place. Touch only ranges ``populate(_:)`` has checked.
    package var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: mapping.pointer(at: offset), count: count)
    }

    /// Maps the pages of `range` (within the region) from the page cache, reading them from disk
    /// if needed, in one system call.
    ///
    /// - Throws: ``CheckpointError`` if the file no longer backs them (it was cut short) or the
    ///   disk fails: what touching them would have turned into `SIGBUS`.
    package func populate(_ range: Range<Int>) throws(CheckpointError) {
        guard !range.isEmpty else { return }
        let (start, length) = pageAligned(range)
        if madvise(UnsafeMutableRawPointer(mutating: start), length, FileMapping.populateRead) != 0 {
            let reason = errno == EFAULT ? "the file ends inside its data (it was cut short while mapped)"
                : "reading the mapped data failed: \(String(cString: strerror(errno)))"
            throw CheckpointError(file: mapping.path, .truncated("\(object): \(reason)"))
        }
    }

    /// Unmaps the pages of `range` from this process (the page cache keeps them), so reading a
    /// large file in place does not grow the resident set by its size.
    package func release(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        // Only whole pages inside the range: a page shared with a neighbour's bytes may be in use.
        let page = FileMapping.pageSize
        let start = (offset + range.lowerBound + page - 1) / page * page
        let end = (offset + range.upperBound) / page * page
        guard end > start else { return }
        madvise(UnsafeMutableRawPointer(mutating: mapping.pointer(at: start)), end - start, MADV_DONTNEED)
    }

    /// Ranges smaller than this are copied with `pread(2)` rather than through the map: a small
    /// tensor shares its pages with its neighbours, so they could not be dropped after use and a
    /// file of many small tensors would pile up in the resident set (100 000 tensors of 256
    /// bytes: 146 MiB more). Larger ranges leave at most their two boundary pages mapped.
    package static let mappedMinimumBytes = 256 << 10

    /// The block size of ``blocks``: 4 MiB, a multiple of every element size.
    package static let blockBytes = 4 << 20

    /// The byte ranges of the blocks, in order.
    package var blocks: [Range<Int>] {
        stride(from: 0, to: max(count, 1), by: Self.blockBytes).map { $0..<min(count, $0 + Self.blockBytes) }
    }

    /// Calls `body` with the bytes of `range`: in the map for ranges of ``mappedMinimumBytes`` and
    /// more (checked by ``populate(_:)`` before, released after; aligned to their elements only
    /// when ``isAligned``), else copied into the start of `buffer` (see ``copy(_:into:)``).
    ///
    /// - Throws: ``CheckpointError`` as ``copy(_:into:)`` does, and what `body` throws.
    package func withBlock<R>(_ range: Range<Int>, buffer: UnsafeMutableRawBufferPointer,
                              _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard range.count >= Self.mappedMinimumBytes else { return try body(copy(range, into: buffer)) }
        try populate(range)
        defer { release(range) }
        return try body(UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    /// Copies the bytes into `buffer` (see ``copy(_:into:)``), block by block; a region of two
    /// blocks or more is copied by the calling thread and a helper thread together, each taking
    /// the next block, since one core's copy from the page cache runs at about half the memory's
    /// speed (1 GiB: 185 ms on one thread, 97 ms on two; docs/performance.md).
    ///
    /// - Precondition: `buffer.count == count`.
    /// - Throws: ``CheckpointError`` as ``copy(_:into:)`` does (the first failure, once both
    ///   threads have stopped).
    package func copy(into buffer: UnsafeMutableRawBufferPointer) throws {
        precondition(buffer.count == count, "MappedRegion.copy: \(buffer.count) bytes for \(count)")
        let blocks = self.blocks
        let copyBlock = { (index: Int) throws(CheckpointError) -> Void in
            try self.copy(blocks[index], into: UnsafeMutableRawBufferPointer(rebasing: buffer[blocks[index]]))
        }
        guard blocks.count >= 2, ProcessInfo.processInfo.activeProcessorCount >= 2 else {
            for index in blocks.indices { try copyBlock(index) }
            return
        }
        let queue = BlockQueue(count: blocks.count)
        let helper = WorkerThread(name: "heft.copy")
        helper.submit { queue.drain(copyBlock) }
        queue.drain(copyBlock)
        helper.finish()
        if let failure = queue.failure { throw failure }
    }

    /// Copies the bytes of `range` to the start of `buffer` and returns them there: from the map
    /// (checked by ``populate(_:)``, dropped after) for ranges of ``mappedMinimumBytes`` and
    /// more, with `pread(2)` for smaller ones.
    ///
    /// - Throws: ``CheckpointError`` if the file no longer holds the bytes (it was cut short) or
    ///   reading them fails.
    @discardableResult
    package func copy(_ range: Range<Int>, into buffer: UnsafeMutableRawBufferPointer) throws(CheckpointError) -> UnsafeRawBufferPointer {
        let target = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<range.count])
        guard !range.isEmpty else { return UnsafeRawBufferPointer(target) }
        if range.count < Self.mappedMinimumBytes {
            try mapping.read(at: offset + range.lowerBound, into: target, object: object)
        } else {
            try populate(range)
            defer { release(range) }
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[range]))
        }
        return UnsafeRawBufferPointer(target)
    }

    /// The whole pages covering `range`.
    private func pageAligned(_ range: Range<Int>) -> (UnsafeRawPointer, Int) {
        let first = (offset + range.lowerBound) / FileMapping.pageSize * FileMapping.pageSize
        return (mapping.pointer(at: first), offset + range.upperBound - first)
    }
}

extension FileMapping {
    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// The blocks of one copy, handed out one at a time to the threads sharing it; the first failure
/// stops every thread at its next block.
private final class BlockQueue: Sendable {
    private let state: Mutex<(next: Int, failure: CheckpointError?)> = Mutex((0, nil))
    private let count: Int

    init(count: Int) {
        self.count = count
    }

    /// The first failure, if any.
    var failure: CheckpointError? { state.withLock { $0.failure } }

    /// Calls `body` with each block index not yet taken, until none is left or a call fails.
    func drain(_ body: (Int) throws(CheckpointError) -> Void) {
        while let index = take() {
            do throws(CheckpointError) {
                try body(index)
            } catch {
                state.withLock { if $0.failure == nil { $0.failure = error } }
                return
            }
        }
    }

    private func take() -> Int? {
        state.withLock { state in
            guard state.failure == nil, state.next < count else { return nil }
            defer { state.next += 1 }
            return state.next
        }
    }
}
