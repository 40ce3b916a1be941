import Checkpoint
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NeuralNet

/// Compares two weights files tensor by tensor, reading both in bounded blocks.
///
/// Tensors are matched by their Keras identity (``WeightFile/identity(of:)``: the same for the same
/// variable in either layout) or, with ``Matching/byOrder``, by Keras's topological rule (the n-th
/// top-level layer with weights of each file, then its weights in Keras's order). When one file
/// stores no layer names (tf-keras's `.weights.h5`), identities use Keras 3 path names on both
/// sides. Two tensors of one file with one identity are an error, never a comparison.
///
/// A tensor only in A is `removed`, only in B `added`; a shape or dtype change is always a
/// difference; values compare under a ``Tolerance``. Optimizer and metric state are compared
/// apart from the model (section `optimizer`, `metrics`) and never make the files unequal.
public enum WeightDiff {
    /// How tensors are paired.
    public enum Matching: String, Sendable {
        case byName = "name", byOrder = "order"
    }

    /// What to compare and how.
    public struct Options: Sendable {
        public var matching: Matching = .byName
        /// `(old, new)`: a name of file A equal to `old`, or starting with `old/`, is renamed to start
        /// with `new` before matching.
        public var renames: [(old: String, new: String)] = []
        /// Only tensors whose name matches one of these shell globs (`*` also matches `/`); all if empty.
        public var include: [String] = []
        /// Tensors whose name matches one of these globs are skipped.
        public var exclude: [String] = []
        public var tolerance = Tolerance.exact
        /// How many of the largest element differences to list per tensor.
        public var topCount = 0

        public init() {}
    }

    /// The outcome for the two files.
    public struct Result: Sendable {
        /// Whether no model tensor differs (optimizer and metric state do not count).
        public let equal: Bool
        public let tensors: [TensorComparison]
        /// What the comparison could not do or chose (one side holds no optimizer state, tensors
        /// matched by Keras 3 path because a file stores no layer names).
        public let notes: [String]
    }

    /// Compares `a` with `b`; `progress` receives (bytes done, bytes total) after each tensor.
    ///
    /// - Throws: ``CheckpointError`` if a tensor cannot be read.
    public static func compare(_ a: WeightFile, _ b: WeightFile, options: Options,
                               progress: ((Int, Int) -> Void)? = nil) throws -> Result {
        let (pairs, notes) = try pair(a, b, options: options)
        return result(try compare(pairs, a, b, options: options, progress: progress), notes: notes)
    }

    /// Compares `pairs` (all of ``pair(_:_:options:)``'s, or one process's share under `mpirun`).
    ///
    /// - Throws: ``CheckpointError`` for the first tensor, in order, that cannot be read.
    package static func compare(_ pairs: [Pair], _ a: WeightFile, _ b: WeightFile, options: Options,
                                progress: ((Int, Int) -> Void)? = nil) throws -> [TensorComparison] {
        let totalBytes = pairs.reduce(0) { $0 + $1.bytes }
        var done = 0
        return try pairs.map { pair in
            defer {
                done += pair.bytes
                progress?(done, totalBytes)
            }
            return try compare(pair, a, b, options: options)
        }
    }

    /// The result of every pair's comparison, in pairing order.
    package static func result(_ tensors: [TensorComparison], notes: [String]) -> Result {
        Result(equal: !tensors.contains { $0.section == .model && $0.isDifference }, tensors: tensors, notes: notes)
    }

    // MARK: - Pairing

    /// Two tensors to compare (or one, when the other file lacks it).
    package struct Pair {
        let name: String
        let section: TensorComparison.Section
        let a: WeightEntry?
        let b: WeightEntry?

        /// The bytes comparing them reads.
        package var bytes: Int { (a?.storageSize ?? 0) + (b?.storageSize ?? 0) }
    }

