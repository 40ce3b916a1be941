import Checkpoint
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NeuralNet

/// Checks that a weights file is sound and that layers meant to share weights carry identical arrays.
///
/// - Sound: every listed layer and weight resolves (checked when the file is opened), every tensor
///   is fully readable, and values are finite unless allowed.
/// - Shared: paths that are hard links to one dataset are reported (identical by construction).
/// - Ties: each group of layers (or weight paths) must hold bitwise-identical arrays, position by
///   position; a failure names the first differing index and the largest absolute difference.
/// - Identical groups (optional): tensors with the same dtype, shape and bytes in different layers
///   (candidate ties). Constant tensors (e.g. all-zero biases) are left out as uninformative.
/// - Like (optional): whether the file would load into the model a reference file describes.
public enum Verification {
    public struct Options: Sendable {
        public var allowNonFinite = false
        /// Groups of layer names or weight paths that must be identical.
        public var ties: [[String]] = []
        public var findIdenticalGroups = false
        /// Computes every tensor's SHA-256 (content identity, `verify --digest sha256`), whatever
        /// checksum the file stores.
        public var contentDigests = false
        public init() {}
    }

    /// Something wrong with one tensor.
    public struct Problem: Sendable, Equatable {
        public let path: String
        public let problem: String
        /// The file of a sharded checkpoint that holds the tensor (`nil` for one-file containers).
        public var file: String? = nil
    }

    /// The comparison of two tied tensors.
    public struct TiePair: Sendable, Equatable {
        public enum Status: String, Sendable {
            case linked, identical, differs
            case shapeMismatch = "shape_mismatch", dtypeMismatch = "dtype_mismatch", missing
        }
        public let a: String
        public let b: String
        public let status: Status
        public var firstDifferentIndex: [Int]?
        public var maxAbsDiff: Double?
        public var differentElements: Int?
    }

    /// One `--tie` group.
    public struct TieCheck: Sendable, Equatable {
        public let members: [String]
        public let ok: Bool
        public let pairs: [TiePair]
        /// Why the group could not be compared (an unknown name, unequal weight counts), if so.
        public let error: String?
    }

    /// The `--like` check.
    public struct LikeCheck: Sendable, Equatable {
        /// Which of Keras's loading rules applies.
        public enum Rule: String, Sendable {
            /// Keras's topological rule (a legacy file on either side).
            case byOrder = "by_order"
            /// Keras 3's object paths (Keras 3 files on both sides).
            case byPath = "by_path"
        }

        public let reference: String
        public let rule: Rule
        public let ok: Bool
        /// The first point where file and reference diverge under `rule`.
        public let divergence: String?
        /// For legacy rules: whether a by-name load would also match every reference layer.
        public let byNameOK: Bool?
        public let byNameDivergence: String?

        init(_ check: KerasMatching.FileCheck, reference: String) {
            self.reference = reference
            rule = check.rule == .byPath ? .byPath : .byOrder
            ok = check.divergence == nil
            divergence = check.divergence
            byNameOK = check.checksByName ? check.byNameDivergence == nil : nil
            byNameDivergence = check.byNameDivergence
        }
    }

    /// The integrity check against the digests Heft stores (see ``Integrity``).
    public struct IntegrityCheck: Sendable, Equatable {
        public enum Status: String, Sendable {
            /// Every tensor's SHA-256 and the manifest match.
            case verified
            /// A digest or the manifest does not match (the problems say where).
            case failed
            /// The file carries no Heft digests (written by Keras or h5py): values unverifiable.
            case absent
        }
        public let status: Status
        /// Distinct tensors whose SHA-256 was recomputed and compared.
        public let checked: Int
        /// Whether the file has a ``Integrity/manifestAttribute``.
        public let manifest: Bool
    }

    public struct Report: Sendable {
        public let ok: Bool
        public let tensors: Int
        public let problems: [Problem]
        public let integrity: IntegrityCheck
        /// Groups of paths that are hard links to one dataset.
        public let shared: [[String]]
        public let ties: [TieCheck]
        public let identicalGroups: [[String]]?
        public let like: LikeCheck?
        /// Each weight path's SHA-256 (hex), with ``Options/contentDigests``.
        public let contentDigests: [String: String]?
    }

