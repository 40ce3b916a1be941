import Foundation
import NeuralNet

extension WeightFile {
    /// The digest Heft stored for a weight when it wrote the file (the dataset's
    /// ``Integrity/digestAttribute``, or a SHA-256 in Heft 0.1's files), or `nil` when the file
    /// carries none.
    ///
    /// - Throws: ``CheckpointError`` if the attribute exists but is not a digest (see ``Digest``).
    public func storedDigest(of weight: WeightEntry) throws -> Digest? {
        try container.storedDigestText(of: weight).map { try validDigest($0, of: weight) }
    }

    /// `text` as a ``Digest``.
    ///
    /// - Throws: ``CheckpointError`` naming the weight if it is none.
    private func validDigest(_ text: String, of weight: WeightEntry) throws -> Digest {
        guard let digest = Digest(text: text) else {
            throw CheckpointError(file: path, .corruptObject(path: weight.path,
                detail: "its \(Integrity.digestAttribute) attribute is not an XXH3-128 or SHA-256 digest in hex: '\(text.prefix(80))'"))
        }
        return digest
    }

    /// Reads a whole tensor in its stored dtype and, with `verifying` and a digest stored for it,
    /// checks the digest on the bytes read. A tensor read while indexing (see ``Prefetch``) is
    /// taken from memory; any other is read from the container. Returns the tensor and
    /// whether a digest was checked.
    ///
    /// - Throws: ``CheckpointError`` if the data cannot be read or the digest does not match.
    func readForLoading(_ weight: WeightEntry, verifying: Bool) throws -> (value: Tensor, checked: Bool) {
        if let prefetched = container.prefetched[weight.storageID] {
            guard verifying, let digestText = prefetched.digestText else { return (prefetched.value, false) }
            let stored = try validDigest(digestText, of: weight)
            try requireDigest(prefetched.value.withUnsafeBytes { Integrity.digest($0, stored.algorithm) }, matches: stored, for: weight)
            return (prefetched.value, true)
        }
        guard verifying, let digestText = try container.storedDigestText(of: weight) else { return (try read(weight), false) }
        let stored = try validDigest(digestText, of: weight)
        let (value, computed) = try readHashing(weight, stored.algorithm)
        try requireDigest(computed, matches: stored, for: weight)
        return (value, true)
    }

    /// Reads a whole tensor into a new ``Tensor`` and returns its digest text, in one pass where it
    /// is mapped and spans several blocks: each block is copied from the map and hashed on a
    /// second thread while the next one is copied (the block is still in the CPU's cache), so the
    /// check costs no second read of the tensor.
    private func readHashing(_ weight: WeightEntry, _ algorithm: DigestAlgorithm) throws -> (Tensor, String) {
        guard let region = try container.mappedBytes(of: weight), region.count > MappedRegion.blockBytes else {
            let value = try read(weight)
            return (value, value.withUnsafeBytes { Integrity.digest($0, algorithm) })
        }
        try requireReadable(weight, holding: region.count)
        let hashing = BlockHasher([algorithm])
        let value = try Tensor(shape: weight.shape, dtype: weight.dtype) { buffer in
            defer { hashing.finish() }   // the hashing thread reads `buffer`: done before it is handed over
            for (index, block) in region.blocks.enumerated() {
                hashing.hash(try region.copy(block, into: UnsafeMutableRawBufferPointer(rebasing: buffer[block])), index: index)
            }
        }
        return (value, hashing.finish()[algorithm]!)
    }

    /// The manifest Heft wrote last when it wrote the file, or `nil` when the file has none.
    ///
    /// - Throws: ``CheckpointError`` if the attribute exists but is not a manifest.
    public func manifest() throws -> Integrity.Manifest? {
        guard let text = try container.manifestText() else { return nil }
        do {
            return try JSONDecoder().decode(Integrity.Manifest.self, from: Data(text.utf8))
        } catch {
            throw CheckpointError(file: path, .corruptObject(path: "/",
                detail: "its \(Integrity.manifestAttribute) attribute is not a Heft manifest: '\(text.prefix(80))'"))
        }
    }

