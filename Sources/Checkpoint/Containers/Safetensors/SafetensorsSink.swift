import NeuralNet
import SystemPackage

/// The ``WeightTreeSink`` behind ``SafetensorsWriter``: it records the tree's structure (groups,
/// names, links, digests) without data, and writes each tensor's bytes straight to the file, one
/// after another in creation order, behind `headerRoom` bytes kept for the header.
final class SafetensorsSink: WeightTreeSink {
    let path: String
    private let file: String
    private let descriptor: FileDescriptor
    private let structure: MemoryTree
    private var headerRoom: UInt64
    private var dataBytes: UInt64 = 0
    /// Each tensor's place in the data buffer, by its id in `structure`.
    private var offsets: [UInt64: Range<UInt64>] = [:]

    /// Creates the file `file` (the temporary file of a write to `path`).
    ///
    /// - Throws: ``CheckpointError`` naming `path` if the file cannot be created.
    init(creating file: String, reportedAs path: String, headerRoom: Int) throws {
        self.path = path
        self.file = file
        self.headerRoom = UInt64(headerRoom)
        structure = MemoryTree(name: path, holdsData: false)
        do {
            descriptor = try FileDescriptor.open(FilePath(file), .readWrite, options: [.create, .exclusiveCreate, .closeOnExec],
                                                 permissions: [.ownerReadWrite, .groupRead, .otherRead])
        } catch let error as Errno {
            throw error.checkpointError(file: path, "cannot create the new file")
        }
    }

    deinit {
        try? descriptor.close()   // closed after `finish` synced it, or after a failure that discards the file
    }

    // MARK: - WeightTreeSink

    func createGroup(_ path: String) throws { try structure.createGroup(path) }

    func writeNames(_ attribute: String, _ names: [String], on group: String) throws {
        try structure.writeNames(attribute, names, on: group)
    }

    func writeText(_ attribute: String, _ text: String, on group: String, unicode: Bool) throws {
        try structure.writeText(attribute, text, on: group, unicode: unicode)
    }

    func createTensor(_ path: String, dtype: DType, shape: [Int]) throws -> any TensorWriter {
        let tensor = try structure.addTensor(path, dtype: dtype, shape: shape)
        let range = dataBytes..<(dataBytes + UInt64(tensor.byteCount))
        offsets[tensor.id] = range
        dataBytes = range.upperBound
        return SafetensorsTensorWriter(sink: self, tensor: tensor, path: path, start: range.lowerBound)
    }

    func link(_ path: String, to target: String) throws { try structure.link(path, to: target) }

    func writeManifest(_ text: String) throws { try structure.writeManifest(text) }

    // MARK: - Data

    /// Writes `bytes` at `offset` of the data buffer.
    fileprivate func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64, tensor: String) throws {
        do {
            _ = try descriptor.writeAll(toAbsoluteOffset: Int64(8 + headerRoom + offset), bytes)
        } catch let error as Errno {
            throw error.checkpointError(file: path, "cannot write \(tensor)")
        }
    }

    /// Writes the header, moving the data further if it needs more room than was kept.
    ///
    /// - Throws: ``CheckpointError`` naming `path` on a write failure or an identity two tensors share.
    func finish(modelConfig: String?) throws {
        let container = try MemoryContainer.reading(structure)
        let written = WeightFile(container: container)
        let keys = try keysByID(written)
        let ordered = offsets.sorted { $0.value.lowerBound < $1.value.lowerBound }
        let tensors = ordered.compactMap { id, range -> (key: String, dtype: DType, shape: [Int], offsets: Range<UInt64>)? in
            guard let tensor = structure.tensor(withID: id), let key = keys[id] else { return nil }
            return (key, tensor.dtype, tensor.shape, range)
        }
        let digests = ordered.compactMap { id, _ in keys[id].flatMap { key in structure.tensor(withID: id)?.digest.map { (key, $0) } } }
        let described = SafetensorsIndex.Described(index: container.index, keys: keys, modelConfig: modelConfig)
        var header = Array(try SafetensorsWriter.header(tensors: tensors, index: described, digests: digests,
                                                        manifest: structure.manifest).utf8)
        let needed = UInt64(header.count + 7) / 8 * 8
        if needed > headerRoom { try moveData(by: needed - headerRoom) }
        header += [UInt8](repeating: UInt8(ascii: " "), count: Int(headerRoom) - header.count)
        let length = (0..<8).map { UInt8(truncatingIfNeeded: headerRoom >> (8 * UInt64($0))) }
        do {
            _ = try descriptor.writeAll(toAbsoluteOffset: 0, length + header)
            try descriptor.resize(to: Int64(8 + headerRoom + dataBytes))   // synced by SafeFileReplacement
        } catch let error as Errno {
            throw error.checkpointError(file: path, "cannot write the header")
        }
    }

    /// The key of each stored tensor: its Keras identity, or its Keras 3 path where two tensors
    /// would share an identity.
    private func keysByID(_ written: WeightFile) throws -> [UInt64: String] {
        let view = written.kerasView()
        var identities: [UInt64: String] = [:]
        for variable in view.variables + (view.optimizer?.variables ?? []) + view.metrics where identities[variable.entry.storageID] == nil {
            identities[variable.entry.storageID] = variable.identity
        }
        var keys: [UInt64: String] = [:]
        var taken: [String: UInt64] = [:]
        for weight in written.allWeights where keys[weight.storageID] == nil {
            var key = identities[weight.storageID] ?? String(weight.path.dropFirst())
            if let other = taken[key], other != weight.storageID { key = String(weight.path.dropFirst()) }
            guard taken[key] == nil else {
                throw CheckpointError(file: path, .identityCollision(identity: key, first: key, second: weight.path))
            }
            keys[weight.storageID] = key
            taken[key] = weight.storageID
        }
        return keys
    }

    /// Moves the data buffer `distance` bytes further into the file, last block first.
    private func moveData(by distance: UInt64) throws {
        let block = 1 << 22
        var buffer = [UInt8](repeating: 0, count: block)
        var end = dataBytes
        do {
            while end > 0 {
                let start = end - min(end, UInt64(block))
                let count = Int(end - start)
                try buffer.withUnsafeMutableBytes { bytes in
                    let slice = UnsafeMutableRawBufferPointer(rebasing: bytes[..<count])
                    guard try descriptor.read(fromAbsoluteOffset: Int64(8 + headerRoom + start), into: slice) == count else {
                        throw Errno.ioError
                    }
                    _ = try descriptor.writeAll(toAbsoluteOffset: Int64(8 + headerRoom + distance + start), UnsafeRawBufferPointer(slice))
                }
                end = start
            }
        } catch let error as Errno {
            throw error.checkpointError(file: path, "cannot make room for the header")
        }
        headerRoom += distance
    }
}

/// Writes one tensor's rows at its place in the data buffer, and keeps its digest.
private struct SafetensorsTensorWriter: TensorWriter {
    let sink: SafetensorsSink
    let tensor: MemoryTree.Tensor
    let path: String
    let start: UInt64

    func write(_ bytes: UnsafeRawBufferPointer, rows: Range<Int>?) throws {
        let rowBytes = tensor.shape.dropFirst().reduce(tensor.dtype.byteCount, *)
        try sink.write(bytes, at: start + UInt64((rows?.lowerBound ?? 0) * rowBytes), tensor: path)
    }

    func storeDigest(_ digest: String) throws {
        tensor.digest = digest
    }
}