    /// Runs the checks; `progress` receives (bytes done, bytes total).
    ///
    /// - Throws: nothing for unreadable tensors (they become ``Problem``s); ``CheckpointError`` only
    ///   for failures outside the tensors themselves.
    public static func verify(_ file: WeightFile, options: Options, like reference: WeightFile? = nil,
                              progress: ((Int, Int) -> Void)? = nil) throws -> Report {
        try verify(file, options: options, like: reference, outcomes: scan(scanOrder(file), in: file, options: options, progress: progress))
    }

    /// The report from every tensor's outcome (``scan(_:in:options:progress:)`` of
    /// ``scanOrder(_:)``, whole or in parts joined in order): the same report whichever processes
    /// scanned which part.
    ///
    /// - Precondition: one outcome per tensor of ``scanOrder(_:)``.
    /// - Throws: as ``verify(_:options:like:progress:)`` does.
    package static func verify(_ file: WeightFile, options: Options, like reference: WeightFile? = nil,
                               outcomes: [TensorOutcome]) throws -> Report {
        var scan = collect(file, outcomes)
        let integrity = checkIntegrity(file, &scan)
        let ties = try options.ties.map { try checkTie($0, in: file) }
        let groups = options.findIdenticalGroups ? identicalGroups(file, scan) : nil
        let like = reference.map { LikeCheck(KerasMatching.check(file, against: $0), reference: $0.path) }
        let ok = scan.problems.isEmpty && ties.allSatisfy(\.ok) && (like?.ok ?? true)
        let view = file.kerasView()
        let tensors = view.variables.count + (view.optimizer?.variables.count ?? 0) + view.metrics.count
        let digests: [String: String]? = options.contentDigests
            ? Dictionary(file.allWeights.compactMap { weight in scan.hashes[weight.storageID].map { (weight.path, $0) } },
                         uniquingKeysWith: { first, _ in first })
            : nil
        return Report(ok: ok, tensors: tensors, problems: scan.problems, integrity: integrity,
                      shared: sharedGroups(file), ties: ties, identicalGroups: groups, like: like, contentDigests: digests)
    }

    // MARK: - Soundness

    struct Scan {
        var problems: [Problem] = []
        var statistics: [UInt64: TensorStatistics] = [:]
        var hashes: [UInt64: String] = [:]
        /// The stored digest of each distinct dataset that has one.
        var storedDigests: [UInt64: Digest] = [:]
        /// Distinct datasets whose recomputed digest was compared with the stored one.
        var checkedDigests = 0
        /// Those whose digest did not match.
        var changedDigests = 0
    }

    /// The tensors a verify reads, in order: each distinct dataset once. Processes that share
    /// the work (`mpirun`) split this list.
    package static func scanOrder(_ file: WeightFile) -> [WeightEntry] {
        uniqueDatasets(file)
    }

    /// Reads `weights` (a part of ``scanOrder(_:)``, in its order) and returns what each one
    /// holds: non-finite counts, the stored digest checked, statistics and SHA-256 when `options`
    /// ask for identical groups or content digests. A tensor that cannot be read is an
    /// ``TensorOutcome/unreadable(_:)`` outcome, not an error.
    package static func scan(_ weights: [WeightEntry], in file: WeightFile, options: Options,
                             progress: ((Int, Int) -> Void)? = nil) -> [TensorOutcome] {
        let hashing = options.findIdenticalGroups || options.contentDigests
        var outcomes = [TensorOutcome?](repeating: nil, count: weights.count)
        var readable: [(index: Int, weight: WeightEntry, stored: Digest?)] = []
        for (index, weight) in weights.enumerated() {
            do {
                readable.append((index, weight, try file.storedDigest(of: weight)))
            } catch {
                outcomes[index] = .unreadable("\(error)")
            }
        }
        let stored = Dictionary(readable.map { ($0.weight.storageID, $0.stored) }, uniquingKeysWith: { first, _ in first })
        let total = readable.reduce(0) { $0 + $1.weight.storageSize }
        var done = 0
        let results = ConcurrentTensors.map(readable.map(\.weight), in: file, completed: { weight in
            done += weight.storageSize
            progress?(done, total)
        }, start: { weight in
            TensorScan(dtype: weight.dtype, storedDigest: stored[weight.storageID] ?? nil, hashing: hashing, statistics: options.findIdenticalGroups)
        }, consume: { state, bytes in
            state.add(bytes)
        }, finish: { state in
            state.finished(allowNonFinite: options.allowNonFinite, hashing: hashing)
        })
        for (entry, result) in zip(readable, results) {
            switch result {
            case .success(let findings): outcomes[entry.index] = .scanned(findings)
            case .failure(let error): outcomes[entry.index] = .unreadable("\(error)")
            }
        }
        return outcomes.map { $0! }
    }

