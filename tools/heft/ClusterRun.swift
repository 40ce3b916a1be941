import ArgumentParser
import Checkpoint
import Cluster
import Foundation

/// A command run by every process `mpirun` started (a build with the MPI trait): each rank works
/// on its part in its own isolated worker, the parts go to rank 0, which alone reports, and every
/// rank ends with rank 0's exit code (so `mpirun` returns it). See docs/design.md, "Clusters".
struct ClusterRun {
    let communicator: Communicator
    /// How long a rank waits for the others.
    let timeout: Duration

    /// The run, when this process is one of several; `nil` for a single process (every build
    /// without the MPI trait, and `heft` not started by `mpirun -np N` with N > 1). Ranks wait
    /// for each other at most `timeout`.
    static func current(timeout: Duration) throws -> ClusterRun? {
        guard Communicator.isDistributedBuild else { return nil }
        let communicator = try Communicator.world()
        guard communicator.size > 1 else { return nil }
        Terminal.forwardedByMPIRun = true
        return ClusterRun(communicator: communicator, timeout: timeout)
    }

    /// A subcommand that does not split its work yet: rank 0 runs it as one process would, the
    /// other ranks wait (up to a day: rank 0's isolated worker has its own time limit, and a rank
    /// that dies ends the run through mpirun) and every rank ends with its exit code.
    func runOnRankZero(_ body: () throws -> Void) throws {
        try withoutActuallyEscaping(body) { body in try finish(communicator.isRoot ? body : nil) }
    }

    /// Runs `part` for this rank in an isolated worker (`open` reads files as the command's
    /// worker would) and gathers every rank's bytes, in rank order, on rank 0; the other ranks get
    /// `nil`. A rank whose part failed (an unreadable file, a crash, a limit) ends every rank with
    /// exit code 2 and one message, printed by rank 0, naming that rank.
    func gatherParts(_ command: String, _ reader: ReaderOptions, _ output: OutputOptions, files: [String], readingDigests: Bool,
                     _ part: @escaping (_ rank: Int, _ size: Int, _ open: (String) throws -> WeightFile) throws -> [UInt8]) throws -> [[UInt8]]? {
        let message = partMessage(reader, files: files, readingDigests: readingDigests, part)
        let gathered: [[UInt8]]
        do {
            gathered = try communicator.gather(message, timeout: timeout)
        } catch {
            communicator.abort("\(error)", code: 2)
        }
        var failure: RankFailure?
        if communicator.isRoot {
            failure = gathered.enumerated().lazy.compactMap { rank, bytes in
                bytes.first == 0 ? nil : RankFailure(rank: rank, message: String(decoding: bytes.dropFirst(), as: UTF8.self))
            }.first
            if let failure { output.publish(error: failure, command: command, exit: 2) }
        }
        // Every rank learns whether to go on, so each ends on its own with the same code.
        let verdict = try agree(failure == nil ? [0] : [2])
        guard verdict == [0] else { throw ExitCode(2) }
        return communicator.isRoot ? gathered.map { Array($0.dropFirst()) } : nil
    }

    /// Rank 0's result of `body` (run on rank 0 only, in this process), on every rank. When it
    /// fails, rank 0 reports the error and every rank ends with exit code 2.
    func fromRoot(_ command: String, _ output: OutputOptions, _ body: () throws -> [UInt8]) throws -> [UInt8] {
        var bytes: [UInt8] = [0]
        if communicator.isRoot {
            do {
                bytes += try body()
            } catch {
                output.publish(error: error, command: command, exit: 2)
                bytes = [1]
            }
        }
        let agreed = try agree(bytes)
        guard agreed.first == 0 else { throw ExitCode(2) }
        return Array(agreed.dropFirst())
    }

    /// Ends a run whose report rank 0 made with `body` (other ranks pass `nil`): every rank
    /// exits with rank 0's code.
    func finish(_ body: (() throws -> Void)?) throws {
        var code: Int32 = 0
        if let body {
            do {
                try body()
            } catch let exit as ExitCode {
                code = exit.rawValue
            }
        }
        let agreed = try agree(Array(String(code).utf8))
        let shared = Int32(String(decoding: agreed, as: UTF8.self)) ?? 2
        if shared != 0 { throw ExitCode(shared) }
    }

    /// Rank 0's `bytes`, on every rank; a rank that does not answer ends every rank (exit 2).
    private func agree(_ bytes: [UInt8]) throws -> [UInt8] {
        do {
            return try communicator.broadcast(bytes, timeout: timeout)
        } catch {
            communicator.abort("\(error)", code: 2)
        }
    }

    /// This rank's part as one message: `0` then the part's bytes, or `1` then why it failed.
    private func partMessage(_ reader: ReaderOptions, files: [String], readingDigests: Bool,
                             _ part: @escaping (Int, Int, (String) throws -> WeightFile) throws -> [UInt8]) -> [UInt8] {
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("heft-rank-\(getpid()).part").path
        defer { _ = unlink(staging) }
        let (rank, size) = (communicator.rank, communicator.size)
        func work(_ worker: Isolation.Worker) -> Int32 {
            do {
                let bytes = try part(rank, size) { path in try reader.open(path, observer: worker.observer, readingDigests: readingDigests) }
                try Data([0] + bytes).write(to: URL(fileURLWithPath: staging))
                return 0
            } catch {
                do {
                    try Data([1] + Array("\(error)".utf8)).write(to: URL(fileURLWithPath: staging))
                } catch {
                    return 2   // the parent reports that the part left nothing
                }
                return 2
            }
        }
        do {
            let outcome = reader.noIsolation ? .finished(work(.inProcess))
                : try Isolation.run(files: files, outputs: [staging], limits: reader.isolationLimits, work)
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: staging)))
            guard outcome == .finished(0) || bytes.first == 1 else { return [1] + Array("the worker ended with \(outcome)".utf8) }
            return bytes
        } catch {
            return [1] + Array("\(error)".utf8)
        }
    }
}

/// A rank's part that failed, as rank 0 reports it.
struct RankFailure: Error, CustomStringConvertible {
    let rank: Int
    let message: String

    var description: String { "rank \(rank): \(message)" }
}
