/// Why a collective operation failed: every message names the rank that saw it and, where known,
/// the ranks it waited for.
public struct ClusterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The named ranks did not take part within the deadline (stopped, killed or stuck).
        case timedOut(waitingFor: [Int], seconds: Double)
        /// The MPI library returned an error code.
        case mpi(code: Int32, message: String)
        /// Another rank sent something this rank cannot use.
        case malformed(String)
    }

    /// The rank that saw the failure.
    public let rank: Int
    /// The operation: `gather`, `broadcast`, `barrier`, `initialize`.
    public let operation: String
    public let kind: Kind

    /// Describes a failure `rank` saw in `operation`.
    public init(rank: Int, operation: String, _ kind: Kind) {
        self.rank = rank
        self.operation = operation
        self.kind = kind
    }

    /// One line: `rank 0: gather: ranks 2, 3 sent nothing within 60 s (stopped, killed or stuck)`.
    public var description: String {
        switch kind {
        case .timedOut(let ranks, let seconds):
            let who = ranks.count == 1 ? "rank \(ranks[0])" : "ranks " + ranks.map(String.init).joined(separator: ", ")
            let time = seconds == seconds.rounded() ? "\(Int(seconds))" : "\(seconds)"
            return "rank \(rank): \(operation): \(who) did not take part within \(time) s (stopped, killed or stuck)"
        case .mpi(let code, let message):
            return "rank \(rank): \(operation): MPI error \(code): \(message)"
        case .malformed(let detail):
            return "rank \(rank): \(operation): \(detail)"
        }
    }
}
