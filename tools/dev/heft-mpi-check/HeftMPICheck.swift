import Checkpoint
import Cluster
import Foundation
import NeuralNet

/// Exercises ``Communicator`` under `mpirun` for the cluster tests (Tests/ClusterTests):
///
///     heft-mpi-check exchange              every rank gathers and broadcasts; rank 0 prints a JSON line
///     heft-mpi-check stall RANK SECONDS    RANK sleeps before the gather, past the others' 2 s deadline
///     heft-mpi-check fail RANK             RANK gives up (as on a bad shard) and aborts every rank, exit 2
///     heft-mpi-check die RANK              RANK is killed (SIGKILL) before the gather
///     heft-mpi-check save PATH             every rank saves the reference model's weights it owns to PATH,
///                                          a sharded set or one HDF5 file (the others are NaN on that rank)
///     heft-mpi-check load PATH             every rank loads the weights it owns from PATH into zeros and
///                                          checks them; rank 0 prints a JSON line
///     heft-mpi-check reference PATH        one process saves the reference model to PATH
///     heft-mpi-check unbuilt PATH RANK     as save, but RANK's model is not built: every rank's error,
///                                          gathered, is printed by rank 0 as a JSON list
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
        case "save" where arguments.count == 2:
            run(communicator) { try save(to: arguments[1], communicator) }
        case "load" where arguments.count == 2:
            run(communicator) { try load(from: arguments[1], communicator) }
        case "unbuilt" where arguments.count == 3:
            run(communicator) { try unbuilt(path: arguments[1], rank: Int(arguments[2]) ?? 0, communicator) }
        case "reference" where arguments.count == 2:
            run(communicator) { try reference().saveWeights(to: arguments[1]) }
        default:
            FileHandle.standardError.write(Data("usage: heft-mpi-check exchange | stall RANK SECONDS | fail RANK | die RANK | save PATH | load PATH | reference PATH\n".utf8))
            exit(2)
        }
    }

    /// Dense layers of unequal sizes with seeded values: the same on every rank.
    static func reference() throws -> Sequential {
        let widths = [16, 64, 8, 128, 32, 4, 96, 2]
        let model = try Sequential((1..<widths.count).map { Dense(widths[$0], inputShape: $0 == 1 ? [widths[0]] : nil, name: "d\($0)") })
        try model.setWeights(model.weights.enumerated().map { .randomUniform($1.shape, minval: -1, maxval: 1, seed: UInt64($0)) })
        return model
    }

    /// Each rank holds only the weights it owns (the others are NaN) and saves them together.
    static func save(to path: String, _ communicator: Communicator) throws {
        let model = try reference()
        let format = path.hasSuffix(".h5") && !path.hasSuffix(".weights.h5") ? WeightFileFormat.kerasLegacy : .kerasV3
        let owned = Set(try model.ownedWeights(rank: communicator.rank, of: communicator.size, format: format).map(ObjectIdentifier.init))
        for parameter in model.weights where !owned.contains(ObjectIdentifier(parameter)) {
            try parameter.assign(.full(parameter.shape, value: .nan))
        }
        try model.saveWeights(to: path, communicator: communicator, maxShardSize: 20_000)
        if communicator.isRoot { print("{\"saved\": true, \"ranks\": \(communicator.size)}") }
    }

    /// Rank `rank` saves a model that is not built; every rank reports the error it got.
    static func unbuilt(path: String, rank: Int, _ communicator: Communicator) throws {
        let model = communicator.rank == rank ? try Sequential([Dense(4, name: "d1")]) : try reference()
        var message = "saved"
        do {
            try model.saveWeights(to: path, communicator: communicator)
        } catch {
            message = "\(error)"
        }
        let gathered = try communicator.gather(Array(message.utf8))
        let texts = gathered.map { String(decoding: $0, as: UTF8.self) }
        if communicator.isRoot, let json = try? JSONSerialization.data(withJSONObject: texts) { print(String(decoding: json, as: UTF8.self)) }
    }

    /// Each rank loads the weights it owns into a model of zeros and checks them against the
    /// reference; the others must stay zero. Rank 0 prints every rank's verdict.
    static func load(from path: String, _ communicator: Communicator) throws {
        let expected = try reference()
        let model = try reference()
        for parameter in model.weights { try parameter.assign(.zeros(parameter.shape)) }
        let report = try model.loadWeights(from: path, communicator: communicator)
        let format = try WeightFile(path: path).format
        let owned = Set(try model.ownedWeights(rank: communicator.rank, of: communicator.size, format: format).map(ObjectIdentifier.init))
        let right = zip(model.weights, expected.weights).allSatisfy { parameter, reference in
            parameter.value == (owned.contains(ObjectIdentifier(parameter)) ? reference.value : .zeros(parameter.shape))
        }
        let verdict = "{\"rank\": \(communicator.rank), \"assigned\": \(report.assignments.count), \"owned\": \(owned.count), \"right\": \(right)}"
        let gathered = try communicator.gather(Array(verdict.utf8))
        if communicator.isRoot { print("[" + gathered.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ", ") + "]") }
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