    /// The scan's findings for the tensors of ``scanOrder(_:)`` with `outcomes`, in that order.
    private static func collect(_ file: WeightFile, _ outcomes: [TensorOutcome]) -> Scan {
        let weights = scanOrder(file)
        precondition(weights.count == outcomes.count, "Verification: \(outcomes.count) outcomes for \(weights.count) tensors")
        var scan = Scan()
        for (weight, outcome) in zip(weights, outcomes) {
            func problem(_ text: String) {
                scan.problems.append(Problem(path: weight.path, problem: text, file: weight.storageFile))
            }
            switch outcome {
            case .unreadable(let reason):
                problem("unreadable: \(reason)")
            case .scanned(let tensor):
                do {
                    scan.storedDigests[weight.storageID] = try file.storedDigest(of: weight)
                } catch {
                    // Read once by the scan (in this or another process): the file changed since.
                    problem("unreadable: \(error)")
                }
                scan.statistics[weight.storageID] = tensor.statistics
                scan.hashes[weight.storageID] = tensor.identityHash
                if tensor.checkedDigest { scan.checkedDigests += 1 }
                if let changed = tensor.changedDigest {
                    scan.changedDigests += 1
                    problem("integrity: " + WeightFile.changedBytes(stored: changed.stored, read: changed.read))
                }
                if let text = tensor.problem { problem(text) }
            }
        }
        return scan
    }

    /// One tensor's statistics and digests, accumulated block by block: the stored digest's
    /// algorithm (to check it) and, with `hashing`, a SHA-256 (content identity, for identical
    /// groups: one algorithm across the file, whatever each tensor stored).
    private struct TensorScan {
        let dtype: DType
        let storedDigest: Digest?
        /// The statistics, kept only when identical groups are asked for (candidates are matched
        /// by their statistics first); otherwise only the non-finite values are counted.
        var accumulator: StatisticsAccumulator?
        var nonFinite = NonFiniteCount()
        var check: DigestHasher?
        var identity: DigestHasher?

        init(dtype: DType, storedDigest: Digest?, hashing: Bool, statistics: Bool) {
            self.dtype = dtype
            self.storedDigest = storedDigest
            accumulator = statistics ? StatisticsAccumulator() : nil
            check = storedDigest.map { DigestHasher($0.algorithm) }
            identity = hashing && storedDigest?.algorithm != .sha256 ? DigestHasher(.sha256) : nil
        }

        mutating func add(_ bytes: UnsafeRawBufferPointer) {
            if accumulator != nil {
                accumulator!.add(bytes, dtype: dtype)
            } else {
                nonFinite.add(bytes, dtype: dtype)
            }
            check?.update(bytes)
            identity?.update(bytes)
        }

        func finished(allowNonFinite: Bool, hashing: Bool) -> TensorFindings {
            let statistics = accumulator?.statistics
            let (count, nan, infinite) = statistics.map { ($0.count, $0.nanCount, $0.infinityCount) }
                ?? (nonFinite.count, nonFinite.nan, nonFinite.infinite)
            let reportsNonFinite = !allowNonFinite && (nan > 0 || infinite > 0)
            let checked = check?.finalize()
            // Without its own identity hasher, a hashing scan's stored digest is a SHA-256 already.
            var changed: TensorFindings.ChangedDigest?
            if let stored = storedDigest, let read = checked, stored != read {
                changed = TensorFindings.ChangedDigest(stored: stored.description, read: read.description)
            }
            return TensorFindings(statistics: statistics, checkedDigest: checked != nil, changedDigest: changed,
                                  identityHash: hashing ? (identity?.finalize() ?? checked)?.hex : nil,
                                  problem: reportsNonFinite ? "\(nan) NaN and \(infinite) infinite value(s) of \(count)" : nil)
        }
    }

