import Checkpoint
import NeuralNet
/// The outcome for one tensor of ``WeightDiff``.
public struct TensorComparison: Sendable, Equatable {
    /// How the tensor differs.
    public enum Status: String, Sendable {
        case same, changed, added, removed
        case shapeChanged = "shape_changed"
        case dtypeChanged = "dtype_changed"
    }

    /// What a tensor belongs to.
    public enum Section: String, Sendable {
        /// The model's weights.
        case model
        /// The optimizer's state.
        case optimizer
        /// Metric state.
        case metrics
    }

    /// One element that differs.
    public struct ElementDifference: Sendable, Equatable {
        /// The element's multi-dimensional index.
        public let index: [Int]
        public let a: Double
        public let b: Double
        /// `|a − b|` (infinity when an infinity meets another value, NaN for a NaN mismatch).
        public let absDiff: Double
    }

    /// The tensor's Keras identity in file A, or in B when only B has it (see
    /// ``WeightFile/identity(of:)``).
    public let name: String
    /// The model, or optimizer or metric state.
    public let section: Section
    public let status: Status
    /// The HDF5 paths in each file (`nil` on the side that lacks the tensor).
    public let pathA: String?
    public let pathB: String?
    /// The file of a sharded checkpoint that holds the tensor, on each side (`nil` for one-file
    /// containers and the side that lacks it).
    public var fileA: String? = nil
    public var fileB: String? = nil
    public let shapeA: [Int]?
    public let shapeB: [Int]?
    public let dtypeA: DType?
    public let dtypeB: DType?
    /// For `same` / `changed`: the number of elements outside the tolerance, of `total`.
    public var mismatches: Int?
    public var total: Int?
    /// The largest `|a − b|` over all elements and where it occurs.
    public var maxAbsDiff: Double?
    public var maxAbsIndex: [Int]?
    /// The largest `|a − b| / |b|` over elements with `b ≠ 0`; `nil` when every `b` is 0 (undefined).
    public var maxRelDiff: Double?
    /// The mean of `|a − b|` over all elements whose values are both finite.
    public var meanAbsDiff: Double?
    /// Elements where exactly one side is NaN (or both, with `nan_strict`).
    public var nanMismatches: Int?
    /// The largest element differences, largest first (`--top K`).
    public var top: [ElementDifference]?

    /// Whether the tensor counts as a difference (anything but `same`).
    public var isDifference: Bool { status != .same }
}

extension TensorComparison {
    /// A comparison as it crosses processes (`mpirun`): its fields in fixed order, by kind. The
    /// JSON form with names is `heft diff`'s schema, not this.
    package struct Record: Codable, Sendable {
        /// name, section, status, pathA, pathB, fileA, fileB, dtypeA, dtypeB
        let texts: [String?]
        /// shapeA, shapeB, maxAbsIndex
        let indices: [[Int]?]
        /// mismatches, total, nanMismatches
        let counts: [Int?]
        /// maxAbsDiff, maxRelDiff, meanAbsDiff
        let values: [Double?]
        /// The top differences: their indices, and a, b, |a − b| of each.
        let topIndices: [[Int]]?
        let topValues: [[Double]]?

        package init(_ comparison: TensorComparison) {
            let c = comparison
            texts = [c.name, c.section.rawValue, c.status.rawValue, c.pathA, c.pathB, c.fileA, c.fileB, c.dtypeA?.rawValue, c.dtypeB?.rawValue]
            indices = [c.shapeA, c.shapeB, c.maxAbsIndex]
            counts = [c.mismatches, c.total, c.nanMismatches]
            values = [c.maxAbsDiff, c.maxRelDiff, c.meanAbsDiff]
            topIndices = c.top?.map(\.index)
            topValues = c.top?.map { [$0.a, $0.b, $0.absDiff] }
        }

        /// The comparison recorded.
        ///
        /// - Throws: `DecodingError` if the record is not one ``init(_:)`` made.
        package func comparison() throws -> TensorComparison {
            guard texts.count == 9, indices.count == 3, counts.count == 3, values.count == 3, let name = texts[0],
                  let section = texts[1].flatMap(Section.init(rawValue:)), let status = texts[2].flatMap(Status.init(rawValue:)),
                  (topIndices?.count ?? 0) == (topValues?.count ?? 0), topValues?.allSatisfy({ $0.count == 3 }) ?? true else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a TensorComparison.Record"))
            }
            var comparison = TensorComparison(name: name, section: section, status: status, pathA: texts[3], pathB: texts[4],
                                              fileA: texts[5], fileB: texts[6], shapeA: indices[0], shapeB: indices[1],
                                              dtypeA: texts[7].flatMap(DType.init(rawValue:)), dtypeB: texts[8].flatMap(DType.init(rawValue:)))
            (comparison.mismatches, comparison.total, comparison.nanMismatches) = (counts[0], counts[1], counts[2])
            (comparison.maxAbsDiff, comparison.maxRelDiff, comparison.meanAbsDiff) = (values[0], values[1], values[2])
            comparison.maxAbsIndex = indices[2]
            if let topIndices, let topValues {
                comparison.top = zip(topIndices, topValues).map { ElementDifference(index: $0, a: $1[0], b: $1[1], absDiff: $1[2]) }
            }
            return comparison
        }
    }
}
