/// What a load did: the layout found, each weight assigned, layers skipped and dtype conversions.
public struct LoadReport: Sendable {
    /// One assignment of a file dataset to a model weight.
    public struct Assignment: Sendable, Equatable {
        /// The model layer and weight, e.g. `dense` and `dense/kernel:0`.
        public let layer: String
        public let weight: String
        /// The dataset read, e.g. `/dense/dense/kernel:0`.
        public let path: String
        /// `"float64 → float32"` when the file's dtype differed from the weight's, else `nil`.
        public let conversion: String?
    }

    /// The layout found in the file.
    public let format: WeightFileFormat
    /// Every weight assigned, in order.
    public let assignments: [Assignment]
    /// One message per layer skipped because of a mismatch (`skipMismatch: true`), in Keras's words.
    public let skipped: [String]
    /// The file's layers that have weights but were not loaded into anything (by-name loads of names
    /// the model lacks, extra Keras 3 objects): Keras ignores them silently, Heft lists their paths.
    public let unusedFileLayers: [String]
    /// How many tensors were checked against the SHA-256 Heft stored when it wrote the file (0 for
    /// files from Keras, or with ``LoadOptions/verifyIntegrity`` off).
    public let verifiedDigests: Int

    /// The assignments that converted between dtypes.
    public var conversions: [Assignment] { assignments.filter { $0.conversion != nil } }
}
