import Foundation
import NeuralNet

/// How a safetensors file's tensors become a ``WeightIndex``, and back.
///
/// - A file Heft wrote carries `heft.index` in `__metadata__`: the Keras 3 checkpoint it was made
///   from — each object's path and stored name, and for each of its variables the tensor's key
///   (its Keras identity), path and `vars` name, for the model, its own variables, the optimizer
///   and metric state — so the index is that checkpoint's, exactly.
/// - A file from another writer is grouped by name: `encoder/dense/kernel` is the variable `kernel`
///   of the object `encoder/dense`, objects in the order of their first tensor's data.
enum SafetensorsIndex {
    static let indexKey = "heft.index", digestsKey = "heft.digests", manifestKey = "heft.manifest"
    /// Where Heft 0.1 kept its SHA-256 digests, still read.
    static let legacyDigestsKey = "heft.sha256"

    /// The index of the file whose header is `header`; `ids` gives each key's storage identity.
    ///
    /// - Throws: ``CheckpointError`` if `heft.index` is present but does not describe the tensors.
    static func index(_ header: SafetensorsHeader, ids: [String: UInt64], file: String) throws -> WeightIndex {
        let tensors = Dictionary(uniqueKeysWithValues: header.tensors.map { ($0.key, $0) })
        func entry(_ key: String, path: String, name: String) throws -> WeightEntry {
            guard let tensor = tensors[key], let id = ids[key] else {
                throw CheckpointError(file: file, .corruptObject(path: path, detail: "\(indexKey) names the tensor '\(key)', which the file lacks"))
            }
            return WeightEntry(name: name, path: path, shape: tensor.shape, dtype: tensor.dtype,
                               storageSize: Int(tensor.offsets.count), storageID: id)
        }
        guard let text = header.metadata[indexKey] else { return foreignIndex(header, entry: entry) }
        let described: Described
        do {
            described = try JSONDecoder().decode(Described.self, from: Data(text.utf8))
        } catch {
            throw CheckpointError(file: file, .corruptObject(path: "__metadata__/\(indexKey)", detail: "not a Heft index: \(error)"))
        }
        var index = WeightIndex(format: .kerasV3)
        index.modelConfig = described.modelConfig
        func weights(_ list: [[String]]) throws -> [WeightEntry] {
            try list.map { triple in
                guard triple.count == 3 else {
                    throw CheckpointError(file: file, .corruptObject(path: "__metadata__/\(indexKey)", detail: "a variable is not [key, path, name]"))
                }
                return try entry(triple[0], path: triple[1], name: triple[2])
            }
        }
        func layers(_ objects: [Described.Object]) throws -> [LayerEntry] {
            try objects.map { object in
                LayerEntry(name: object.name ?? String(object.path.split(separator: "/").last ?? ""), path: object.path,
                           weights: try weights(object.weights), hasStoredName: object.name != nil)
            }
        }
        index.layers = try layers(described.objects)
        index.topLevelWeights = try weights(described.topLevel)
        index.optimizerWeights = try weights(described.optimizer?.weights ?? [])
        index.optimizerName = described.optimizer?.name
        index.metricLayers = try layers(described.metrics)
        markShared(&index)
        return index
    }

    /// Objects by name prefix, for a file Heft did not write.
    private static func foreignIndex(_ header: SafetensorsHeader,
                                     entry: (String, String, String) throws -> WeightEntry) -> WeightIndex {
        var index = WeightIndex(format: .kerasV3)
        index.foreignLayoutNote = "a safetensors file Heft did not write holds no Keras layout (its tensors are grouped by "
            + "name only), so it cannot be loaded into a model by Keras's rules; read its tensors with WeightFile"
        var objects: [(path: String, weights: [WeightEntry])] = []
        var position: [String: Int] = [:]
        let ordered = header.tensors.sorted { ($0.offsets.lowerBound, $0.offsets.upperBound) < ($1.offsets.lowerBound, $1.offsets.upperBound) }
        for tensor in ordered {
            let slash = tensor.key.lastIndex(of: "/")
            let object = "/" + (slash.map { String(tensor.key[..<$0]) } ?? "")
            let name = slash.map { String(tensor.key[tensor.key.index(after: $0)...]) } ?? tensor.key
            // The keys come from the header just read: each names its tensor.
            guard let weight = try? entry(tensor.key, "/" + tensor.key, name) else { continue }
            if let at = position[object] {
                objects[at].weights.append(weight)
            } else {
                position[object] = objects.count
                objects.append((object, [weight]))
            }
        }
        index.layers = objects.map { LayerEntry(name: String($0.path.split(separator: "/").last ?? ""), path: $0.path,
                                                weights: $0.weights, hasStoredName: false) }
        return index
    }

