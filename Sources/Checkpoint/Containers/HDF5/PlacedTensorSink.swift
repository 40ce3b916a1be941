#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NeuralNet
import SystemPackage

/// Writes datasets' bytes straight into their places in a file another process laid out (see
/// ``SingleFileWrite``); everything else of the walk (groups, attributes, links) is already there.
/// Which datasets a rank writes is the writer's choice (``WeightWriter/writeTensors(_:layout:to:owned:)``).
final class PlacedTensorSink: WeightTreeSink {
    let path: String
    /// The file, when this sink writes.
    private let descriptor: FileDescriptor?
    /// Every dataset, by path without the leading slash.
    private let placements: [String: SingleFileWrite.Placement]

    /// Opens `write`'s temporary, when `writing` (a sink that only walks opens nothing).
    init(_ write: SingleFileWrite, writing: Bool) throws {
        path = write.path
        placements = Dictionary(write.placements.map { (String($0.path.dropFirst()), $0) }, uniquingKeysWith: { first, _ in first })
        do {
            descriptor = writing ? try FileDescriptor.open(FilePath(write.temporary), .writeOnly) : nil
        } catch let error as Errno {
            throw error.checkpointError(file: write.path, "cannot open \(write.temporary)")
        }
    }

    func createGroup(_ path: String) throws {}
    func writeNames(_ attribute: String, _ names: [String], on group: String) throws {}
    func writeText(_ attribute: String, _ text: String, on group: String, unicode: Bool) throws {}
    func link(_ path: String, to target: String) throws {}
    func writeManifest(_ text: String) throws {}

    func createTensor(_ path: String, dtype: DType, shape: [Int]) throws -> any TensorWriter {
        guard let descriptor else { return SkippedTensor() }
        guard let placement = placements[path] else {
            throw CheckpointError(file: self.path, .corruptObject(path: "/" + path, detail: "not laid out: the ranks converted different files"))
        }
        guard placement.bytes == shape.reduce(dtype.byteCount, *) else {
            throw CheckpointError(file: self.path, .corruptObject(path: placement.path, detail: "laid out for \(placement.bytes) bytes, "
                + "but the plan holds \(shape.reduce(dtype.byteCount, *)): the ranks converted different files"))
        }
        return PlacedTensor(descriptor: descriptor, placement: placement, rowBytes: shape.isEmpty ? 0 : placement.bytes / max(shape[0], 1),
                            reportedPath: self.path)
    }

    /// Syncs and closes the file.
    func finish() throws {
        guard let descriptor else { return }
        do {
            try SystemCall.check { fsync(descriptor.rawValue) }
            try descriptor.close()
        } catch let error as Errno {
            throw error.checkpointError(file: path, "cannot sync the tensors written")
        }
    }
}

/// One dataset's bytes, written at their offset.
private struct PlacedTensor: TensorWriter {
    let descriptor: FileDescriptor
    let placement: SingleFileWrite.Placement
    let rowBytes: Int
    let reportedPath: String

    func write(_ bytes: UnsafeRawBufferPointer, rows: Range<Int>?) throws {
        let offset = Int64(placement.offset) + Int64((rows?.lowerBound ?? 0) * rowBytes)
        do {
            _ = try descriptor.writeAll(toAbsoluteOffset: offset, bytes)
        } catch let error as Errno {
            throw error.checkpointError(file: reportedPath, "cannot write \(placement.path)")
        }
    }

    func storeDigest(_ digest: String) throws {}   // rank 0 stores every digest
}
