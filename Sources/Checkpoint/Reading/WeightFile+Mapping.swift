extension WeightFile {
    /// The tensor read in place from a read-only memory map of the file, without a copy: the
    /// fastest way to a large file's first tensor (mapping costs the same for any file size).
    ///
    /// Mapped: contiguous, unfiltered HDF5 datasets stored little-endian (what Keras, h5py and
    /// Heft write) and safetensors tensors, in a plain file, a shard or a `.keras` archive, whose
    /// data starts at a multiple of the element size (so the elements in place are aligned). With `verifying`,
    /// the digest Heft stored for the tensor is checked now, on this first access, so the bytes
    /// handed out are the ones written.
    ///
    /// - Throws: ``CheckpointError`` if the tensor cannot be mapped (it says why: chunked or
    ///   filtered data, a big-endian type, unaligned data; ``read(_:)`` reads those), the file
    ///   was cut short or changed since it was opened, or its digest does not match.
    public func mapped(_ weight: WeightEntry, verifying: Bool = true) throws -> MappedTensor {
        let mapped = try container.mappedBytes(of: weight)
        guard let region = mapped, region.isAligned else {
            throw CheckpointError(file: path, .unsupportedData(path: weight.path, detail: unmappableReason(weight, mapped: mapped)))
        }
        try region.populate(0..<region.count)
        if verifying, let stored = try storedDigest(of: weight) {
            try requireDigest(Integrity.digest(region.bytes, stored.algorithm), matches: stored, for: weight)
        }
        return MappedTensor(path: weight.path, shape: weight.shape, dtype: weight.dtype, region: region)
    }

    /// Why ``mapped(_:verifying:)`` cannot map a tensor (`mapped`: its bytes in the map, when
    /// they are there but unaligned), with the remedy.
    private func unmappableReason(_ weight: WeightEntry, mapped: MappedRegion?) -> String {
        let why = if containerKind == .memory {
            "a \(containerKind) container is not mapped"
        } else if !FileMapping.isSupported {
            "this kernel cannot map files safely (MADV_POPULATE_READ needs Linux 5.14)"
        } else if !hasVerifiedExtent(weight) {
            "its data is not one contiguous, unfiltered block (chunked, compressed or never written)"
        } else if mapped != nil {
            "its data does not start at a multiple of its \(weight.dtype.byteCount)-byte elements"
        } else {
            "its elements are not stored as they lie in memory (a big-endian or non-IEEE type)"
        }
        return "cannot be mapped: \(why); read it with WeightFile.read(_:)"
    }
}