    /// What is wrong with the file's integrity data — Heft's per-tensor digests (`storedDigests`, by
    /// dataset address) and manifest — found without reading any tensor: a manifest that does not
    /// parse, digests without a manifest, a tensor without a digest that the manifest should cover,
    /// or paths and digests other than the manifest lists (a tensor added, removed, renamed, swapped
    /// or re-hashed). Files without digests or manifest (Keras's) have no problems. Returns whether
    /// the file has a manifest, and the problems (`"/"` for the file as a whole).
    package func integrityDataProblems(storedDigests: [UInt64: String]) -> (hasManifest: Bool, problems: [(path: String, detail: String)]) {
        let manifest: Integrity.Manifest?
        do {
            manifest = try self.manifest()
        } catch {
            return (true, [("/", "\(error)")])
        }
        guard let manifest else {
            if storedDigests.isEmpty { return (false, []) }
            return (false, [("/", "tensors carry digests but the \(Integrity.manifestAttribute) attribute is missing "
                             + "(the file was not completely written, or was edited)")])
        }
        let paths = allWeights.map { (path: $0.path, digest: storedDigests[$0.storageID] ?? "") }
        if let missing = paths.first(where: { $0.digest.isEmpty }) {
            return (true, [(missing.path, "no \(Integrity.digestAttribute) attribute, but the file's manifest covers every tensor "
                            + "(the tensor was added or its digest removed)")])
        }
        if paths.count != manifest.tensors || Integrity.manifestDigest(paths) != manifest.digest {
            return (true, [("/", "the manifest lists \(manifest.tensors) tensor path(s), the file has \(paths.count)"
                            + (paths.count == manifest.tensors ? " but their paths or digests differ" : "")
                            + " (tensors were added, removed, renamed or re-hashed after the file was written)")])
        }
        return (true, [])
    }

    /// Throws unless the file's integrity data is sound (``integrityDataProblems(storedDigests:)``):
    /// what a conversion checks before it writes, so a tampered Heft file is never re-signed. Each
    /// tensor's bytes are checked against its digest as it is copied.
    ///
    /// - Throws: ``CheckpointError`` (`integrity`) naming the tensor or `/` for the manifest.
    func requireIntact() throws {
        var stored: [UInt64: String] = [:]
        for weight in allWeights where weight.sharedWith == nil {
            stored[weight.storageID] = try storedDigest(of: weight)?.description
        }
        if let problem = integrityDataProblems(storedDigests: stored).problems.first {
            throw CheckpointError(file: path, .integrity(path: problem.path, detail: problem.detail))
        }
    }

    /// Reads every distinct tensor in bounded blocks and, with `verifyingDigests`, compares each
    /// stored digest with the bytes read: a file that passes can be loaded without surprises.
    ///
    /// - Throws: ``CheckpointError`` for the first tensor that cannot be read or whose digest
    ///   does not match.
    public func checkTensors(verifyingDigests: Bool = true) throws {
        try requireDigests(of: allWeights.filter { $0.sharedWith == nil }, readingAll: true,
                           verifying: verifyingDigests)
    }

    /// Streams each weight that has a stored digest (every weight with `readingAll`) and, with
    /// `verifying`, compares the digests; several tensors at once (see ``ConcurrentTensors``).
    /// Returns how many digests matched.
    ///
    /// - Throws: ``CheckpointError`` for the first weight, in the order given, that cannot be read
    ///   or whose digest does not match.
    @discardableResult
    func requireDigests(of weights: [WeightEntry], readingAll: Bool = false, verifying: Bool = true) throws -> Int {
        var selected: [(weight: WeightEntry, stored: Digest?)] = []
        for weight in weights {
            let stored = verifying ? try storedDigest(of: weight) : nil
            if stored != nil || readingAll { selected.append((weight, stored)) }
        }
        let algorithms = Dictionary(selected.compactMap { entry in entry.stored.map { (entry.weight.path, $0.algorithm) } },
                                    uniquingKeysWith: { first, _ in first })
        let digests = ConcurrentTensors.map(selected.map(\.weight), in: self, start: { weight in
            algorithms[weight.path].map(DigestHasher.init)
        }, consume: { hasher, bytes in
            hasher?.update(bytes)
        }, finish: { hasher in
            hasher.map { $0.finalize().description }
        })
        var matched = 0
        for (entry, digest) in zip(selected, digests) {
            guard let computed = try digest.get(), let stored = entry.stored else { continue }
            try requireDigest(computed, matches: stored, for: entry.weight)
            matched += 1
        }
        return matched
    }

    /// Throws unless `computed`, the digest text of the weight's bytes as read (in the stored
    /// digest's algorithm), equals the stored one.
    func requireDigest(_ computed: String, matches stored: Digest, for weight: WeightEntry) throws {
        guard computed != stored.description else { return }
        throw CheckpointError(file: path, .integrity(path: weight.path, detail: Self.changedBytes(stored: stored.description, read: computed)))
    }

    /// The integrity message for a tensor whose digest changed (texts as stored: see ``Digest``).
    package static func changedBytes(stored: String, read: String) -> String {
        let (algorithm, storedHex, readHex) = Digest(text: stored).map { ($0.algorithm.rawValue, $0.hex, Digest(text: read)?.hex ?? read) }
            ?? ("digest", stored, read)
        return "the bytes changed after the file was written (\(algorithm) stored \(storedHex.prefix(12))…, read \(readHex.prefix(12))…)"
    }
}