    /// Marks the second and later paths of one tensor as shared with the first.
    private static func markShared(_ index: inout WeightIndex) {
        var first: [UInt64: String] = [:]
        func mark(_ weight: WeightEntry) -> WeightEntry {
            guard let path = first[weight.storageID] else {
                first[weight.storageID] = weight.path
                return weight
            }
            var shared = weight
            shared.sharedWith = path
            return shared
        }
        index.layers = index.layers.map { LayerEntry(name: $0.name, path: $0.path, weights: $0.weights.map(mark), hasStoredName: $0.hasStoredName) }
        index.topLevelWeights = index.topLevelWeights.map(mark)
        index.optimizerWeights = index.optimizerWeights.map(mark)
        index.metricLayers = index.metricLayers.map { LayerEntry(name: $0.name, path: $0.path, weights: $0.weights.map(mark), hasStoredName: $0.hasStoredName) }
    }

    /// The per-tensor digest texts Heft stored, by key (`heft.digests`, or Heft 0.1's `heft.sha256`).
    ///
    /// - Throws: ``CheckpointError`` if the entry is present but not an object of strings.
    static func digests(_ header: SafetensorsHeader, file: String) throws -> [String: String] {
        guard let key = [digestsKey, legacyDigestsKey].first(where: { header.metadata[$0] != nil }), let text = header.metadata[key] else { return [:] }
        do {
            return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        } catch {
            throw CheckpointError(file: file, .corruptObject(path: "__metadata__/\(key)", detail: "not an object of digests"))
        }
    }

    /// `heft.index`: the Keras 3 checkpoint a file was written from.
    struct Described: Codable {
        struct Object: Codable {
            let path: String
            /// The stored `name` of its `vars` group, if any.
            let name: String?
            /// `[key, path, vars name]` per variable, in `vars` order.
            let weights: [[String]]
        }

        struct Optimizer: Codable {
            let name: String?
            let weights: [[String]]
        }

        var layout = "keras-v3"
        let objects: [Object]
        let topLevel: [[String]]
        let optimizer: Optimizer?
        let metrics: [Object]
        let modelConfig: String?

        enum CodingKeys: String, CodingKey {
            case layout, objects, topLevel = "top_level", optimizer, metrics, modelConfig = "model_config"
        }

        /// The description of a Keras 3 checkpoint whose tensors are stored under `keys` (by
        /// storage identity).
        init(index: WeightIndex, keys: [UInt64: String], modelConfig: String?) {
            func weights(_ entries: [WeightEntry]) -> [[String]] {
                entries.map { [keys[$0.storageID] ?? "", $0.path, $0.name] }
            }
            func objects(_ layers: [LayerEntry]) -> [Object] {
                layers.map { Object(path: $0.path, name: $0.hasStoredName ? $0.name : nil, weights: weights($0.weights)) }
            }
            self.objects = objects(index.layers)
            topLevel = weights(index.topLevelWeights)
            optimizer = index.optimizerWeights.isEmpty && index.optimizerName == nil
                ? nil : Optimizer(name: index.optimizerName, weights: weights(index.optimizerWeights))
            metrics = objects(index.metricLayers)
            self.modelConfig = modelConfig
        }
    }
}
