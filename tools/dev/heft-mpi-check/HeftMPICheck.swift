import Cluster
import Foundation

/// Exercises ``Communicator`` under `mpirun` for the cluster tests (Tests/ClusterTests):
///
///     heft-mpi-check exchange              every rank gathers and broadcasts; rank 0 prints a JSON line
///     heft-mpi-check stall RANK SECONDS    RANK sleeps before the gather, past the others' 2 s deadline
///     heft-mpi-check fail RANK             RANK gives up (as on a bad shard) and aborts every rank, exit 2
///     heft-mpi-check die RANK              RANK is killed (SIGKILL) before the gather
@main
struct HeftMPICheck {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let communicator: Communicator
        do {
            communicator = try Communicator.world()
        } catch {
            FileHandle.standardError.write(Data("heft-mpi-check: \(error)\n".utf8))
            exit(2)
        }
        let target = arguments.count > 1 ? Int(arguments[1]) ?? -1 : -1
        switch arguments.first {
        case "exchange":
            run(communicator) { try exchange(communicator) }
        case "stall" where arguments.count == 3:
            if communicator.rank == target { sleep(UInt32(arguments[2]) ?? 10) }
            run(communicator) { try exchange(communicator, timeout: .seconds(2)) }
        case "fail" where arguments.count == 2:
            if communicator.rank == target {
                communicator.abort("rank \(target): shard-\(target).weights.h5: unreadable (as a bad shard would be)", code: 2)
            }
            run(communicator) { try exchange(communicator, timeout: .seconds(30)) }
        case "die" where arguments.count == 2:
            if communicator.rank == target { kill(getpid(), SIGKILL) }
            run(communicator) { try exchange(communicator, timeout: .seconds(2)) }
        default:
            FileHandle.standardError.write(Data("usage: heft-mpi-check exchange | stall RANK SECONDS | fail RANK | die RANK\n".utf8))
            exit(2)
        }
    }

    /// Runs `body`; a ``ClusterError`` ends every rank with exit code 2 and its message.
    static func run(_ communicator: Communicator, _ body: () throws -> Void) {
        do {
            try body()
        } catch {
            communicator.abort("\(error)", code: 2)
        }
    }

    /// Each rank sends `rank` repeated `1000 * rank + 1` times; rank 0 checks every message, then
    /// broadcasts a summary every rank checks; rank 0 prints it.
    static func exchange(_ communicator: Communicator, timeout: Duration = Communicator.defaultTimeout) throws {
        let mine = [UInt8](repeating: UInt8(communicator.rank % 256), count: 1000 * communicator.rank + 1)
        let gathered = try communicator.gather(mine, timeout: timeout)
        var summary: [UInt8] = []
        if communicator.isRoot {
            let fine = gathered.count == communicator.size && gathered.enumerated().allSatisfy { rank, bytes in
                bytes.count == 1000 * rank + 1 && bytes.allSatisfy { $0 == UInt8(rank % 256) }
            }
            summary = Array("{\"size\": \(communicator.size), \"gathered\": \(gathered.map(\.count)), \"intact\": \(fine)}".utf8)
        }
        let received = try communicator.broadcast(summary, timeout: timeout)
        try communicator.barrier(timeout: timeout)
        if communicator.isRoot {
            print(String(decoding: received, as: UTF8.self))
        } else if received.isEmpty {
            communicator.abort("rank \(communicator.rank): the broadcast arrived empty", code: 2)
        }
    }
}
