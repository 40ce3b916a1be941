import Foundation
import Synchronization

/// Streams tensors on the calling thread and processes their blocks on worker threads: hashing
/// (SHA-256 runs at about 1.7 GB/s on one core) and statistics are CPU-bound, while reading is a
/// copy. Only the calling thread calls libhdf5, as it must in an isolated worker (see
/// ``Isolation``), whose one thread holds libhdf5's lock for good.
///
/// Each tensor's blocks go, in order, to one serial lane (tensor `i` to lane `i % lanes`), so a
/// tensor's state sees its bytes in order; at most `2 × lanes + 1` blocks are in flight, so memory
/// stays bounded by that many blocks.
enum ConcurrentTensors {
    /// At most this many worker lanes.
    static let maximumLanes = 4

    /// For every weight, in the order given: `start` on the calling thread (before reading),
    /// `consume` for each block of its bytes on a worker lane, then `finish` there. A weight that
    /// cannot be read gives its error instead. `completed` runs on the calling thread once a
    /// weight has been read (for progress).
    static func map<State, T: Sendable>(
        _ weights: [WeightEntry], in file: WeightFile, completed: (WeightEntry) -> Void = { _ in },
        start: (WeightEntry) -> State,
        consume: @escaping @Sendable (inout State, UnsafeRawBufferPointer) -> Void,
        finish: @escaping @Sendable (State) -> T
    ) -> [Result<T, CheckpointError>] {
        let lanes = (0..<min(maximumLanes, ProcessInfo.processInfo.activeProcessorCount, max(1, weights.count)))
            .map { WorkerThread(name: "heft.tensor-lane-\($0)") }
        let results = Mutex<[Int: Result<T, CheckpointError>]>([:])
        let inFlight = CountingSemaphore(2 * lanes.count + 1)
        for (index, weight) in weights.enumerated() {
            let lane = lanes[index % lanes.count]
            let state = LaneState(start(weight))
            let failure = stream(weight, in: file) { block in
                inFlight.wait()
                lane.submit {
                    consume(&state.value, UnsafeRawBufferPointer(block.bytes))
                    block.bytes.deallocate()
                    inFlight.signal()
                }
            }
            lane.submit {
                let result: Result<T, CheckpointError> = failure.map { .failure($0) } ?? .success(finish(state.value))
                results.withLock { $0[index] = result }
            }
            completed(weight)
        }
        for lane in lanes { lane.finish() }
        return results.withLock { collected in weights.indices.map { collected[$0]! } }
    }

    /// Reads the weight block by block into fresh buffers handed to `handOff` (which frees them);
    /// returns the error that stopped the reading, if any.
    private static func stream(_ weight: WeightEntry, in file: WeightFile, _ handOff: (Block) -> Void) -> CheckpointError? {
        do {
            try file.requireReadable(weight, holding: nil)
            try translatingHDF5Errors(file: file.path) {
                let reader = try ChunkReader(file: file, weight: weight)
                for block in reader.blocks {
                    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, reader.bufferBytes), alignment: 64)
                    do {
                        let bytes = try reader.read(block, into: buffer)
                        handOff(Block(bytes: UnsafeMutableRawBufferPointer(mutating: bytes)))
                    } catch {
                        buffer.deallocate()
                        throw error
                    }
                }
            }
            return nil
        } catch let error as CheckpointError {
            return error
        } catch {
            return CheckpointError(file: file.path, .io("\(weight.path): \(error)"))
        }
    }
}

/// One block of a tensor's bytes, owned by whoever holds it last.
///
/// `@unchecked Sendable`: the buffer moves from the reading thread to one lane and is never
/// touched by the reader again.
private struct Block: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer
}

/// A tensor's state while its blocks are processed.
///
/// `@unchecked Sendable`: created on the calling thread before any block is queued, then used
/// only by the tensor's serial lane (queueing orders those accesses).
private final class LaneState<State>: @unchecked Sendable {
    var value: State
    init(_ value: State) { self.value = value }
}