    package static func pair(_ a: WeightFile, _ b: WeightFile, options: Options) throws -> (pairs: [Pair], notes: [String]) {
        let (viewA, viewB) = (a.kerasView(tellingFrom: b.kerasView()), b.kerasView(tellingFrom: a.kerasView()))
        var notes: [String] = []
        var pairs: [Pair]
        switch options.matching {
        case .byName:
            let byPath = !(viewA.hasLayerNames && viewB.hasLayerNames)
            if byPath {
                let nameless = viewA.hasLayerNames ? b.path : a.path
                notes.append("\(nameless) stores no layer names (tf-keras's .weights.h5): tensors are matched by Keras 3 path")
            }
            let key: (KerasModelView.Variable) -> String = { byPath ? $0.pathIdentity ?? $0.identity : $0.identity }
            pairs = try pairByKey(viewA.variables, viewB.variables, key: key, renames: options.renames,
                                  section: .model, files: (a.path, b.path))
        case .byOrder:
            pairs = pairByOrder(viewA, viewB)
        }
        pairs += try pairState(viewA.optimizer?.variables ?? [], viewB.optimizer?.variables ?? [], section: .optimizer,
                               files: (a.path, b.path), notes: &notes)
        pairs += try pairState(viewA.metrics, viewB.metrics, section: .metrics, files: (a.path, b.path), notes: &notes)
        return (pairs.filter { selected($0.name, options) }, notes)
    }

    /// Pairs by identity (after A's renames); a file with two tensors of one identity is an error.
    private static func pairByKey(_ a: some Sequence<KerasModelView.Variable>, _ b: some Sequence<KerasModelView.Variable>,
                                  key: (KerasModelView.Variable) -> String, renames: [(old: String, new: String)],
                                  section: TensorComparison.Section, files: (String, String)) throws -> [Pair] {
        let keyedA = try unique(a.map { (rename(key($0), renames), $0.entry) }, file: files.0)
        let keyedB = try unique(b.map { (key($0), $0.entry) }, file: files.1)
        let entriesB = Dictionary(keyedB, uniquingKeysWith: { first, _ in first })
        let namesA = Set(keyedA.map(\.0))
        return keyedA.map { Pair(name: $0.0, section: section, a: $0.1, b: entriesB[$0.0]) }
            + keyedB.filter { !namesA.contains($0.0) }.map { Pair(name: $0.0, section: section, a: nil, b: $0.1) }
    }

    /// The keyed entries with each identity once: a repeat that is a hard link to the same dataset
    /// is the same tensor and dropped; any other repeat is an error naming both paths.
    private static func unique(_ keyed: [(String, WeightEntry)], file: String) throws -> [(String, WeightEntry)] {
        var first: [String: WeightEntry] = [:]
        var result: [(String, WeightEntry)] = []
        for (key, entry) in keyed {
            if let earlier = first[key] {
                guard earlier.storageID == entry.storageID else {
                    throw CheckpointError(file: file, .identityCollision(identity: key, first: earlier.path, second: entry.path))
                }
                continue
            }
            first[key] = entry
            result.append((key, entry))
        }
        return result
    }

    /// Keras's topological rule: the n-th top-level layers with weights, their weights in order.
    private static func pairByOrder(_ a: KerasModelView, _ b: KerasModelView) -> [Pair] {
        let layersA = a.layers.filter { !$0.variables.isEmpty }, layersB = b.layers.filter { !$0.variables.isEmpty }
        var pairs: [Pair] = []
        for index in 0..<max(layersA.count, layersB.count) {
            let weightsA = index < layersA.count ? layersA[index].variables : []
            let weightsB = index < layersB.count ? layersB[index].variables : []
            pairs += positional(weightsA, weightsB, section: .model)
        }
        return pairs
    }

    private static func positional(_ a: [KerasModelView.Variable], _ b: [KerasModelView.Variable],
                                   section: TensorComparison.Section) -> [Pair] {
        (0..<max(a.count, b.count)).map { position in
            let left = position < a.count ? a[position] : nil, right = position < b.count ? b[position] : nil
            return Pair(name: (left ?? right)!.identity, section: section, a: left?.entry, b: right?.entry)
        }
    }

    /// Optimizer or metric state: by identity when both files name every variable, by position
    /// (the order Keras keeps it) otherwise; a note when only one file holds any.
    private static func pairState(_ a: [KerasModelView.Variable], _ b: [KerasModelView.Variable], section: TensorComparison.Section,
                                  files: (String, String), notes: inout [String]) throws -> [Pair] {
        guard !a.isEmpty || !b.isEmpty else { return [] }
        guard !a.isEmpty && !b.isEmpty else {
            let (with, without, count) = a.isEmpty ? (files.1, files.0, b.count) : (files.0, files.1, a.count)
            notes.append("\(with) holds \(section.rawValue) state (\(count) tensors), \(without) holds none: not compared")
            return []
        }
        let positionalNames = (a + b).contains { $0.identity.contains("/vars/") }
        guard positionalNames else {
            return try pairByKey(a, b, key: \.identity, renames: [], section: section, files: files)
        }
        return positional(a, b, section: section)
    }