    /// What scanning one tensor found.
    /// What scanning one tensor found, as it crosses processes.
    package enum TensorOutcome: Codable, Sendable {
        case scanned(TensorFindings)
        /// Why it could not be read.
        case unreadable(String)
    }

    /// What scanning one tensor found.
    package struct TensorFindings: Codable, Sendable {
        /// With identical groups asked for.
        let statistics: TensorStatistics?
        /// Whether a stored digest was checked.
        let checkedDigest: Bool
        /// The stored digest and the one read, when they differ (only then are their texts kept:
        /// a file of 100 000 tensors would hold two strings for each).
        let changedDigest: ChangedDigest?
        /// The SHA-256 in hex, when identical groups are asked for.
        let identityHash: String?
        let problem: String?

        struct ChangedDigest: Codable, Sendable {
            let stored: String
            let read: String
        }

        init(statistics: TensorStatistics?, checkedDigest: Bool, changedDigest: ChangedDigest?, identityHash: String?, problem: String?) {
            (self.statistics, self.checkedDigest, self.changedDigest) = (statistics, checkedDigest, changedDigest)
            (self.identityHash, self.problem) = (identityHash, problem)
        }

        private enum CodingKeys: String, CodingKey {
            case statistics, checkedDigest, changedDigest, identityHash, problem
        }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            statistics = try container.decodeIfPresent(TensorStatistics.Record.self, forKey: .statistics)?.statistics
            checkedDigest = try container.decode(Bool.self, forKey: .checkedDigest)
            changedDigest = try container.decodeIfPresent(ChangedDigest.self, forKey: .changedDigest)
            identityHash = try container.decodeIfPresent(String.self, forKey: .identityHash)
            problem = try container.decodeIfPresent(String.self, forKey: .problem)
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(statistics.map(TensorStatistics.Record.init), forKey: .statistics)
            try container.encode(checkedDigest, forKey: .checkedDigest)
            try container.encodeIfPresent(changedDigest, forKey: .changedDigest)
            try container.encodeIfPresent(identityHash, forKey: .identityHash)
            try container.encodeIfPresent(problem, forKey: .problem)
        }
    }

    // MARK: - Integrity

    /// Compares the manifest with the paths and stored digests the file holds now (see
    /// ``WeightFile/integrityDataProblems(storedDigests:)``); adds its problems.
    private static func checkIntegrity(_ file: WeightFile, _ scan: inout Scan) -> IntegrityCheck {
        let (hasManifest, problems) = file.integrityDataProblems(storedDigests: scan.storedDigests.mapValues(\.description))
        scan.problems += problems.map { Problem(path: $0.path, problem: "integrity: \($0.detail)") }
        let failed = scan.changedDigests > 0 || !problems.isEmpty
        if !hasManifest && scan.storedDigests.isEmpty {
            return IntegrityCheck(status: failed ? .failed : .absent, checked: 0, manifest: false)
        }
        return IntegrityCheck(status: failed ? .failed : .verified, checked: scan.checkedDigests, manifest: hasManifest)
    }

    /// One entry per dataset (the first path of each hard-linked group).
    static func uniqueDatasets(_ file: WeightFile) -> [WeightEntry] {
        file.allWeights.filter { $0.sharedWith == nil }
    }

    /// Groups of paths that are hard links to one dataset and hold different variables (a tie);
    /// a second spelling of the same variable (MultiHeadAttention's `_query_dense`) is not one.
    private static func sharedGroups(_ file: WeightFile) -> [[String]] {
        // Most files share nothing: count paths per dataset first, and look at the view only for
        // datasets reached twice (a file of 100 000 tensors would otherwise copy every variable).
        let weights = file.allWeights
        var paths: [UInt64: Int] = [:]
        for weight in weights { paths[weight.storageID, default: 0] += 1 }
        let shared = weights.filter { paths[$0.storageID]! > 1 }
        guard !shared.isEmpty else { return [] }
        let view = file.kerasView()
        var variables = Set<String>()
        for variable in view.variables { variables.insert(variable.entry.path) }
        for variable in (view.optimizer?.variables ?? []) + view.metrics { variables.insert(variable.entry.path) }
        let byDataset = Dictionary(grouping: shared.filter { variables.contains($0.path) }, by: \.storageID)
        return byDataset.values.filter { $0.count > 1 }.map { $0.map(\.path) }.sorted { $0[0] < $1[0] }
    }

    // MARK: - Identical groups

    private static func identicalGroups(_ file: WeightFile, _ scan: Scan) -> [[String]] {
        let layerOf = Dictionary(file.layers.flatMap { layer in layer.weights.map { ($0.path, layer.path) } },
                                 uniquingKeysWith: { first, _ in first })
        let candidates = uniqueDatasets(file).filter { weight in
            guard let statistics = scan.statistics[weight.storageID], scan.hashes[weight.storageID] != nil else { return false }
            return statistics.count > 1 && !(statistics.minimum == statistics.maximum && statistics.nanCount == 0 && statistics.infinityCount == 0)
        }
        let groups = Dictionary(grouping: candidates) { "\($0.dtype) \($0.shape) \(scan.hashes[$0.storageID]!)" }
        return groups.values
            .filter { group in Set(group.compactMap { layerOf[$0.path] }).count > 1 }
            .map { $0.map(\.path) }
            .sorted { $0[0] < $1[0] }
    }

    // MARK: - Ties

    private static func checkTie(_ members: [String], in file: WeightFile) throws -> TieCheck {
        var resolved: [[WeightEntry]] = []
        for member in members {
            guard let weights = resolve(member, in: file) else {
                return TieCheck(members: members, ok: false, pairs: [], error: "no layer or weight named '\(member)' in \(file.path)")
            }
            resolved.append(weights)
        }
        guard let first = resolved.first, resolved.allSatisfy({ $0.count == first.count }) else {
            let counts = zip(members, resolved).map { "\($0) has \($1.count)" }.joined(separator: ", ")
            return TieCheck(members: members, ok: false, pairs: [], error: "unequal weight counts: \(counts)")
        }
        var pairs: [TiePair] = []
        for other in resolved.dropFirst() {
            for (a, b) in zip(first, other) { pairs.append(try compareTied(a, b, in: file)) }
        }
        let ok = pairs.allSatisfy { $0.status == .linked || $0.status == .identical }
        return TieCheck(members: members, ok: ok, pairs: pairs, error: nil)
    }

    /// A layer's weights (by layer name or layer path) or a single weight (by path or name).
    static func resolve(_ member: String, in file: WeightFile) -> [WeightEntry]? {
        let view = file.kerasView()
        if let layer = view.layers.first(where: { $0.name == member && !$0.variables.isEmpty }) {
            return layer.variables.map(\.entry)
        }
        if let layer = file.layers.first(where: { $0.name == member || $0.path == member || $0.path == "/" + member }) {
            return layer.weights
        }
        if let variable = view.variables.first(where: { $0.identity == member }) { return [variable.entry] }
        return file.weights.first { $0.path == member || $0.path == "/" + member }.map { [$0] }
    }

    private static func compareTied(_ a: WeightEntry, _ b: WeightEntry, in file: WeightFile) throws -> TiePair {
        if a.storageID == b.storageID { return TiePair(a: a.path, b: b.path, status: .linked) }
        if a.shape != b.shape { return TiePair(a: a.path, b: b.path, status: .shapeMismatch) }
        if a.dtype != b.dtype { return TiePair(a: a.path, b: b.path, status: .dtypeMismatch) }
        var firstDifferent: Int?
        var differing = 0
        var comparator = ValueComparator(tolerance: .exact, topCount: 0, dtype: a.dtype)
        try WeightDiff.forEachBlockPair(file, a, file, b) { x, y, first in
            guard memcmp(x.baseAddress!, y.baseAddress!, x.count) != 0 else { return }
            let size = a.dtype.byteCount
            for element in 0..<(x.count / size) where memcmp(x.baseAddress! + element * size, y.baseAddress! + element * size, size) != 0 {
                firstDifferent = firstDifferent ?? first + element
                differing += 1
            }
            comparator.compare(x, y, first: first)
        }
        guard let index = firstDifferent else { return TiePair(a: a.path, b: b.path, status: .identical) }
        return TiePair(a: a.path, b: b.path, status: .differs, firstDifferentIndex: multiIndex(index, shape: a.shape),
                       maxAbsDiff: comparator.maxAbs, differentElements: differing)
    }
}
