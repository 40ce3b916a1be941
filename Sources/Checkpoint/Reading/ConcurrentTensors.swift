import Foundation
import Synchronization

/// Streams tensors on the calling thread and processes their blocks on worker threads: hashing
/// and statistics are CPU-bound, while reading is a copy, or nothing at all for a tensor in the
/// file's memory map (``FileMapping``): the calling thread then only checks that the file backs
/// each block, and the lane reads the bytes in place. Only the calling thread calls libhdf5, as it
/// must in an isolated worker (see ``Isolation``), whose one thread holds libhdf5's lock for good.
///
/// Each lane works on one tensor at a time and sees its blocks in order; the calling thread reads
/// blocks round-robin from the lanes' current tensors, so every lane stays busy. At most two blocks
/// per lane are in flight, which bounds memory.
package enum ConcurrentTensors {
    /// At most this many worker lanes.
    static let maximumLanes = 4
    /// Blocks read ahead per lane.
    static let blocksPerLane = 2

    /// For every weight, in the order given: `start` on the calling thread (before reading),
    /// `consume` for each block of its bytes on a worker lane, then `finish` there. A weight that
    /// cannot be read gives its error instead. `completed` runs on the calling thread once a
    /// weight has been read (for progress). The bytes `consume` gets may lie in the file's map
    /// unaligned to their elements (a `.keras` archive's entry starts wherever the zip put it):
    /// read them with `loadUnaligned` or the C kernels, never by rebinding memory.
    package static func map<State, T: Sendable>(
        _ weights: [WeightEntry], in file: WeightFile, completed: (WeightEntry) -> Void = { _ in },
        start: (WeightEntry) -> State,
        consume: @escaping @Sendable (inout State, UnsafeRawBufferPointer) -> Void,
        finish: @escaping @Sendable (State) -> T
    ) -> [Result<T, CheckpointError>] {
        let laneCount = min(maximumLanes, ProcessInfo.processInfo.activeProcessorCount, max(1, weights.count))
        let lanes = (0..<laneCount).map { WorkerThread(name: "heft.tensor-lane-\($0)") }
        let capacity = LaneCapacity(lanes: laneCount, perLane: blocksPerLane)
        let pool = BlockPool()
        defer { pool.drain() }
        let results = Mutex<[Result<T, CheckpointError>?]>(Array(repeating: nil, count: weights.count))
        var pending = weights.indices.makeIterator()
        var streams: [TensorStream<State>?] = Array(repeating: nil, count: laneCount)

        /// Ends the lane's tensor (with `failure`, if reading it failed) and starts the next one.
        func advance(_ lane: Int, failure: CheckpointError? = nil) {
            if let stream = streams[lane] {
                // The job captures no reader: its dataset handle must be closed on this thread,
                // the only one an isolated worker lets call libhdf5.
                let (state, index) = (stream.state, stream.index)
                lanes[lane].submit {
                    let result: Result<T, CheckpointError> = failure.map { .failure($0) } ?? .success(finish(state.value))
                    results.withLock { $0[index] = result }
                }
                completed(weights[stream.index])
                streams[lane] = nil
            }
            var next = pending.next()
            // A small tensor is done here: handing it to a lane costs more than the work.
            while let index = next, weights[index].storageSize <= inlineBytes {
                let result = inline(weights[index], in: file, start: start, consume: consume, finish: finish)
                results.withLock { $0[index] = result }
                completed(weights[index])
                next = pending.next()
            }
            guard let index = next else { return }
            let state = LaneState(start(weights[index]))
            do {
                streams[lane] = TensorStream(index: index, source: try openSource(weights[index], in: file), state: state)
            } catch {
                streams[lane] = TensorStream(index: index, source: nil, state: state)
                advance(lane, failure: error)
            }
        }

        for lane in 0..<laneCount { advance(lane) }
        while let lane = capacity.waitForFreeLane(among: streams.indices.filter { streams[$0] != nil }) {
            guard let stream = streams[lane], let source = stream.source, stream.position < source.blockCount else {
                advance(lane)
                continue
            }
            do {
                let block = try read(stream.position, of: source, weight: weights[stream.index], in: file, pool: pool)
                streams[lane]?.position += 1
                capacity.take(lane)
                let state = stream.state
                lanes[lane].submit {
                    block.withBytes { consume(&state.value, $0) }
                    block.release(to: pool)
                    capacity.give(lane)
                }
            } catch {
                advance(lane, failure: error)
            }
        }
        for lane in lanes { lane.finish() }
        return results.withLock { collected in collected.map { $0! } }
    }

    /// Tensors stored in at most this many bytes are read and processed on the calling thread.
    static let inlineBytes = 256 << 10

    /// One small tensor, read and processed on the calling thread.
    private static func inline<State, T>(_ weight: WeightEntry, in file: WeightFile, start: (WeightEntry) -> State,
                                         consume: (inout State, UnsafeRawBufferPointer) -> Void,
                                         finish: (State) -> T) -> Result<T, CheckpointError> {
        var state = start(weight)
        do {
            switch try openSource(weight, in: file) {
            case .mapped(let region, _):
                try checkpointErrors(weight, in: file) {
                    try withBuffer(region.count) { buffer in try region.withBlock(0..<region.count, buffer: buffer) { consume(&state, $0) } }
                }
            case .reader(let reader, let blocks):
                try withBuffer(reader.bufferBytes) { buffer in
                    for block in blocks {
                        let bytes = try checkpointErrors(weight, in: file) {
                            try reader.read(block, into: buffer)
                        }
                        consume(&state, bytes)
                    }
                }
            }
            return .success(finish(state))
        } catch let error as CheckpointError {
            return .failure(error)
        } catch {
            return .failure(CheckpointError(file: file.path, .io("\(weight.path): \(error)")))
        }
    }

    /// The tensor's bytes in the file's map, or else a reader of its rows.
    private static func openSource(_ weight: WeightEntry, in file: WeightFile) throws(CheckpointError) -> BlockSource {
        try checkpointErrors(weight, in: file) {
            try file.requireReadable(weight, holding: nil)
            if let region = try file.container.mappedBytes(of: weight) { return .mapped(region, blocks: region.blocks) }
            let reader = try ChunkReader(file: file, weight: weight)
            return .reader(reader, blocks: reader.blocks)
        }
    }

    /// Block `index` of `source`: read into a buffer from `pool`, which the lane that consumes it
    /// returns, or the bytes in the file's map once the file is known to back them.
    private static func read(_ index: Int, of source: BlockSource, weight: WeightEntry,
                             in file: WeightFile, pool: BlockPool) throws(CheckpointError) -> Block {
        try checkpointErrors(weight, in: file) {
            switch source {
            case .mapped(let region, let blocks):
                try region.populate(blocks[index])
                return Block(source: .map(region, blocks[index]))
            case .reader(let reader, let blocks):
                let memory = try pool.take(capacity: reader.bufferBytes, for: weight, in: file)
                do {
                    return Block(source: .pool(memory, count: try reader.read(blocks[index], into: memory).count))
                } catch {
                    pool.put(memory)
                    throw error
                }
            }
        }
    }

    private static func checkpointErrors<R>(_ weight: WeightEntry, in file: WeightFile, _ body: () throws -> R) throws(CheckpointError) -> R {
        do {
            return try body()
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError(file: file.path, .io("\(weight.path): \(error)"))
        }
    }
}

