import Cluster
import Foundation

/// The steps of a save or load that several processes make together: each step runs on one rank
/// or on all, and every rank learns whether it succeeded everywhere, so all ranks end the same
/// way — the step's value, or an error naming the rank that failed (its own error on that rank).
/// Values and failures cross processes as JSON.
struct RankExchange {
    let communicator: Communicator
    let timeout: Duration
    /// The checkpoint the steps are for (named in errors).
    let path: String

    /// What a rank sends: its value, or why it failed.
    private struct Outcome<Value: Codable>: Codable {
        var value: Value?
        var failure: String?
    }

    /// Runs `body` on rank 0 and returns its value on every rank.
    ///
    /// - Throws: `body`'s error on rank 0, ``CheckpointError/Reason/rankFailed(rank:message:)``
    ///   naming rank 0 on the others, or a communication failure.
    func onRoot<Value: Codable>(_ body: () throws -> Value) throws -> Value {
        var local: Result<Value, any Error>?
        if communicator.isRoot { local = Result { try body() } }
        let sent = try encode(local.map { outcome($0) } ?? Outcome<Value>())
        let received: Outcome<Value> = try decode(try exchange { try communicator.broadcast(sent, timeout: timeout) })
        if let local { return try local.get() }
        guard let value = received.value else { throw CheckpointError(file: path, .rankFailed(rank: 0, message: received.failure ?? "no value")) }
        return value
    }

    /// Runs `body` on every rank and returns its value there.
    ///
    /// - Throws: `body`'s error on the rank where it failed, and on every other rank
    ///   ``CheckpointError/Reason/rankFailed(rank:message:)`` naming the first rank that failed;
    ///   or a communication failure.
    func onEveryRank<Value>(_ body: () throws -> Value) throws -> Value {
        try onEveryRank(body, sending: { _ in true }).local
    }

    /// Runs `body` on every rank and returns its value there and, on rank 0, what `sending` makes
    /// of every rank's value, in rank order; throws as ``onEveryRank(_:)`` does.
    func onEveryRank<Value, Sent: Codable>(_ body: () throws -> Value, sending: (Value) -> Sent) throws -> (local: Value, all: [Sent]?) {
        let local = Result { try body() }
        let sent = try encode(outcome(local.map(sending)))
        let gathered = try exchange { try communicator.gather(sent, timeout: timeout) }
        var values: [Sent]?
        var verdict = Failure()
        if communicator.isRoot {
            let outcomes = try gathered.map { try decode($0) as Outcome<Sent> }
            if let (rank, failed) = outcomes.enumerated().first(where: { $0.element.value == nil }) {
                verdict = Failure(rank: rank, message: failed.failure ?? "no value")
            } else {
                values = outcomes.compactMap { $0.value }
            }
        }
        let verdictBytes = try encode(verdict)
        let shared: Failure = try decode(try exchange { try communicator.broadcast(verdictBytes, timeout: timeout) })
        let value = try local.get()
        if let rank = shared.rank { throw CheckpointError(file: path, .rankFailed(rank: rank, message: shared.message ?? "")) }
        return (value, values)
    }

    /// The first rank that failed, if any, as rank 0 tells the others.
    private struct Failure: Codable {
        var rank: Int?
        var message: String?
    }

    private func outcome<Value>(_ result: Result<Value, any Error>) -> Outcome<Value> {
        switch result {
        case .success(let value): Outcome(value: value)
        case .failure(let error as CheckpointError) where error.file == path: Outcome(failure: error.message)   // the path is said once
        case .failure(let error): Outcome(failure: "\(error)")
        }
    }

    /// Runs a communication; its failure (a rank that did not answer in time) names the checkpoint.
    private func exchange<Value>(_ body: () throws -> Value) throws -> Value {
        do {
            return try body()
        } catch {
            throw CheckpointError(file: path, .io("\(error)"))
        }
    }

    private func encode(_ value: some Encodable) throws -> [UInt8] {
        Array(try JSONEncoder().encode(value))
    }

    private func decode<Value: Decodable>(_ bytes: [UInt8]) throws -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(bytes))
        } catch {
            throw CheckpointError(file: path, .io("a message between ranks could not be read: \(error)"))
        }
    }
}
