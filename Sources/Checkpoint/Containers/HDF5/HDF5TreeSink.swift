import HDF5
import NeuralNet

/// A new HDF5 file as a ``WeightTreeSink``: what ``HDF5Container`` writes through.
///
/// With `allocatingOnly`, it lays the file out for other processes to fill (see
/// ``SingleFileWrite``): every group, attribute and link, and every dataset with its space
/// allocated, but no data, digest or manifest; ``placements`` says where each dataset's bytes go.
final class HDF5TreeSink: WeightTreeSink {
    private let file: File
    private let root: Group
    /// The path the file is written for, named in errors (the file itself is a temporary).
    private let reportedPath: String
    var path: String { reportedPath }
    private let allocatingOnly: Bool
    /// Each dataset made with `allocatingOnly`, in order.
    private(set) var placements: [SingleFileWrite.Placement] = []

    /// Creates the file at `path` (replacing one there).
    init(creating path: String, reportedAs reportedPath: String, allocatingOnly: Bool = false) throws {
        self.reportedPath = reportedPath
        self.allocatingOnly = allocatingOnly
        let file = try translatingHDF5Errors(file: reportedPath) { try File.create(path, overwrite: true) }
        self.file = file
        root = try translatingHDF5Errors(file: reportedPath) { try file.root }
    }

    private func group(_ path: String) throws -> Group {
        path.isEmpty ? root : try root.group(path)
    }

    func createGroup(_ path: String) throws {
        try translatingHDF5Errors(file: reportedPath) { _ = try root.createGroup(path) }
    }

    /// Keras chunks a list past HDF5's 64 KiB object header limit, and writes an empty list as an
    /// empty float64 array (h5py's encoding of `[]`).
    func writeNames(_ attribute: String, _ names: [String], on path: String) throws {
        try translatingHDF5Errors(file: reportedPath) {
            let group = try group(path)
            if names.isEmpty {
                try group.writeEmptyFloat64Array(attribute)
            } else {
                try group.writeChunkedStrings(attribute, names)
            }
        }
    }

    func writeText(_ attribute: String, _ text: String, on path: String, unicode: Bool) throws {
        try translatingHDF5Errors(file: reportedPath) {
            try group(path).writeString(attribute, text, encoding: unicode ? .utf8 : .ascii)
        }
    }

    func createTensor(_ path: String, dtype: DType, shape: [Int]) throws -> any TensorWriter {
        guard !allocatingOnly else {
            let offset = try translatingHDF5Errors(file: reportedPath) {
                try root.createAllocatedDataset(path, type: dtype.elementType, shape: shape).fileOffset
            }
            let bytes = shape.reduce(dtype.byteCount, *)
            guard let offset = offset ?? (bytes == 0 ? 0 : nil) else {
                throw CheckpointError(file: reportedPath, .hdf5("/\(path): libhdf5 allocated no space for the dataset"))
            }
            placements.append(SingleFileWrite.Placement(path: "/" + path, offset: offset, bytes: bytes))
            return SkippedTensor()
        }
        let dataset = try translatingHDF5Errors(file: reportedPath) {
            try root.createDataset(path, type: dtype.elementType, shape: shape)
        }
        return HDF5TensorWriter(dataset: dataset, dtype: dtype, shape: shape, reportedPath: reportedPath)
    }

    func link(_ path: String, to target: String) throws {
        try translatingHDF5Errors(file: reportedPath) { try root.createHardLink(path, to: target) }
    }

    func writeManifest(_ text: String) throws {
        try translatingHDF5Errors(file: reportedPath) { try root.writeString(Integrity.manifestAttribute, text) }
    }

    /// Flushes the file to the operating system (closing and syncing is ``SafeFileReplacement``'s).
    func finish() throws {
        try translatingHDF5Errors(file: reportedPath) { try file.flush() }
    }
}

/// Fills one dataset of an ``HDF5TreeSink``.
private struct HDF5TensorWriter: TensorWriter {
    let dataset: Dataset
    let dtype: DType
    let shape: [Int]
    let reportedPath: String

    func write(_ bytes: UnsafeRawBufferPointer, rows: Range<Int>?) throws {
        try translatingHDF5Errors(file: reportedPath) {
            guard let rows, rows.lowerBound != 0 || rows.count != shape.first else {
                return try dataset.write(from: bytes, as: dtype.elementType)
            }
            let rest = shape.dropFirst()
            try dataset.write(from: bytes, as: dtype.elementType, offset: [rows.lowerBound] + rest.map { _ in 0 },
                              count: [rows.count] + rest)
        }
    }

    func storeDigest(_ digest: String) throws {
        try translatingHDF5Errors(file: reportedPath) { try dataset.writeString(Integrity.digestAttribute, digest) }
    }
}
