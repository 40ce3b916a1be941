import HDF5

extension ContainerKind {
    /// An HDF5 file in either Keras layout (`.h5`, `.weights.h5`, a full-model `.h5`).
    public static let hdf5 = ContainerKind(rawValue: "hdf5")
}

/// An HDF5 file holding Keras weights: the first ``TensorContainer``. The file's tree is read
/// through ``HDF5WeightTree`` (every object checked) and named by ``KerasLayoutIndexer``; writes
/// go through ``HDF5TreeSink`` and ``SafeFileReplacement``.
final class HDF5Container: TensorContainer, ContainerFormat {
    let path: String
    let kind: ContainerKind
    let byteSize: UInt64
    let index: WeightIndex
    let prefetched: [UInt64: PrefetchedTensor]
    /// Digest texts read while indexing (see ``Prefetch/digests``), by storage identity.
    private let digestTexts: [UInt64: String?]
    private let file: File
    private let limits: ReadLimits
    private let observer: ReadObserver?
    /// The file mapped read-only, on the first ``mappedBytes(of:)``.
    private var mapping: FileMapping?
    /// Where the HDF5 bytes start in the file libhdf5's descriptor reads (a stored `.keras`
    /// entry starts inside its zip), and that file's size.
    private let placement: (start: UInt64, fileSize: UInt64)

    /// Indexes the open HDF5 `file` (`byteSize` bytes) for the container at `path`: a plain file,
    /// or one inside another container (`kind`), which may supply the model's config and metadata
    /// and says where the HDF5 bytes lie in the file its descriptor reads (`placement`; the whole
    /// file by default).
    init(path: String, file: File, byteSize: UInt64, kind: ContainerKind = .hdf5, placement: (start: UInt64, fileSize: UInt64)? = nil,
         modelConfig: String? = nil, archiveMetadata: String? = nil, options: OpenOptions) throws {
        self.path = path
        self.kind = kind
        self.byteSize = byteSize
        self.placement = placement ?? (0, byteSize)
        self.file = file
        limits = options.limits
        observer = options.observer
        let tree = HDF5WeightTree(file: file, options: options)
        var index = try translatingHDF5Errors(file: path) { try KerasLayoutIndexer(tree).index() }
        if let modelConfig { index.modelConfig = modelConfig }
        index.archiveMetadata = archiveMetadata
        self.index = index
        prefetched = tree.prefetched
        digestTexts = tree.digestTexts
    }

    // MARK: - ContainerFormat

    /// The HDF5 signature `\x89HDF\r\n\x1a\n` at offset 0, 512, 1024, 2048, … (after a user
    /// block), as the HDF5 format specification places it: read directly, without asking libhdf5
    /// to open the file twice.
    static func recognizes(_ probe: ContainerProbe) throws -> Bool {
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        let size = try probe.fileSize()
        var offset: UInt64 = 0
        while offset + 8 <= size {
            if try probe.bytes(at: offset, count: 8) == signature { return true }
            offset = offset == 0 ? 512 : offset * 2
        }
        return false
    }

    static func open(_ path: String, options: OpenOptions) throws -> any TensorContainer {
        try ShardIndex.refuseLoneShard(path)
        let size = try ContainerProbe(path).fileSize()
        options.observer?.reading("the superblock and root group", in: path)
        let file = try translatingHDF5Errors(file: path) { try File.open(path) }
        return try HDF5Container(path: path, file: file, byteSize: size, options: options)
    }

    /// Every path that no other format claims.
    static func writes(to path: String) -> Bool { true }

    static func write(_ plan: SavePlan, layout: WeightFileFormat, to path: String,
                      check: ((_ written: String) throws -> Void)?) throws {
        try SafeFileReplacement.replace(path) { temporary in
            try translatingHDF5Errors(file: path) {
                let sink = try HDF5TreeSink(creating: temporary, reportedAs: path)
                try WeightWriter.write(plan, layout: layout, to: sink)
                try sink.finish()
            }
            try check?(temporary)
        }
    }

    // MARK: - Reading

    func rowReader(for weight: WeightEntry) throws -> any TensorRowReader {
        observer?.reading(weight.path, in: path)
        return HDF5RowReader(dataset: try dataset(weight), weight: weight, file: path)
    }

    /// The dataset behind a weight, opened by the address the index found it at (checked then),
    /// not by walking its path again.
    private func dataset(_ weight: WeightEntry) throws -> Dataset {
        try translatingHDF5Errors(file: path) { try file.dataset(atAddress: weight.storageID, path: weight.path) }
    }

    func hasVerifiedExtent(_ weight: WeightEntry) -> Bool {
        guard let offset = weight.dataOffset else { return false }
        let bytes = weight.count * weight.dtype.byteCount
        let (end, overflow) = offset.addingReportingOverflow(UInt64(bytes))
        return weight.storageSize == bytes && !overflow && end <= byteSize
    }

    /// The file libhdf5 reads is mapped: the HDF5 file itself, or the `.keras` archive whose stored
    /// entry it is (or the inflated copy of a deflated one).
    func mappedBytes(of weight: WeightEntry) throws -> MappedRegion? {
        guard FileMapping.isSupported, hasVerifiedExtent(weight), weight.storesNativeElements, let offset = weight.dataOffset
        else { return nil }
        observer?.reading(weight.path, in: path)
        let mapping = try self.mapping ?? FileMapping(descriptor: translatingHDF5Errors(file: path) { try file.descriptor() },
                                                     size: placement.fileSize, path: path)
        self.mapping = mapping
        return mapping.region(offset: placement.start + offset, count: weight.storageSize, elementSize: weight.dtype.byteCount,
                              object: weight.path)
    }

    func storedDigestText(of weight: WeightEntry) throws -> String? {
        if let text = digestTexts[weight.storageID] { return text }
        let dataset = try dataset(weight)
        return try translatingHDF5Errors(file: path) {
            try dataset.storedDigestText(maximumAttributeBytes: limits.maximumAttributeBytes)
        }
    }

    func manifestText() throws -> String? {
        try translatingHDF5Errors(file: path) {
            try HDF5WeightTree.text(Integrity.manifestAttribute, of: try file.root, limit: limits.maximumAttributeBytes,
                                    truncating: false, storedAtMost: limits.maximumAttributeBytes)
        }
    }

    /// Legacy files keep `keras_version` and `backend` on the group holding `layer_names`.
    func informationalText(_ name: String) throws -> String? {
        guard index.format == .kerasLegacy else { return nil }
        return try translatingHDF5Errors(file: path) {
            let group = index.isFullModel ? try file.root.group("model_weights") : try file.root
            return try HDF5WeightTree.text(name, of: group, limit: 256, truncating: true, storedAtMost: limits.maximumAttributeBytes)
        }
    }
}
