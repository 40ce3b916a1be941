import NeuralNet

/// Keras's loading rules as one set of routines, used both by `loadWeights` (a model against a
/// file) and by `verify --like` and conversions (a reference file against a file), so the two can
/// never disagree on whether a file loads.
///
/// Each side is a list of ``KerasMatching/LayerShapes``: what a layer is called, where it lives, and
/// the shapes of its weights in Keras's order.
package enum KerasMatching {
    /// One layer (or Keras 3 object) as a rule sees it.
    package struct LayerShapes: Sendable, Equatable {
        package let name: String
        /// Its path (a file's group, or the Keras 3 object path a model's layer would have), if any.
        package let path: String?
        package let shapes: [[Int]]

        package init(name: String, path: String?, shapes: [[Int]]) {
            self.name = name
            self.path = path
            self.shapes = shapes
        }

        /// `'dense' (/dense) [4x3, 3]`.
        package var description: String {
            "'\(name)'" + (path.map { " (\($0))" } ?? "") + " [" + shapes.map(formatShape).joined(separator: ", ") + "]"
        }
    }

    /// Where two lists of layers with weights first differ under Keras's topological rule (the
    /// n-th layer with weights of one side against the n-th of the other).
    package struct Divergence: Sendable, Equatable {
        /// The position among layers with weights.
        package let index: Int
        /// The expected side's layer there (the model's, or the reference's), `nil` past its end.
        package let expected: LayerShapes?
        /// The file's layer there, `nil` past its end.
        package let found: LayerShapes?
        /// The number of layers with weights on each side.
        package let counts: (expected: Int, found: Int)

        package static func == (a: Divergence, b: Divergence) -> Bool {
            a.index == b.index && a.expected == b.expected && a.found == b.found && a.counts == b.counts
        }
    }

    /// Keras's topological rule: the first position where `expected` and `found` (layers with
    /// weights, in order) differ in their weights' shapes, or `nil` when every layer matches.
    package static func byOrder(expected: [LayerShapes], found: [LayerShapes]) -> Divergence? {
        let expected = expected.filter { !$0.shapes.isEmpty }, found = found.filter { !$0.shapes.isEmpty }
        for index in 0..<max(expected.count, found.count) {
            let a = index < expected.count ? expected[index] : nil
            let b = index < found.count ? found[index] : nil
            if a?.shapes != b?.shapes || a == nil || b == nil {
                return Divergence(index: index, expected: a, found: b, counts: (expected.count, found.count))
            }
        }
        return nil
    }

    /// A layer that does not find its match by name or by path.
    package struct Miss: Sendable, Equatable {
        /// The expected layer.
        package let expected: LayerShapes
        /// The layer found under its name or path, `nil` when there is none.
        package let found: LayerShapes?
    }

    /// Keras 3's rule: every expected object with weights finds an object at the same path with
    /// the same shapes. Returns every one that does not, in order.
    package static func byPath(expected: [LayerShapes], found: [LayerShapes]) -> [Miss] {
        let byPath = Dictionary(found.compactMap { layer in layer.path.map { ($0, layer) } }, uniquingKeysWith: { first, _ in first })
        return expected.filter { !$0.shapes.isEmpty }.compactMap { layer in
            let match = layer.path.flatMap { byPath[$0] }
            return match?.shapes == layer.shapes ? nil : Miss(expected: layer, found: match)
        }
    }

    /// Keras's `by_name`: every expected layer with weights finds a layer of its name with the
    /// same shapes. Returns every one that does not, in order.
    package static func byName(expected: [LayerShapes], found: [LayerShapes]) -> [Miss] {
        let byName = Dictionary(found.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return expected.filter { !$0.shapes.isEmpty }.compactMap { layer in
            let match = byName[layer.name]
            return match?.shapes == layer.shapes ? nil : Miss(expected: layer, found: match)
        }
    }
}

extension KerasMatching.Divergence: CustomStringConvertible {
    /// `first divergence at layer #2: expected 'dense_2' [4x3, 3] vs file 'dense_2' (/dense_2) [4x4, 4]`.
    package var description: String {
        describe(expected: "expected", found: "file")
    }

    /// The divergence with each side called by its role (`model layer`, `reference`).
    package func describe(expected expectedRole: String, found foundRole: String) -> String {
        let a = expected.map { "\(expectedRole) \($0.description)" } ?? "no more \(expectedRole) layers"
        let b = found.map { "\(foundRole) \($0.description)" } ?? "no more \(foundRole) layers"
        return "first divergence at layer #\(index): \(a) vs \(b)"
    }
}

extension WeightFile {
    /// The file's layers as ``KerasMatching`` sees them: top-level layers (legacy) or objects
    /// (Keras 3) with their weights' shapes.
    package var layerShapes: [KerasMatching.LayerShapes] {
        layers.map { KerasMatching.LayerShapes(name: $0.name, path: $0.path, shapes: $0.weights.map(\.shape)) }
    }
}

extension KerasModelView {
    /// The view's top-level layers as ``KerasMatching`` sees them: each with all its variables'
    /// shapes in Keras's order (a Keras 3 file's sublayers counted in their layer).
    package var layerShapes: [KerasMatching.LayerShapes] {
        layers.map { KerasMatching.LayerShapes(name: $0.name, path: $0.v3Path, shapes: $0.variables.map(\.entry.shape)) }
    }
}

extension KerasMatching {
    /// Which of Keras's rules decides whether one file loads where another does.
    package enum Rule: String, Sendable {
        /// Keras's topological rule (a legacy file on either side).
        case byOrder = "by_order"
        /// Keras 3's object paths (Keras 3 files on both sides).
        case byPath = "by_path"
    }

    /// Whether a file would load into the model a reference file describes.
    package struct FileCheck: Sendable {
        package let rule: Rule
        /// The first point where file and reference diverge under `rule`, `nil` when it loads.
        package let divergence: String?
        /// For two legacy files: where a by-name load would fail (`nil` when it would not);
        /// `nil` for other pairs (see ``checksByName``).
        package let byNameDivergence: String?
        /// Whether the by-name rule was checked too (two legacy files).
        package let checksByName: Bool
    }

    /// Whether `file` would load into the model `reference` describes: by path for two Keras 3
    /// files, else by Keras's topological rule over their Keras views (and, for two legacy
    /// files, also by name, for information).
    package static func check(_ file: WeightFile, against reference: WeightFile) -> FileCheck {
        if file.format == .kerasV3 && reference.format == .kerasV3 {
            let miss = byPath(expected: reference.layerShapes, found: file.layerShapes).first
            return FileCheck(rule: .byPath, divergence: miss.map { miss in
                miss.found.map { "\(miss.expected.path ?? miss.expected.name): reference \(miss.expected.description) vs file \($0.description)" }
                    ?? "the file has no object at \(miss.expected.path ?? miss.expected.name)"
            }, byNameDivergence: nil, checksByName: false)
        }
        let divergence = byOrder(expected: reference.kerasView().layerShapes, found: file.kerasView().layerShapes)
        let bothLegacy = file.format == .kerasLegacy && reference.format == .kerasLegacy
        let nameMiss = bothLegacy ? byName(expected: reference.layerShapes, found: file.layerShapes).first : nil
        return FileCheck(rule: .byOrder, divergence: divergence.map { divergence in
            let (expected, found) = divergence.counts
            let counts = expected == found ? ""
                : "layer count mismatch: the reference has \(expected) layers with weights, the file \(found); "
            return counts + divergence.describe(expected: "reference", found: "file")
        }, byNameDivergence: nameMiss.map { miss in
            miss.found.map { "layer '\(miss.expected.name)': reference \(miss.expected.description) vs file \($0.description)" }
                ?? "the file has no layer named '\(miss.expected.name)'"
        }, checksByName: bothLegacy)
    }
}
