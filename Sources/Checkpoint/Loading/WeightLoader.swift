import NeuralNet

/// Matches a file's weights to a model's parameters by Keras's rules, validates everything, then
/// assigns in place. Messages reproduce Keras's wording and add the file paths and the divergence.
final class WeightLoader {
    private let file: WeightFile
    private let model: Model
    private let skipMismatch: Bool
    private let verifyIntegrity: Bool
    /// ``LoadOptions/digestStagingBudget``.
    private let stagingBudget: Int?
    private var planned: [Match] = []
    private var skipped: [String] = []
    /// Tensors whose SHA-256 matched the one Heft stored.
    private var verifiedDigests = 0

    /// The parameters this process assigns (`nil`: all), when several processes load one
    /// checkpoint (see ``Model/loadWeights(from:communicator:options:timeout:)``).
    private let owned: Set<ObjectIdentifier>?

    init(file: WeightFile, model: Model, skipMismatch: Bool, verifyIntegrity: Bool, stagingBudget: Int? = nil,
         owned: Set<ObjectIdentifier>? = nil) {
        self.owned = owned
        self.file = file
        self.model = model
        self.skipMismatch = skipMismatch
        self.verifyIntegrity = verifyIntegrity
        self.stagingBudget = stagingBudget
    }

    // MARK: - Legacy layout

    /// Keras's topological rule: the n-th file layer with weights into the n-th model layer with weights.
    func loadLegacyByOrder() throws -> LoadReport {
        try requireNoTopLevelWeights()
        let fileLayers = file.layers.filter { !$0.weights.isEmpty }
        let modelLayers = model.layers.filter { !$0.weights.isEmpty }
        guard fileLayers.count == modelLayers.count else {
            let modelShapes = modelLayers.map { KerasMatching.LayerShapes(name: $0.name, path: nil, shapes: $0.legacyWeights.map(\.shape)) }
            let divergence = KerasMatching.byOrder(expected: modelShapes, found: file.layerShapes)
            throw CheckpointError(file: file.path, .mismatch(.layerCount(
                model: modelLayers.count, file: fileLayers.count,
                divergence: divergence?.describe(expected: "model layer", found: "file layer") ?? "")))
        }
        for (index, (entry, layer)) in zip(fileLayers, modelLayers).enumerated() {
            try plan(layer, from: entry, index: index,
                     countContext: "(named \(layer.name) in the current model, \(entry.name) in the save file)")
        }
        return try commit()
    }

    /// Keras's `by_name=True`: each file layer into every model layer of the same name; others untouched.
    func loadLegacyByName() throws -> LoadReport {
        try requireNoTopLevelWeights()
        for (index, entry) in file.layers.enumerated() where !entry.weights.isEmpty {
            for layer in model.layers where layer.name == entry.name {
                try plan(layer, from: entry, index: index, countContext: "(named \(layer.name))")
            }
        }
        return try commit()
    }

    private func plan(_ layer: any Layer, from entry: LayerEntry, index: Int, countContext: String) throws {
        let parameters = layer.legacyWeights
        guard parameters.count == entry.weights.count else {
            return try reject(.weightCount(layerIndex: index, context: countContext, expected: parameters.count,
                                           received: entry.weights.count, modelShapes: parameters.map(\.shape),
                                           filePath: entry.path, fileShapes: entry.weights.map(\.shape)))
        }
        if let (parameter, weight) = zip(parameters, entry.weights).first(where: { $0.shape != $1.shape }) {
            return try reject(.shape(layerIndex: index, layer: layer.name, weight: parameter.kerasName,
                                     expected: parameter.shape, received: weight.shape, filePath: weight.path))
        }
        planned += zip(parameters, entry.weights).map { ($0, layer.name, $1) }
    }

    private func reject(_ mismatch: ModelMismatch) throws {
        guard skipMismatch else { throw CheckpointError(file: file.path, .mismatch(mismatch)) }
        skipped.append(mismatch.description)
    }

    private func requireNoTopLevelWeights() throws {
        guard file.topLevelWeights.isEmpty else {
            throw CheckpointError(file: file.path, .mismatch(.topLevelWeights(received: file.topLevelWeights.count)))
        }
    }

