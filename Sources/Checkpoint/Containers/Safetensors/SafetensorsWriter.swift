import Foundation
import NeuralNet

/// Writes a checkpoint as a safetensors file, streaming: each tensor's bytes go to the file as
/// ``WeightWriter`` produces them, at the place the header will give it, behind room reserved for
/// the header; the header, written last, says where each tensor is and records the Keras 3
/// checkpoint (see ``SafetensorsIndex``). Memory stays at the writer's blocks whatever the size.
///
/// The file holds the Keras 3 layout whatever layout is asked for: safetensors has no groups, and
/// `heft.index` describes Keras 3's. Tied variables are one tensor under the first identity.
enum SafetensorsWriter {
    /// Writes `plan` to `path` atomically (see ``SafeFileReplacement``).
    ///
    /// - Throws: ``CheckpointError`` naming `path`, or what `check` throws.
    static func write(_ plan: SavePlan, layout: WeightFileFormat, to path: String,
                      check: ((_ written: String) throws -> Void)?) throws {
        try SafeFileReplacement.replace(path) { temporary in
            let sink = try SafetensorsSink(creating: temporary, reportedAs: path, headerRoom: headerRoom(for: plan))
            try WeightWriter.write(plan, layout: .kerasV3, to: sink)
            try sink.finish(modelConfig: plan.modelConfig)
            try check?(temporary)
        }
    }

    /// Room for the header that is rarely too little (the sink moves the data if it is): per tensor
    /// its key, path and digest with JSON's quoting twice over, plus the model config.
    static func headerRoom(for plan: SavePlan) -> Int {
        let perTensor = plan.v3Objects.reduce(0) { total, object in
            total + object.weights.count * (4 * (object.path.utf8.count + 48) + 320)
        }
        let room = 8192 + perTensor + 2 * (plan.modelConfig?.utf8.count ?? 0)
        return (room + 7) / 8 * 8
    }

    /// The header for the tensors a recorded checkpoint holds, in data order: `__metadata__`
    /// first (`format`, `heft.index`, `heft.digests`, `heft.manifest`), then each tensor under its key.
    static func header(tensors: [(key: String, dtype: DType, shape: [Int], offsets: Range<UInt64>)],
                       index: SafetensorsIndex.Described, digests: [(key: String, digest: String)],
                       manifest: String?) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let indexText = String(decoding: try encoder.encode(index), as: UTF8.self)
        let quoted = StrictJSON.quoted
        let digestText = "{" + digests.map { "\(quoted($0.key)):\(quoted($0.digest))" }.joined(separator: ",") + "}"
        var metadata = [("format", "keras"), (SafetensorsIndex.indexKey, indexText), (SafetensorsIndex.digestsKey, digestText)]
        if let manifest { metadata.append((SafetensorsIndex.manifestKey, manifest)) }
        var members = ["\"__metadata__\":{" + metadata.map { "\(quoted($0.0)):\(quoted($0.1))" }.joined(separator: ",") + "}"]
        for tensor in tensors {
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            members.append("\(quoted(tensor.key)):{\"dtype\":\"\(SafetensorsHeader.name(of: tensor.dtype))\",\"shape\":[\(shape)],"
                           + "\"data_offsets\":[\(tensor.offsets.lowerBound),\(tensor.offsets.upperBound)]}")
        }
        return "{" + members.joined(separator: ",") + "}"
    }
}