/// The tensor a lane is working on: which one, where its blocks come from (`nil` if it could not
/// be opened), the next block to read and its state.
private struct TensorStream<State> {
    let index: Int
    let source: BlockSource?
    let state: LaneState<State>
    var position = 0
}

/// Where a tensor's blocks come from, with the blocks listed once (`ChunkReader.blocks` builds
/// the list on each call).
private enum BlockSource {
    /// Rows read by libhdf5 or `pread` into a buffer.
    case reader(ChunkReader, blocks: [(row: Int, count: Int)])
    /// Byte ranges of the file's map.
    case mapped(MappedRegion, blocks: [Range<Int>])

    var blockCount: Int {
        switch self {
        case .reader(_, let blocks): blocks.count
        case .mapped(_, let blocks): blocks.count
        }
    }
}

/// Blocks in flight per lane; the reading thread waits until a lane it has work for has room.
///
/// `@unchecked Sendable`: `inFlight` is only touched while holding `condition`.
private final class LaneCapacity: @unchecked Sendable {
    private let condition = NSCondition()
    private var inFlight: [Int]
    private let perLane: Int

    init(lanes: Int, perLane: Int) {
        inFlight = Array(repeating: 0, count: lanes)
        self.perLane = perLane
    }

    /// The candidate lane with the fewest blocks in flight, once one has room; `nil` if there are
    /// no candidates.
    func waitForFreeLane(among candidates: [Int]) -> Int? {
        guard !candidates.isEmpty else { return nil }
        return condition.withLock {
            while true {
                if let lane = candidates.min(by: { inFlight[$0] < inFlight[$1] }), inFlight[lane] < perLane { return lane }
                condition.wait()
            }
        }
    }

