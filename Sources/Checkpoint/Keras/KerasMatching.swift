import NeuralNet

/// Whether a weights file would load into the model a reference file describes, by Keras's rules.
enum LikeRules {
    static func check(_ file: WeightFile, against reference: WeightFile) -> Verification.LikeCheck {
        if file.format == .kerasV3 && reference.format == .kerasV3 {
            let divergence = byPath(file, reference)
            return .init(reference: reference.path, rule: .byPath, ok: divergence == nil, divergence: divergence,
                         byNameOK: nil, byNameDivergence: nil)
        }
        let divergence = byOrder(file.kerasView(), reference.kerasView())
        let bothLegacy = file.format == .kerasLegacy && reference.format == .kerasLegacy
        let nameDivergence = bothLegacy ? byName(file, reference) : nil
        return .init(reference: reference.path, rule: .byOrder, ok: divergence == nil, divergence: divergence,
                     byNameOK: bothLegacy ? nameDivergence == nil : nil, byNameDivergence: nameDivergence)
    }

    /// Keras's topological rule: the n-th top-level layers with weights must have the same weight
    /// shapes, in Keras's order (a Keras 3 file's layers counted with their sublayers' weights).
    private static func byOrder(_ file: KerasModelView, _ reference: KerasModelView) -> String? {
        let fileLayers = file.layers.filter { !$0.variables.isEmpty }
        let referenceLayers = reference.layers.filter { !$0.variables.isEmpty }
        for index in 0..<max(fileLayers.count, referenceLayers.count) {
            let expected = index < referenceLayers.count ? describe(referenceLayers[index]) : "no more layers"
            let found = index < fileLayers.count ? describe(fileLayers[index]) : "no more layers"
            let same = index < fileLayers.count && index < referenceLayers.count
                && shapes(fileLayers[index]) == shapes(referenceLayers[index])
            if !same {
                let counts = fileLayers.count == referenceLayers.count ? ""
                    : "layer count mismatch: the reference has \(referenceLayers.count) layers with weights, the file \(fileLayers.count); "
                return counts + "first divergence at layer #\(index): reference \(expected) vs file \(found)"
            }
        }
        return nil
    }

    /// Keras's `by_name`: every reference layer with weights finds a file layer of its name and shapes.
    private static func byName(_ file: WeightFile, _ reference: WeightFile) -> String? {
        let byName = Dictionary(file.layers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for layer in reference.layers where !layer.weights.isEmpty {
            guard let match = byName[layer.name] else {
                return "the file has no layer named '\(layer.name)'"
            }
            if match.weights.map(\.shape) != layer.weights.map(\.shape) {
                return "layer '\(layer.name)': reference \(describe(layer)) vs file \(describe(match))"
            }
        }
        return nil
    }

    /// Keras 3's rule: every reference object with weights exists at the same path with the same shapes.
    private static func byPath(_ file: WeightFile, _ reference: WeightFile) -> String? {
        let byPath = Dictionary(file.layers.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        for layer in reference.layers where !layer.weights.isEmpty {
            guard let match = byPath[layer.path] else { return "the file has no object at \(layer.path)" }
            if match.weights.map(\.shape) != layer.weights.map(\.shape) {
                return "\(layer.path): reference \(describe(layer)) vs file \(describe(match))"
            }
        }
        return nil
    }

    private static func shapes(_ layer: KerasModelView.Layer) -> [[Int]] {
        layer.variables.map(\.entry.shape)
    }

    private static func describe(_ layer: KerasModelView.Layer) -> String {
        "'\(layer.name)'" + (layer.v3Path.map { " (\($0))" } ?? "") + " [" + shapes(layer).map(formatShape).joined(separator: ", ") + "]"
    }

    private static func describe(_ layer: LayerEntry) -> String {
        "'\(layer.name)' (\(layer.path)) [" + layer.weights.map { formatShape($0.shape) }.joined(separator: ", ") + "]"
    }
}
