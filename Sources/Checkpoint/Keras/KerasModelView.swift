/// A weights file seen as the Keras model it holds: its top-level layers with their classes, and
/// for every tensor a **Keras identity**, the same for the same variable whatever the layout.
///
/// An identity is the layer's name (a nested model's layers add theirs), then the Keras 3
/// attribute path inside a built-in layer, then the variable's Keras 3 name:
/// `bidirectional/forward_layer/cell/kernel`, `inner/inner_d1/kernel`,
/// `multi_head_attention/query_dense/bias`. The optimizer's state gets `optimizer/…` identities
/// and metric state `metrics/…`; neither belongs to the model.
///
/// Layer classes come from a config (a full-model file's `model_config`), from Keras 3 paths
/// (class-based: `layers/lstm_2`), from a reference (``ClassHints``: another file of the same
/// model), or from a layer's automatic name (`lstm_2` is an LSTM) when its weights fit the class;
/// ``KerasCatalog`` then says where each variable belongs. A layer whose class stays unknown gets
/// identities from its weights' own names, and cannot be moved to the other layout.
package struct KerasModelView: Sendable {
    /// Where a layer's class came from.
    package enum ClassSource: String, Sendable {
        /// The file's (or archive's) model config.
        case config
        /// A Keras 3 object path, which is named after the class.
        case path
        /// Another file of the same model (`--like`, or the other side of a diff).
        case reference
        /// The layer's automatic name (`dense_3`), confirmed by its weights.
        case automaticName
        /// Not known.
        case unknown
    }

    /// One tensor and its place in the model.
    package struct Variable: Sendable {
        package let entry: WeightEntry
        /// The Keras identity (see the type's discussion).
        package let identity: String
        /// The identity with every layer name replaced by its Keras 3 class-based path name
        /// (`dense_1/kernel` for a layer named `head`), when the classes of the model's layers are
        /// known: what matches a file that stores no layer names.
        package let pathIdentity: String?
        /// The variable's Keras 3 name (`kernel`), when known.
        package let variable: String?
        /// Where Keras 3 keeps it, when known.
        package let v3Location: V3Location?
        /// The legacy weight name (`lstm/lstm_cell/kernel:0`): read from a legacy file, made up
        /// in tf-keras's style for a Keras 3 one.
        package let legacyName: String
        /// Whether an optimizer updates it, when the class is known.
        package let trainable: Bool?
    }

    /// Where Keras 3 keeps a variable: its object's path (`layers/lstm/cell`), its index under
    /// `vars`, and the name of each object on the path from the top-level layer down (stored as
    /// each `vars` group's `name`, as Keras 3 does).
    package struct V3Location: Sendable, Equatable {
        package let object: String
        package let index: Int
        package let objectNames: [String]
    }

    /// One top-level layer (an entry of a legacy `layer_names`, or an object directly in the
    /// model's Keras 3 container).
    package struct Layer: Sendable {
        package let name: String
        /// The layer's group in the file: `/dense` (legacy), `/layers/dense` (Keras 3).
        package let path: String
        /// The Keras class, when known.
        package let className: String?
        package let classSource: ClassSource
        /// The Keras 3 path of the layer (`layers/dense_1`), when known.
        package let v3Path: String?
        /// The variables in Keras's legacy order (trainable ones first).
        package let variables: [Variable]
        /// Why the layer cannot be written in the other layout, if it cannot (an unknown class, a
        /// nested model without a config, an order the catalog cannot vouch for).
        package let unplaceable: String?
    }

    /// The optimizer's state.
    package struct OptimizerState: Sendable {
        /// The optimizer's class, when known (`Adam`).
        package let className: String?
        /// The name Keras 3 stores for it (`adam`), if any.
        package let storedName: String?
        package let variables: [Variable]
    }

    /// The file's layout.
    package let format: WeightFileFormat
    /// The model's top-level layers in the file's order, weightless ones included.
    package let layers: [Layer]
    /// Variables owned by the model itself (legacy `top_level_model_weights`, Keras 3 root `vars`).
    package let modelVariables: [Variable]
    /// The optimizer's state, if the file holds one.
    package let optimizer: OptimizerState?
    /// Metric state (tf-keras `.weights.h5` files keep the loss tracker's), if any.
    package let metrics: [Variable]
    /// Whether every top-level layer's name is known (legacy files; Keras 3 files from Keras ≥ 3.6
    /// and Heft store names; tf-keras's `.weights.h5` stores none).
    package let hasLayerNames: Bool

    /// Every model variable: the layers' in order, then the model's own. Joined, not copied: a
    /// view of 100 000 tensors would copy 40 MiB of variables for each use.
    package var variables: FlattenSequence<[[Variable]]> { (layers.map(\.variables) + [modelVariables]).joined() }
}

/// Classes known from another file of the same model: by layer name, or, when that file stores
/// no layer names (tf-keras's `.weights.h5`), by position among the layers with weights (Keras's
/// topological rule).
package struct ClassHints: Sendable {
    package var classes: [String: String] = [:]
    /// The classes of the layers with weights in order, when the names are not known.
    package var ordered: [String?] = []
    /// Every variable identity of that file: which optional variables a layer has (a
    /// BatchNormalization without `center` has no `beta`), which a `.weights.h5` alone cannot say.
    package var identities: Set<String> = []

    package init() {}

    /// The classes of the top-level layers of `view` whose class is known.
    package init(_ view: KerasModelView) {
        for layer in view.layers {
            if let className = layer.className { classes[layer.name] = className }
        }
        if !view.hasLayerNames { ordered = view.layers.filter { !$0.variables.isEmpty }.map(\.className) }
        identities = Set(view.variables.flatMap { [$0.identity] + ($0.pathIdentity.map { [$0] } ?? []) })
    }
}
