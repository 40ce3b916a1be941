import HDF5
import NeuralNet

/// The checks ``HDF5WeightTree`` makes on a dataset's storage and extent before anything is read.
extension HDF5WeightTree {
    /// The filters Heft lets libhdf5 run: built into every libhdf5, no plugin involved.
    static let allowedFilters: [Int: String] = [1: "deflate", 2: "shuffle", 3: "fletcher32"]

    /// Throws unless the data lives in this file and needs only built-in filters.
    func requireLocalStorage(_ storage: StorageProperties, of dataset: Dataset) throws {
        if storage.layout == .virtual {
            throw CheckpointError(file: file.path, .unsafeObject(path: dataset.path, kind: "a virtual dataset"))
        }
        if storage.externalFileCount > 0 {
            throw CheckpointError(file: file.path, .unsafeObject(path: dataset.path, kind: "external raw storage"))
        }
        if let filter = storage.filters.first(where: { Self.allowedFilters[$0.id] == nil }) {
            let name = filter.name.isEmpty ? "" : "'\(filter.name)' "
            throw CheckpointError(file: file.path, .unsupportedData(path: dataset.path,
                detail: "filter \(name)(id \(filter.id)) is not one of deflate, shuffle, fletcher32 (Heft loads no filter plugins)"))
        }
    }

    /// The tensor's size in bytes, computed with overflow checks, after checking the extent is
    /// consistent (dimensions within their maximum, no null dataspace) and within the limit.
    func declaredBytes(of dataset: Dataset, extent dataspace: Extent, dtype: DType) throws -> Int {
        let shape = dataspace.shape
        for (axis, (extent, maximum)) in zip(shape, dataspace.maximumShape).enumerated() {
            if let maximum, extent > maximum {
                throw CheckpointError(file: file.path, .corruptObject(path: dataset.path,
                    detail: "dimension \(axis) is \(extent) but its declared maximum is \(maximum)"))
            }
        }
        guard let bytes = checkedProduct(shape, times: dtype.byteCount) else {
            throw CheckpointError(file: file.path, .limitExceeded(path: dataset.path,
                detail: "shape \(formatShape(shape)) of \(dtype) declares more bytes than this machine can address"))
        }
        if dataspace.elementCount != bytes / dtype.byteCount {
            throw CheckpointError(file: file.path, .unsupportedData(path: dataset.path, detail: "a null dataspace (no elements)"))
        }
        if bytes > limits.maximumTensorBytes {
            throw CheckpointError(file: file.path, .limitExceeded(path: dataset.path,
                detail: "shape \(formatShape(shape)) of \(dtype) declares \(bytes) bytes, more than the "
                    + "\(limits.maximumTensorBytes)-byte limit per tensor (ReadLimits.maximumTensorBytes)"))
        }
        return bytes
    }

    /// Throws if the stored bytes cannot hold the declared tensor: a contiguous block of another
    /// size, missing chunks, chunks beyond the limit, or compression beyond the ratio limit. No
    /// stored bytes at all (a tensor never written) is reported when the tensor is read.
    func requireConsistentStorage(_ storage: StorageProperties, storageSize: Int, declared: Int, dtype: DType,
                                          of dataset: Dataset) throws {
        guard storageSize > 0 else { return }
        if let chunk = storage.chunkShape {
            guard let chunkBytes = checkedProduct(chunk, times: dtype.byteCount), chunkBytes <= limits.maximumChunkBytes else {
                throw CheckpointError(file: file.path, .limitExceeded(path: dataset.path,
                    detail: "chunks of shape \(formatShape(chunk)) exceed the \(limits.maximumChunkBytes)-byte limit per chunk "
                        + "(ReadLimits.maximumChunkBytes)"))
            }
        }
        if storage.filters.isEmpty {
            let exact = storage.layout != .chunked   // chunked: edge chunks are stored whole
            if exact ? storageSize != declared : storageSize < declared {
                throw CheckpointError(file: file.path, .corruptObject(path: dataset.path,
                    detail: "stores \(storageSize) bytes for the \(declared) bytes its shape declares"))
            }
        } else if declared > limits.compressionCheckBytes && declared / storageSize > limits.maximumCompressionRatio {
            throw CheckpointError(file: file.path, .limitExceeded(path: dataset.path,
                detail: "\(storageSize) stored bytes expand to \(declared) (more than \(limits.maximumCompressionRatio):1, "
                    + "ReadLimits.maximumCompressionRatio): a decompression bomb"))
        }
    }

    /// `factor × Π values`, or `nil` on overflow or a negative value.
    func checkedProduct(_ values: [Int], times factor: Int) -> Int? {
        var product = factor
        for value in values {
            let (next, overflow) = product.multipliedReportingOverflow(by: value)
            guard !overflow, next >= 0 else { return nil }
            product = next
        }
        return product
    }
}
