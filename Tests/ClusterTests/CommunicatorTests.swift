import Cluster
import Foundation
import Testing
import TestSupport

/// One process: what every build without the MPI trait (and a process not started by mpirun) gets.
@Suite struct SingleProcessCommunicatorTests {
    @Test func aSingleProcessIsRankZeroOfOne() throws {
        let world = try Communicator.world()
        #expect(world.rank == 0 && world.size == 1 && world.isRoot)
        #expect(try world.gather([1, 2, 3]) == [[1, 2, 3]])
        #expect(try world.broadcast([4, 5]) == [4, 5])
        try world.barrier(timeout: .milliseconds(10))
    }

    @Test func errorsNameTheRankTheOperationAndWhoWasMissing() {
        let missing = ClusterError(rank: 0, operation: "gather", .timedOut(waitingFor: [2, 3], seconds: 60))
        #expect("\(missing)" == "rank 0: gather: ranks 2, 3 did not take part within 60 s (stopped, killed or stuck)")
        let one = ClusterError(rank: 1, operation: "broadcast", .timedOut(waitingFor: [0], seconds: 1.5))
        #expect("\(one)" == "rank 1: broadcast: rank 0 did not take part within 1.5 s (stopped, killed or stuck)")
    }
}

/// Several processes under `mpirun` (`--oversubscribe`: more ranks than this machine's cores), with
/// the `heft-mpi-check` tool built with the MPI trait; `tools/test` builds it and sets
/// `HEFT_MPI_CHECK` to its path.
/// One run at a time, so each has the cores it expects.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["HEFT_MPI_CHECK"] != nil, "needs HEFT_MPI_CHECK (run tools/test)"))
struct MPICommunicatorTests {
    private let check = ProcessInfo.processInfo.environment["HEFT_MPI_CHECK"] ?? ""

    private func mpirun(_ ranks: Int, _ arguments: [String]) throws -> (result: ProcessResult, seconds: Double) {
        let start = ContinuousClock.now
        let result = try runMPI(ranks: ranks, check, arguments)
        let elapsed = ContinuousClock.now - start
        return (result, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }

    @Test(arguments: [1, 2, 4])
    func everyRankGathersAndReceivesTheBroadcast(ranks: Int) throws {
        let (result, _) = try mpirun(ranks, ["exchange"])
        #expect(result.code == 0, "\(result.stderr)")
        let sizes = (0..<ranks).map { 1000 * $0 + 1 }
        #expect(result.stdout == "{\"size\": \(ranks), \"gathered\": \(sizes), \"intact\": true}\n")
    }

    /// A rank that hangs (rank 0 names it once its deadline passes) or gives up (as on a bad
    /// shard): every rank ends, exit 2, one message.
    @Test(arguments: [
        (["stall", "2", "30"], "heft: error: rank 0: gather: rank 2 did not take part within 2 s (stopped, killed or stuck)"),
        (["fail", "1"], "heft: error: rank 1: shard-1.weights.h5: unreadable (as a bad shard would be)"),
    ])
    func aStuckOrFailingRankEndsEveryRankWithExitTwo(arguments: [String], message: String) throws {
        let (result, seconds) = try mpirun(4, arguments)
        #expect(result.code == 2)
        #expect(seconds < 15, "took \(seconds) s")
        #expect(result.stderr.split(separator: "\n").filter { $0.hasPrefix("heft: error:") } == [Substring(message)])
    }

    /// A rank killed outright: mpirun ends the run at once and returns the signal's status (its
    /// own rule, which Heft cannot change), naming the rank.
    @Test func aKilledRankEndsTheRunWithoutHanging() throws {
        let (result, seconds) = try mpirun(4, ["die", "3"])
        #expect(result.code != 0)
        #expect(seconds < 15, "took \(seconds) s")
        #expect(result.stderr.contains("rank 3"))
    }
}
