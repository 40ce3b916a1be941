import Cluster

/// Which process owns each distinct array of a save plan when several processes write (or load)
/// one checkpoint: the arrays in the layout's writing order (Keras 3: objects in order, each
/// object's weights in order; legacy: layers by name, then the model's own weights; a shared array
/// at its first place), split into `ranks` contiguous shares of nearly equal bytes
/// (``Partition/contiguous(sizes:parts:)``), share k to rank k.
///
/// Every process computes the same ownership from the same plan: no exchange is needed to agree
/// on it. Contiguous shares keep each shard of one owner and the set's order that of one process.
package struct ShardOwnership: Sendable {
    /// The owner of each distinct array, by its position in writing order.
    private let owners: [Int]
    /// The distinct arrays, in writing order.
    package let keys: [SavePlan.ShareKey]

    /// One process owns everything.
    package static let single = ShardOwnership(owners: [], keys: [])

    private init(owners: [Int], keys: [SavePlan.ShareKey]) {
        self.owners = owners
        self.keys = keys
    }

    /// The ownership of `plan`'s arrays, written in `layout`, over `ranks` processes.
    ///
    /// - Precondition: `ranks >= 1`.
    package init(plan: SavePlan, layout: WeightFileFormat, ranks: Int) {
        precondition(ranks >= 1, "ShardOwnership: \(ranks) ranks")
        var seen = Set<SavePlan.ShareKey>()
        let weights = switch layout {
        case .kerasV3: plan.v3Objects.flatMap(\.weights)
        case .kerasLegacy: plan.legacyLayers.sorted { $0.name < $1.name }.flatMap(\.weights) + plan.legacyTopLevel
        }
        let arrays = weights.filter { seen.insert($0.shareKey).inserted }
        let shares = Partition.contiguous(sizes: arrays.map { $0.shape.reduce($0.dtype.byteCount, *) }, parts: ranks)
        var owners = [Int](repeating: 0, count: arrays.count)
        for (rank, share) in shares.enumerated() { owners.replaceSubrange(share, with: repeatElement(rank, count: share.count)) }
        self.init(owners: owners, keys: arrays.map(\.shareKey))
    }

    /// The rank that owns the array at `position` in writing order (rank 0 past the end).
    package func owner(ofArray position: Int) -> Int {
        position < owners.count ? owners[position] : 0
    }

    /// The arrays `rank` owns.
    package func keys(ownedBy rank: Int) -> Set<SavePlan.ShareKey> {
        Set(keys.indices.filter { owners[$0] == rank }.map { keys[$0] })
    }
}