    static func rename(_ name: String, _ renames: [(old: String, new: String)]) -> String {
        for (old, new) in renames where name == old || name.hasPrefix(old + "/") {
            return new + name.dropFirst(old.count)
        }
        return name
    }

    private static func selected(_ name: String, _ options: Options) -> Bool {
        (options.include.isEmpty || options.include.contains { glob($0, name) }) && !options.exclude.contains { glob($0, name) }
    }

    /// Shell-style matching (`*`, `?`, `[…]`); `*` also matches `/`.
    public static func glob(_ pattern: String, _ name: String) -> Bool {
        fnmatch(pattern, name, 0) == 0
    }

    // MARK: - One tensor

    private static func compare(_ pair: Pair, _ fileA: WeightFile, _ fileB: WeightFile, options: Options) throws -> TensorComparison {
        func result(_ status: TensorComparison.Status) -> TensorComparison {
            TensorComparison(name: pair.name, section: pair.section, status: status, pathA: pair.a?.path, pathB: pair.b?.path,
                             fileA: pair.a?.storageFile, fileB: pair.b?.storageFile, shapeA: pair.a?.shape, shapeB: pair.b?.shape,
                             dtypeA: pair.a?.dtype, dtypeB: pair.b?.dtype)
        }
        guard let a = pair.a else { return result(.added) }
        guard let b = pair.b else { return result(.removed) }
        if a.shape != b.shape { return result(.shapeChanged) }
        if a.dtype != b.dtype { return result(.dtypeChanged) }
        var comparator = ValueComparator(tolerance: options.tolerance, topCount: options.topCount, dtype: a.dtype)
        try forEachBlockPair(fileA, a, fileB, b) { comparator.compare($0, $1, first: $2) }
        var comparison = result(comparator.mismatches == 0 ? .same : .changed)
        comparison.mismatches = comparator.mismatches
        comparison.total = a.count
        comparison.maxAbsDiff = comparator.maxAbs
        comparison.maxAbsIndex = multiIndex(comparator.maxAbsIndex, shape: a.shape)
        comparison.maxRelDiff = comparator.referenceNonzero ? comparator.maxRel : nil
        comparison.meanAbsDiff = comparator.countedPairs == 0 ? 0 : comparator.sumAbs / Double(comparator.countedPairs)
        comparison.nanMismatches = comparator.nanMismatches
        if options.topCount > 0 {
            comparison.top = comparator.top.map {
                .init(index: multiIndex($0.index, shape: a.shape), a: $0.a, b: $0.b, absDiff: $0.diff)
            }
        }
        return comparison
    }

    /// Reads the two tensors (same shape and dtype) block by block in step, in place where their
    /// files can be mapped.
    static func forEachBlockPair(_ fileA: WeightFile, _ a: WeightEntry, _ fileB: WeightFile, _ b: WeightEntry,
                                 _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, Int) throws -> Void) throws {
        try fileA.requireReadable(a, holding: nil)
        try fileB.requireReadable(b, holding: nil)
        let readerA = try ChunkReader(file: fileA, weight: a)
        let readerB = try ChunkReader(file: fileB, weight: b)
        try withBuffer(readerA.bufferBytes) { bufferA in
            try withBuffer(readerB.bufferBytes) { bufferB in
                for block in readerA.blocks {
                    try readerA.withBlock(block, buffer: bufferA) { bytesA in
                        try readerB.withBlock(block, buffer: bufferB) { bytesB in
                            try body(bytesA, bytesB, block.row * readerA.rowElements)
                        }
                    }
                }
            }
        }
    }
}

/// The multi-dimensional index of flat row-major offset `offset`.
func multiIndex(_ offset: Int, shape: [Int]) -> [Int] {
    var remainder = offset
    return shape.reversed().map { extent in
        defer { remainder /= max(extent, 1) }
        return remainder % max(extent, 1)
    }.reversed()
}
