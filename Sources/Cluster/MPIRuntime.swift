#if MPI
import CMPI
#if canImport(Glibc)
import Glibc
#endif

/// The MPI calls behind ``Communicator``: point-to-point messages polled against a deadline, so a
/// missing rank is named instead of waited for (MPI's blocking collectives cannot time out).
/// Each message is a length (Int64, tag `lengthTag`) then the bytes (tag `bytesTag`); MPI keeps
/// messages between two ranks with one tag in order, so successive operations do not mix.
enum MPIRuntime {
    private static let gatherTags: (length: Int32, bytes: Int32) = (1, 2)
    private static let broadcastTags: (length: Int32, bytes: Int32) = (3, 4)

    /// MPI initialized once for the process (and finalized at its exit): this rank and the size.
    private static let world: Result<(rank: Int, size: Int), ClusterError> = {
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        if initialized == 0 {
            var provided: Int32 = 0
            let code = MPI_Init_thread(nil, nil, cmpi_thread_funneled(), &provided)
            guard code == cmpi_success() else {
                return .failure(ClusterError(rank: 0, operation: "initialize", .mpi(code: code, message: errorText(code))))
            }
            atexit {
                var finalized: Int32 = 0
                MPI_Finalized(&finalized)
                if finalized == 0 { MPI_Finalize() }
            }
        }
        // Errors come back as codes (and become ClusterError) instead of ending the process.
        MPI_Comm_set_errhandler(cmpi_comm_world(), cmpi_errors_return())
        var rank: Int32 = 0
        var size: Int32 = 0
        MPI_Comm_rank(cmpi_comm_world(), &rank)
        MPI_Comm_size(cmpi_comm_world(), &size)
        return .success((Int(rank), Int(size)))
    }()

    static func initialize() throws(ClusterError) -> (rank: Int, size: Int) {
        try world.get()
    }

    static func gather(_ bytes: [UInt8], rank: Int, size: Int, deadline: Deadline) throws(ClusterError) -> [[UInt8]] {
        if rank != 0 {
            try send(bytes, to: 0, tags: gatherTags, rank: rank, operation: "gather", deadline: deadline)
            return []
        }
        let others = try receive(from: Array(1..<size), tags: gatherTags, rank: rank, operation: "gather", deadline: deadline)
        return [bytes] + others
    }

    static func broadcast(_ bytes: [UInt8], rank: Int, size: Int, deadline: Deadline) throws(ClusterError) -> [UInt8] {
        if rank == 0 {
            for peer in 1..<size {
                try send(bytes, to: peer, tags: broadcastTags, rank: rank, operation: "broadcast", deadline: deadline)
            }
            return bytes
        }
        return try receive(from: [0], tags: broadcastTags, rank: rank, operation: "broadcast", deadline: deadline)[0]
    }

    static func abort(code: Int32) -> Never {
        MPI_Abort(cmpi_comm_world(), code)
        exit(code)
    }

    // MARK: - Messages

    /// Sends the length, then the bytes, to `peer`, waiting until both are delivered.
    private static func send(_ bytes: [UInt8], to peer: Int, tags: (length: Int32, bytes: Int32), rank: Int, operation: String,
                             deadline: Deadline) throws(ClusterError) {
        guard bytes.count <= Int(Int32.max) else {
            throw ClusterError(rank: rank, operation: operation, .malformed("\(bytes.count) bytes in one message (at most \(Int32.max))"))
        }
        var length = Int64(bytes.count)
        var requests = [cmpi_request_null(), cmpi_request_null()]
        let posted = bytes.withUnsafeBytes { buffer in
            withUnsafeMutablePointer(to: &length) { lengthPointer in
                Result { () throws(ClusterError) in
                    try check(MPI_Isend(lengthPointer, 1, cmpi_int64(), Int32(peer), tags.length, cmpi_comm_world(), &requests[0]), rank, operation)
                    try check(MPI_Isend(buffer.baseAddress, Int32(bytes.count), cmpi_byte(), Int32(peer), tags.bytes, cmpi_comm_world(),
                                        &requests[1]), rank, operation)
                    try wait(&requests, peers: [peer, peer], rank: rank, operation: operation, deadline: deadline)
                }
            }
        }
        try posted.get()
    }

    /// Receives a length, then that many bytes, from each of `peers`, in the order given.
    private static func receive(from peers: [Int], tags: (length: Int32, bytes: Int32), rank: Int, operation: String,
                                deadline: Deadline) throws(ClusterError) -> [[UInt8]] {
        var lengths = [Int64](repeating: 0, count: peers.count)
        var requests = [MPI_Request?](repeating: cmpi_request_null(), count: peers.count)
        let announced = lengths.withUnsafeMutableBufferPointer { lengthBuffer in
            Result { () throws(ClusterError) in
                for (index, peer) in peers.enumerated() {
                    try check(MPI_Irecv(lengthBuffer.baseAddress! + index, 1, cmpi_int64(), Int32(peer), tags.length, cmpi_comm_world(),
                                        &requests[index]), rank, operation)
                }
                try wait(&requests, peers: peers, rank: rank, operation: operation, deadline: deadline)
            }
        }
        try announced.get()
        for (index, length) in lengths.enumerated() where length < 0 || length > Int64(Int32.max) {
            throw ClusterError(rank: rank, operation: operation, .malformed("rank \(peers[index]) announced \(length) bytes"))
        }
        var messages = lengths.map { [UInt8](repeating: 0, count: Int($0)) }
        for index in peers.indices {
            let received = messages[index].withUnsafeMutableBytes { buffer in
                Result { () throws(ClusterError) in
                    var request: [MPI_Request?] = [cmpi_request_null()]
                    try check(MPI_Irecv(buffer.baseAddress, Int32(buffer.count), cmpi_byte(), Int32(peers[index]), tags.bytes, cmpi_comm_world(),
                                        &request[0]), rank, operation)
                    try wait(&request, peers: [peers[index]], rank: rank, operation: operation, deadline: deadline)
                }
            }
            try received.get()
        }
        return messages
    }

    /// Polls `requests` until all complete or the deadline passes; then throws naming the peers
    /// of the requests still pending (and cancels them).
    private static func wait(_ requests: inout [MPI_Request?], peers: [Int], rank: Int, operation: String,
                             deadline: Deadline) throws(ClusterError) {
        var pause: UInt32 = 20   // microseconds, doubling up to 5 ms
        while true {
            var pending: [Int] = []
            for index in requests.indices where requests[index] != cmpi_request_null() {
                var done: Int32 = 0
                try check(MPI_Test(&requests[index], &done, cmpi_status_ignore()), rank, operation)
                if done == 0 { pending.append(index) }
            }
            if pending.isEmpty { return }
            if deadline.hasPassed {
                for index in pending {
                    MPI_Cancel(&requests[index])
                    MPI_Request_free(&requests[index])
                }
                let missing = Array(Set(pending.map { peers[$0] })).sorted()
                throw ClusterError(rank: rank, operation: operation, .timedOut(waitingFor: missing, seconds: deadline.seconds))
            }
            usleep(pause)
            pause = min(pause * 2, 5000)
        }
    }

    private static func check(_ code: Int32, _ rank: Int, _ operation: String) throws(ClusterError) {
        guard code != cmpi_success() else { return }
        throw ClusterError(rank: rank, operation: operation, .mpi(code: code, message: errorText(code)))
    }

    private static func errorText(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &buffer, &length)
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
#endif