    // MARK: - Keras 3 layout

    /// Keras 3's rule: each model object's own weights from `<its path>/vars/<i>`. Paths follow
    /// Keras 3's walk, or tf-keras's when only that one finds every object (tf-keras orders a
    /// subclassed model's attributes differently); failures are reported by Keras 3's paths.
    func loadV3() throws -> LoadReport {
        let entries = Dictionary(file.layers.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        // The other conventions are tried only when Keras 3's leaves objects unmatched.
        let conventions = KerasV3Paths.Convention.allCases
        var (matches, failures) = v3Plan(KerasV3Paths.placements(of: model, convention: conventions[0]), entries)
        if !failures.isEmpty,
           let other = conventions.dropFirst().lazy.map({ self.v3Plan(KerasV3Paths.placements(of: self.model, convention: $0), entries) })
               .first(where: { $0.failures.isEmpty }) {
            (matches, failures) = other
        }
        if !file.topLevelWeights.isEmpty {
            failures.append("Layer '\(model.name)' expected 0 variables, but received \(file.topLevelWeights.count) variables during loading (/vars)")
        }
        if !failures.isEmpty {
            guard skipMismatch else {
                throw CheckpointError(file: file.path, .mismatch(.objects(count: failures.count, example: failures[0])))
            }
            skipped = failures
        }
        planned += matches
        return try commit()
    }

    private typealias Match = (parameter: Parameter, layer: String, entry: WeightEntry)

    /// The matches and Keras's messages for the objects that do not match, by
    /// ``KerasMatching/byPath(expected:found:)``: each model object with weights against the file
    /// object at its path.
    private func v3Plan(_ placements: [KerasV3Paths.Placement], _ entries: [String: LayerEntry]) -> (matches: [Match], failures: [String]) {
        let objects = placements.dropFirst().filter { !$0.layer.ownWeights.isEmpty }
        let expected = objects.map { KerasMatching.LayerShapes(name: $0.layer.name, path: "/" + $0.path, shapes: $0.layer.ownWeights.map(\.shape)) }
        let missed = Set(KerasMatching.byPath(expected: expected, found: file.layerShapes).compactMap(\.expected.path))
        var matches: [Match] = []
        var failures: [String] = []
        for placement in objects {
            let own = placement.layer.ownWeights
            let path = "/" + placement.path
            let found = entries[path]?.weights ?? []
            guard missed.contains(path) else {
                matches += zip(own, found).map { ($0, placement.layer.name, $1) }
                continue
            }
            if found.count != own.count {
                failures.append("Layer '\(placement.layer.name)' expected \(own.count) variables, but received \(found.count) "
                    + "variables during loading. Expected: [\(own.map { "'\($0.name)'" }.joined(separator: ", "))] (at \(path)/vars)")
            } else if let (parameter, weight) = zip(own, found).first(where: { $0.shape != $1.shape }) {
                failures.append("The shape of the target variable and the shape of the target value in variable.assign(value) "
                    + "must match. variable.shape=\(formatShape(parameter.shape)), Received: value.shape=\(formatShape(weight.shape)). "
                    + "Target variable: \(parameter.kerasName) of layer '\(placement.layer.name)' (\(weight.path))")
            }
        }
        return (matches, failures)
    }

    // MARK: - Assignment

    /// Assigns every planned value without partial loads on bad data.
    ///
    /// Phase 1 touches no weight: it reads into memory every value that needs a check or a
    /// conversion (tied parameters, other dtypes, data that is not one verified contiguous block)
    /// and checks ties; small tensors the file read while indexing (see ``Prefetch``) are staged
    /// from memory. Phase 2 reads the remaining values straight into the weights' storage (no
    /// second copy of the model in memory) from extents verified to lie inside the file, so only an
    /// I/O error can stop it midway, and then assigns the staged values. Stored digests are checked
    /// in phase 1: on the staged bytes as they are read (small tensors are staged for this, up to
    /// ``digestStagingBytes``), and by streaming the others.
    private func commit() throws -> LoadReport {
        let used = Set(planned.map(\.entry.path))
        if let owned { planned = planned.filter { owned.contains(ObjectIdentifier($0.parameter)) } }
        let sources = Dictionary(grouping: planned) { ObjectIdentifier($0.parameter) }.mapValues(\.count)
        var staged: [ObjectIdentifier: (value: Tensor, entry: WeightEntry)] = [:]
        var direct: [Match] = []
        var cache: [UInt64: Tensor] = [:]
        var stagedForDigests = 0
        let stagingBudget = verifyIntegrity ? self.stagingBudget ?? Self.digestStagingBytes : 0
        for item in planned {
            let key = ObjectIdentifier(item.parameter)
            if sources[key] == 1, item.entry.dtype == item.parameter.dtype, file.hasVerifiedExtent(item.entry),
               file.container.prefetched[item.entry.storageID] == nil {
                // With digests to check, small tensors are staged: one pass reads and checks them,
                // where reading straight into the weights needs a checking pass first.
                let bytes = item.entry.count * item.entry.dtype.byteCount
                if verifyIntegrity && stagedForDigests + bytes <= stagingBudget {
                    stagedForDigests += bytes
                } else {
                    direct.append(item)
                    continue
                }
            }
            let value = try cache[item.entry.storageID] ?? readVerified(item.entry)
            cache[item.entry.storageID] = value
            if let previous = staged[key] {
                if previous.entry.storageID != item.entry.storageID,
                   !bitwiseEqual(previous.value.converted(to: item.parameter.dtype), value.converted(to: item.parameter.dtype)) {
                    throw CheckpointError(file: file.path, .tiedWeightsDiffer(first: previous.entry.path, second: item.entry.path))
                }
            } else {
                staged[key] = (value, item.entry)
            }
        }
        try verifyDigests(of: direct.map(\.entry))
        do {
            for item in direct { try item.parameter.withUnsafeMutableBytes { try file.read(item.entry, into: $0) } }
        } catch {
            throw CheckpointError(file: file.path, .io("reading failed after every check had passed (\(error)); "
                + "the model's weights may be partly loaded"))
        }
        for item in planned {
            if let pending = staged.removeValue(forKey: ObjectIdentifier(item.parameter)) { try item.parameter.assign(pending.value) }
        }
        let assignments = planned.map { item in
            LoadReport.Assignment(layer: item.layer, weight: item.parameter.kerasName, path: item.entry.path,
                                  conversion: item.entry.dtype == item.parameter.dtype ? nil : "\(item.entry.dtype) → \(item.parameter.dtype)")
        }
        let unused = file.layers.filter { !$0.weights.isEmpty && !$0.weights.contains { used.contains($0.path) } }.map(\.path)
        return LoadReport(format: file.format, assignments: assignments, skipped: skipped, unusedFileLayers: unused,
                          verifiedDigests: verifiedDigests)
    }

    // MARK: - Integrity

    /// How many bytes of otherwise direct reads are staged when digests are checked (unless
    /// ``LoadOptions/digestStagingBudget`` says otherwise): read and checked in one pass into new
    /// tensors, which become the weights' values once every check has passed. Staging all of a
    /// large model was measured and not taken: a second copy of 1 GiB loaded slower (185–194 ms)
    /// than a streaming check followed by a read straight into the weights (140–143 ms), because
    /// fresh memory must first be faulted in (see docs/performance.md).
    static let digestStagingBytes = 64 << 20

    /// Reads a tensor to stage it (or takes it from those read while indexing), checking its stored
    /// SHA-256 (if any) on the bytes read.
    private func readVerified(_ entry: WeightEntry) throws -> Tensor {
        let (value, checked) = try file.readForLoading(entry, verifying: verifyIntegrity)
        if checked { verifiedDigests += 1 }
        return value
    }

    /// Checks the stored SHA-256 of each tensor that will be read straight into a weight, by
    /// streaming its bytes before any weight changes (bounded memory; a mismatch leaves the model
    /// as it was).
    private func verifyDigests(of entries: [WeightEntry]) throws {
        guard verifyIntegrity else { return }
        verifiedDigests += try file.requireDigests(of: entries)
    }
}

func bitwiseEqual(_ a: Tensor, _ b: Tensor) -> Bool {
    a.shape == b.shape && a.dtype == b.dtype && a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.elementsEqual(y) } }
}
