#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NeuralNet

/// Compares two weights files tensor by tensor, reading both in bounded blocks.
///
/// Tensors are matched by name (their path below the weights root, see ``WeightFile/name(of:)``)
/// or, with ``Matching/byOrder``, by Keras's topological rule (the n-th layer with weights of each
/// file, then weights in order). A tensor only in A is `removed`, only in B `added`; a shape or
/// dtype change is always a difference; values compare under a ``Tolerance``.
public enum WeightDiff {
    /// How tensors are paired.
    public enum Matching: String, Sendable, Codable {
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
    public struct Result: Sendable, Codable {
        /// Whether no tensor differs.
        public let equal: Bool
        public let tensors: [TensorComparison]
    }

    /// Compares `a` with `b`; `progress` receives (bytes done, bytes total) after each tensor.
    ///
    /// - Throws: ``CheckpointError`` if a tensor cannot be read.
    public static func compare(_ a: WeightFile, _ b: WeightFile, options: Options,
                               progress: ((Int, Int) -> Void)? = nil) throws -> Result {
        let pairs = try pair(a, b, options: options)
        let totalBytes = pairs.reduce(0) { $0 + ($1.a?.storageSize ?? 0) + ($1.b?.storageSize ?? 0) }
        var done = 0
        let tensors = try pairs.map { pair in
            defer {
                done += (pair.a?.storageSize ?? 0) + (pair.b?.storageSize ?? 0)
                progress?(done, totalBytes)
            }
            return try compare(pair, a, b, options: options)
        }
        return Result(equal: !tensors.contains(where: \.isDifference), tensors: tensors)
    }

    // MARK: - Pairing

    struct Pair {
        let name: String
        let a: WeightEntry?
        let b: WeightEntry?
    }

    static func pair(_ a: WeightFile, _ b: WeightFile, options: Options) throws -> [Pair] {
        let pairs: [Pair]
        switch options.matching {
        case .byName: pairs = pairByName(a, b, renames: options.renames)
        case .byOrder: pairs = pairByOrder(a, b)
        }
        return pairs.filter { selected($0.name, options) }
    }

    private static func pairByName(_ a: WeightFile, _ b: WeightFile, renames: [(old: String, new: String)]) -> [Pair] {
        let namesA = a.weights.map { (rename(a.name(of: $0), renames), $0) }
        let byNameB = Dictionary(b.weights.map { (b.name(of: $0), $0) }, uniquingKeysWith: { first, _ in first })
        let namesOfA = Set(namesA.map(\.0))
        return namesA.map { Pair(name: $0.0, a: $0.1, b: byNameB[$0.0]) }
            + b.weights.filter { !namesOfA.contains(b.name(of: $0)) }.map { Pair(name: b.name(of: $0), a: nil, b: $0) }
    }

    private static func pairByOrder(_ a: WeightFile, _ b: WeightFile) -> [Pair] {
        let layersA = a.layers.filter { !$0.weights.isEmpty }, layersB = b.layers.filter { !$0.weights.isEmpty }
        var pairs: [Pair] = []
        for index in 0..<max(layersA.count, layersB.count) {
            let weightsA = index < layersA.count ? layersA[index].weights : []
            let weightsB = index < layersB.count ? layersB[index].weights : []
            for position in 0..<max(weightsA.count, weightsB.count) {
                let wa = position < weightsA.count ? weightsA[position] : nil
                let wb = position < weightsB.count ? weightsB[position] : nil
                pairs.append(Pair(name: wa.map(a.name(of:)) ?? b.name(of: wb!), a: wa, b: wb))
            }
        }
        return pairs
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
            TensorComparison(name: pair.name, status: status, pathA: pair.a?.path, pathB: pair.b?.path,
                             shapeA: pair.a?.shape, shapeB: pair.b?.shape,
                             dtypeA: pair.a?.dtype.rawValue, dtypeB: pair.b?.dtype.rawValue)
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
        comparison.maxRelDiff = comparator.maxRel
        comparison.meanAbsDiff = comparator.countedPairs == 0 ? 0 : comparator.sumAbs / Double(comparator.countedPairs)
        comparison.nanMismatches = comparator.nanMismatches
        if options.topCount > 0 {
            comparison.top = comparator.top.map {
                .init(index: multiIndex($0.index, shape: a.shape), a: $0.a, b: $0.b, absDiff: $0.diff)
            }
        }
        return comparison
    }

    /// Reads the two tensors (same shape and dtype) block by block in step.
    static func forEachBlockPair(_ fileA: WeightFile, _ a: WeightEntry, _ fileB: WeightFile, _ b: WeightEntry,
                                 _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, Int) throws -> Void) throws {
        try fileA.requireReadable(a, holding: nil)
        try fileB.requireReadable(b, holding: nil)
        let readerA = try translatingHDF5Errors(file: fileA.path) { try ChunkReader(file: fileA, weight: a) }
        let readerB = try translatingHDF5Errors(file: fileB.path) { try ChunkReader(file: fileB, weight: b) }
        try withBuffer(readerA.bufferBytes) { bufferA in
            try withBuffer(readerB.bufferBytes) { bufferB in
                for block in readerA.blocks {
                    let bytesA = try translatingHDF5Errors(file: fileA.path) { try readerA.read(block, into: bufferA) }
                    let bytesB = try translatingHDF5Errors(file: fileB.path) { try readerB.read(block, into: bufferB) }
                    try body(bytesA, bytesB, block.row * readerA.rowElements)
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
