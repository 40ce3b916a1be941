import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The processes started together by `mpirun` (MPI's `MPI_COMM_WORLD`), each with a rank from 0
/// to `size - 1`: rank 0 (the root) collects, the others contribute. In a build without the `MPI`
/// trait, or a process not started by `mpirun`, it is one process: rank 0 of 1, and every
/// collective operation returns at once.
///
/// Every collective operation takes a deadline: a rank that stopped, was killed or hangs makes
/// the others throw a ``ClusterError`` naming it rather than wait for ever. The other ranks wait
/// twice as long for rank 0 as rank 0 waits for them, so that when a rank is missing, rank 0 —
/// which knows which one — is the one that reports it. A process that cannot go on calls
/// ``abort(_:code:)``, which ends every rank (MPI_Abort) with the one message and exit code
/// given; `mpirun` then returns that code.
///
/// MPI is initialized by ``world()`` (thread level `MPI_THREAD_FUNNELED`: only the thread that
/// called it may call MPI, which these methods do not check) and finalized when the process exits.
public final class Communicator: Sendable {
    /// This process's rank.
    public let rank: Int
    /// How many processes there are.
    public let size: Int

    /// Whether this is rank 0, which collects results and prints the report.
    public var isRoot: Bool { rank == 0 }

    /// The default deadline of a collective operation.
    public static let defaultTimeout: Duration = .seconds(600)

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// The processes of this run, MPI initialized on the first call. A process not started by
    /// a launcher (`mpirun` sets `OMPI_COMM_WORLD_SIZE`, PMIx launchers `PMIX_RANK`) is one
    /// process and never initializes MPI: Open MPI's singleton start costs about 0.4 s here.
    ///
    /// - Throws: ``ClusterError`` if MPI cannot be initialized.
    public static func world() throws(ClusterError) -> Communicator {
        #if MPI
        let environment = ProcessInfo.processInfo.environment
        guard environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMIX_RANK"] != nil else { return Communicator(rank: 0, size: 1) }
        let (rank, size) = try MPIRuntime.initialize()
        return Communicator(rank: rank, size: size)
        #else
        return Communicator(rank: 0, size: 1)
        #endif
    }

    /// Whether this build can run on several processes (was built with the `MPI` trait).
    public static var isDistributedBuild: Bool {
        #if MPI
        true
        #else
        false
        #endif
    }

    /// Sends `bytes` to rank 0, which gets every rank's bytes in rank order (its own first);
    /// the other ranks get `[]`.
    ///
    /// - Throws: ``ClusterError`` when a rank does not take part within `timeout` (rank 0 names
    ///   the ranks it still waited for) or MPI fails.
    public func gather(_ bytes: [UInt8], timeout: Duration = defaultTimeout) throws(ClusterError) -> [[UInt8]] {
        #if MPI
        if size > 1 { return try MPIRuntime.gather(bytes, rank: rank, size: size, deadline: deadline(timeout)) }
        #endif
        return [bytes]
    }

    /// Sends rank 0's `bytes` to every rank; every rank returns them (the others' `bytes` are
    /// ignored).
    ///
    /// - Throws: ``ClusterError`` as ``gather(_:timeout:)`` does.
    public func broadcast(_ bytes: [UInt8], timeout: Duration = defaultTimeout) throws(ClusterError) -> [UInt8] {
        #if MPI
        if size > 1 { return try MPIRuntime.broadcast(bytes, rank: rank, size: size, deadline: deadline(timeout)) }
        #endif
        return bytes
    }

    /// Returns once every rank has called it.
    ///
    /// - Throws: ``ClusterError`` as ``gather(_:timeout:)`` does.
    public func barrier(timeout: Duration = defaultTimeout) throws(ClusterError) {
        _ = try gather([], timeout: timeout)
        _ = try broadcast([], timeout: timeout)
    }

    /// This rank's deadline for an operation of `timeout` (see the type's discussion).
    private func deadline(_ timeout: Duration) -> Deadline {
        Deadline(isRoot ? timeout : timeout * 2)
    }

    /// Ends every rank: prints `heft: error: <message>` on standard error, then, under `mpirun`,
    /// `MPI_Abort` stops the other ranks and `mpirun` exits with `code`; alone, this process exits
    /// with `code`.
    public func abort(_ message: String, code: Int32) -> Never {
        let line = "heft: error: \(message)\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
        #if MPI
        if size > 1 { MPIRuntime.abort(code: code) }
        #endif
        exit(code)
    }
}

/// A point in time by which an operation must finish.
struct Deadline {
    let end: ContinuousClock.Instant
    let timeout: Duration

    init(_ timeout: Duration) {
        self.timeout = timeout
        end = .now + timeout
    }

    var hasPassed: Bool { ContinuousClock.now >= end }

    var seconds: Double {
        Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18
    }
}
