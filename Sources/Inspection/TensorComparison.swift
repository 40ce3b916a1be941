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
