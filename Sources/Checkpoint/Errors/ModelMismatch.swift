import NeuralNet

/// Why a file does not load into a model by Keras's rules, with Keras's own wording and the file
/// paths and first divergence added.
public enum ModelMismatch: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Keras's topological rule: the model and the file have different numbers of layers with
    /// weights; `divergence` says where they first differ (``KerasMatching/Divergence``).
    case layerCount(model: Int, file: Int, divergence: String)
    /// A layer's weight count differs (legacy rules).
    case weightCount(layerIndex: Int, context: String, expected: Int, received: Int, modelShapes: [[Int]],
                     filePath: String, fileShapes: [[Int]])
    /// A weight's shape differs (legacy rules).
    case shape(layerIndex: Int, layer: String, weight: String, expected: [Int], received: [Int], filePath: String)
    /// A legacy file holds top-level weights, which a model without its own weights cannot take.
    case topLevelWeights(received: Int)
    /// Keras 3's rule: objects whose variables do not match, with one of Keras's messages.
    case objects(count: Int, example: String)
    /// By-name loading asked of a Keras 3 file.
    case byNameNeedsLegacy

    public var description: String {
        switch self {
        case let .layerCount(model, file, divergence):
            "Layer count mismatch when loading weights from file. Model expected \(model) layers, found \(file) saved layers. "
                + divergence.prefix(1).uppercased() + divergence.dropFirst() + (divergence.isEmpty ? "" : ".")
        case let .weightCount(index, context, expected, received, modelShapes, filePath, fileShapes):
            "Weight count mismatch for layer #\(index) \(context). Layer expects \(expected) weight(s). Received \(received) "
                + "saved weight(s) (model weights \(Self.shapes(modelShapes)), file weights at \(filePath) \(Self.shapes(fileShapes)))"
        case let .shape(index, layer, weight, expected, received, filePath):
            "Shape mismatch in layer #\(index) (named \(layer)) for weight \(weight). Weight expects shape \(formatShape(expected)). "
                + "Received saved weight with shape \(formatShape(received)) (\(filePath))"
        case .topLevelWeights(let received):
            "Weight count mismatch for top-level weights when loading weights from file. Model expects 0 top-level weight(s). "
                + "Received \(received) saved top-level weight(s)"
        case let .objects(count, example):
            "A total of \(count) objects could not be loaded. Example error message: \(example)"
        case .byNameNeedsLegacy:
            "by name loading needs a legacy .h5 file; this file has the Keras 3 layout, which is matched by object path"
        }
    }

    private static func shapes(_ list: [[Int]]) -> String {
        "[" + list.map(formatShape).joined(separator: ", ") + "]"
    }
}

/// Why a conversion was refused before anything was written.
public enum ConversionRefusal: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The reference (`--like`) has no tensor for one of the file's.
    case referenceLacks(reference: String, identity: String, path: String)
    /// The file has no tensor for one of the reference's.
    case fileLacks(reference: String, identity: String, path: String)
    /// The output would have no place for a tensor of the file.
    case noPlace(reference: String, identity: String, path: String)
    /// The output, read back, would not load as the source does.
    case wouldNotLoad(String)

    public var description: String {
        switch self {
        case let .referenceLacks(reference, identity, path): "cannot convert like \(reference): it has no tensor \(identity) (\(path))"
        case let .fileLacks(reference, identity, path):
            "cannot convert like \(reference): the file has no tensor \(identity) (\(path) there)"
        case let .noPlace(reference, identity, path): "cannot convert like \(reference): it has no place for \(identity) (\(path))"
        case .wouldNotLoad(let detail): "conversion refused, nothing was written: \(detail)"
        }
    }
}