    func take(_ lane: Int) {
        condition.withLock { inFlight[lane] += 1 }
    }

    func give(_ lane: Int) {
        condition.withLock {
            inFlight[lane] -= 1
            condition.broadcast()
        }
    }
}

/// One block of a tensor's bytes, owned by whoever holds it last.
///
/// `@unchecked Sendable`: the memory moves from the reading thread to one lane and is never
/// touched by the reader again (a mapped block is read-only).
private struct Block: @unchecked Sendable {
    let source: Source

    enum Source {
        /// `count` bytes read into a buffer of the pool.
        case pool(UnsafeMutableRawBufferPointer, count: Int)
        /// Pages of a file's map, checked by `populate` (aligned to their elements or not).
        case map(MappedRegion, Range<Int>)
    }

    /// Calls `body` with the block's bytes, on the lane.
    func withBytes(_ body: (UnsafeRawBufferPointer) -> Void) {
        switch source {
        case .pool(let memory, let count):
            body(UnsafeRawBufferPointer(rebasing: memory[0..<count]))
        case .map(let region, let range):
            body(UnsafeRawBufferPointer(rebasing: region.bytes[range]))
        }
    }

    /// Gives the buffer back to the pool and unmaps the pages from the process.
    func release(to pool: BlockPool) {
        switch source {
        case .pool(let memory, _):
            pool.put(memory)
        case .map(let region, let range):
            region.release(range)
        }
    }
}

/// Block buffers reused across tensors, mapped from the kernel and unmapped when done: freed
/// `malloc` blocks would stay in glibc's per-thread heaps and grow the resident set with every
/// lane that frees one; mapping a fresh block per read would fault its pages in every time.
///
/// `@unchecked Sendable`: `free` is only touched while holding `lock`.
private final class BlockPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [UnsafeMutableRawBufferPointer] = []

    /// A buffer of at least `capacity` bytes for a block of `weight`.
    ///
    /// - Throws: ``CheckpointError`` if the memory cannot be mapped (the process is out of memory
    ///   or address space).
    func take(capacity: Int, for weight: WeightEntry, in file: WeightFile) throws(CheckpointError) -> UnsafeMutableRawBufferPointer {
        let size = max(1, capacity)
        if let reused = lock.withLock({ free.firstIndex { $0.count >= size }.map { free.remove(at: $0) } }) { return reused }
        guard let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), mapped != MAP_FAILED else {
            throw CheckpointError(file: file.path, .io("\(weight.path): cannot map \(size) bytes to read it into: \(String(cString: strerror(errno)))"))
        }
        return UnsafeMutableRawBufferPointer(start: mapped, count: size)
    }

    func put(_ buffer: UnsafeMutableRawBufferPointer) {
        lock.withLock { free.append(buffer) }
    }

    /// Unmaps every buffer (all must have been put back).
    func drain() {
        lock.withLock {
            for buffer in free { munmap(buffer.baseAddress, buffer.count) }
            free.removeAll()
        }
    }
}

/// A tensor's state while its blocks are processed.
///
/// `@unchecked Sendable`: created on the calling thread before any block is queued, then used
/// only by the tensor's lane (queueing orders those accesses).
private final class LaneState<State>: @unchecked Sendable {
    var value: State
    init(_ value: State) { self.value = value }
}
