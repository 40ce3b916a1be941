import NeuralNet

/// Where Keras 3's `save_weights` puts each layer of a model, following its `_save_state` walk.
///
/// - The root model's own variables go to `vars`.
/// - A model that tracks its layers as a list (``Model/tracksLayersAsList``: Sequential, functional
///   equivalents) has one container, `layers`.
/// - A subclassed model's attributes are visited in sorted order (`_`-prefixed names last),
///   including the implicit `layers` list; a layer attribute becomes a path component, a list
///   attribute a container.
/// - In a container, each element is named after its class in snake_case, with a counter per
///   container (`dense`, `dense_1`, …) that counts every element, visited or not.
/// - An object reached a second time (a shared layer) is skipped: it is saved once, at the first path.
/// - A built-in layer holding sublayers (``ComposedLayer``: a recurrent layer's `cell`) puts each
///   under its attribute name.
///
/// tf-keras (2.13 and later) writes the same layout but walks a subclassed model's attributes in
/// *reverse* sorted order, so the same model can have other paths there (``Convention/tfKeras``).
enum KerasV3Paths {
    /// Whose walk order to follow.
    enum Convention: CaseIterable {
        /// Keras 3: attributes sorted, `_`-prefixed names last.
        case keras3
        /// tf-keras 2.13+: attributes in reverse sorted order.
        case tfKeras
    }

    struct Placement {
        /// The object path without a leading slash; `""` for the root model.
        let path: String
        let layer: any Layer
    }

    /// Every object of `model` in Keras 3's visiting order, the root first.
    static func placements(of model: Model, convention: Convention = .keras3) -> [Placement] {
        var walk = Walk(convention: convention)
        walk.visit(model, at: "")
        return walk.placements
    }
}

/// One walk over a model's objects.
private struct Walk {
    let convention: KerasV3Paths.Convention
    var visited = Set<ObjectIdentifier>()
    var placements: [KerasV3Paths.Placement] = []

    init(convention: KerasV3Paths.Convention) {
        self.convention = convention
    }

    mutating func visit(_ layer: any Layer, at path: String) {
        guard visited.insert(ObjectIdentifier(layer)).inserted else { return }
        placements.append(KerasV3Paths.Placement(path: path, layer: layer))
        if let composed = layer as? any ComposedLayer {
            // A built-in layer's sublayers sit under their attribute names (`lstm/cell`).
            for attribute in composed.trackedAttributes {
                for sublayer in attribute.layers { visit(sublayer, at: join(path, attribute.name)) }
            }
            return
        }
        guard let model = layer as? Model else { return }
        for attribute in attributes(of: model) {
            let attributePath = join(path, attribute.name)
            if attribute.isList {
                var used: [String: Int] = [:]
                for element in attribute.layers {
                    let base = kerasSnakeCase(element.className)
                    let count = used[base, default: -1] + 1
                    used[base] = count
                    visit(element, at: join(attributePath, count == 0 ? base : "\(base)_\(count)"))
                }
            } else if let single = attribute.layers.first {
                visit(single, at: attributePath)
            }
        }
    }

    /// The attributes the walk visits for `model`, in its order. Keras 3's Sequential lists a layer
    /// used twice twice (`[shared, shared, head]` → `dense`, `dense_2`: the second use takes
    /// `dense_1`); tf-keras lists each layer once (`dense`, `dense_1`).
    private func attributes(of model: Model) -> [TrackedAttribute] {
        if model.tracksLayersAsList {
            let listed = model.trackedAttributes.first { $0.name == "layers" && $0.isList }?.layers ?? model.layers
            return [TrackedAttribute(name: "layers", layers: convention == .keras3 ? listed : model.layers, isList: true)]
        }
        let all = model.trackedAttributes + [TrackedAttribute(name: "layers", layers: model.layers, isList: true)]
        let byName = { (a: TrackedAttribute, b: TrackedAttribute) in Array(a.name.utf8).lexicographicallyPrecedes(Array(b.name.utf8)) }
        switch convention {
        case .keras3:
            return all.sorted { a, b in
                let (underscoreA, underscoreB) = (a.name.hasPrefix("_"), b.name.hasPrefix("_"))
                return underscoreA != underscoreB ? !underscoreA : byName(a, b)
            }
        case .tfKeras:
            return all.sorted { byName($1, $0) }
        }
    }

    private func join(_ path: String, _ component: String) -> String {
        path.isEmpty ? component : "\(path)/\(component)"
    }
}
