import NeuralNet

/// The optimizers and their state, in the order each Keras line creates it (checked against files
/// both lines write after training, `fixtures/world/*_trained_*`).
///
/// Keras 3 keeps `iteration` (int64) and `learning_rate` first, then the slots; tf-keras keeps
/// `iteration` only, then the same slots. A slot set is either *interleaved* (each trainable
/// variable's slots together: Adam's momentum, velocity of the kernel, then of the bias) or
/// *grouped* (every variable's first slot, then every variable's second: RMSprop's velocities,
/// then momentums).
extension KerasCatalog {
    package static let optimizers: [KerasOptimizerClass] = [
        KerasOptimizerClass("SGD", slots: [.grouped(["momentum"], legacy: ["m"], optionalOn: "momentum > 0")]),
        KerasOptimizerClass("Adam", slots: [.interleaved(["momentum", "velocity"], legacy: ["m", "v"]),
                                            .grouped(["velocity_hat"], legacy: ["vhat"], optionalOn: "amsgrad")]),
        KerasOptimizerClass("AdamW", slots: [.interleaved(["momentum", "velocity"], legacy: ["m", "v"]),
                                             .grouped(["velocity_hat"], legacy: ["vhat"], optionalOn: "amsgrad")]),
        KerasOptimizerClass("RMSprop", slots: [.grouped(["velocity"], legacy: ["velocity"]),
                                               .grouped(["momentum"], legacy: ["momentum"], optionalOn: "momentum > 0"),
                                               .grouped(["average_gradient"], legacy: ["average_gradient"], optionalOn: "centered")]),
        KerasOptimizerClass("Adagrad", slots: [.grouped(["accumulator"], legacy: ["accumulator"])]),
        KerasOptimizerClass("Adadelta", slots: [.interleaved(["accumulated_grad", "accumulated_delta_var"],
                                                             legacy: ["accumulated_grad", "accumulated_delta_var"])]),
        KerasOptimizerClass("Nadam", slots: [.interleaved(["momentum", "velocity"], legacy: ["m", "v"])],
                            extraKeras3: ["u_product"]),
        KerasOptimizerClass("Adamax", slots: [.interleaved(["momentum", "norm"], legacy: ["m", "u"])]),
        KerasOptimizerClass("Lion", slots: [.grouped(["momentum"], legacy: ["m"])]),
        KerasOptimizerClass("Ftrl", slots: [.interleaved(["accumulator", "linear"], legacy: ["accumulator", "linear"])]),
    ]

    /// The optimizer whose class name, snake-case name (`adam_w`, `rm_sprop`, Keras 3's `vars`
    /// name) or tf-keras legacy prefix (`Adam`) is `name`.
    package static func optimizerClass(named name: String) -> KerasOptimizerClass? {
        optimizers.first { $0.name == name || $0.snakeName == name || $0.name.lowercased() == name.lowercased() }
    }
}

/// One optimizer class and the state it keeps.
package struct KerasOptimizerClass: Sendable {
    /// A set of slots created together.
    package enum SlotSet: Sendable {
        /// Per trainable variable, these slots one after the other.
        case interleaved([String], legacy: [String], optionalOn: String? = nil)
        /// For each slot, one per trainable variable.
        case grouped([String], legacy: [String], optionalOn: String? = nil)

        package var names: [String] {
            switch self { case .interleaved(let names, _, _), .grouped(let names, _, _): names }
        }

        package var legacyNames: [String] {
            switch self { case .interleaved(_, let legacy, _), .grouped(_, let legacy, _): legacy }
        }

        package var optionalOn: String? {
            switch self { case .interleaved(_, _, let flag), .grouped(_, _, let flag): flag }
        }

        package var isInterleaved: Bool {
            if case .interleaved = self { return true }
            return false
        }
    }

    /// The class name, e.g. `Adam`.
    package let name: String
    /// The slot sets in creation order.
    package let slots: [SlotSet]
    /// Scalars Keras 3 adds after the slots (Nadam's `u_product`).
    package let extraKeras3: [String]

    package init(_ name: String, slots: [SlotSet], extraKeras3: [String] = []) {
        self.name = name
        self.slots = slots
        self.extraKeras3 = extraKeras3
    }

    /// Keras 3's name for it (`adam_w`, `rm_sprop`): the optimizer's `vars` name in a `.weights.h5`.
    package var snakeName: String { kerasSnakeCase(name) }

    /// Every layout of the state for `variables` trainable variables, one per combination of the
    /// optional slot sets: the variable names in order (`iteration`, `learning_rate`, then
    /// `(variable index, slot)` pairs), for Keras 3 or tf-keras.
    package func layouts(trainableVariables count: Int, keras3: Bool) -> [[OptimizerStateSlot]] {
        let optional = slots.indices.filter { slots[$0].optionalOn != nil }
        return (0..<(1 << optional.count)).map { mask in
            var layout: [OptimizerStateSlot] = [.scalar("iteration")] + (keras3 ? [.scalar("learning_rate")] : [])
            for (index, set) in slots.enumerated() {
                if let bit = optional.firstIndex(of: index), mask & (1 << bit) == 0 { continue }
                if set.isInterleaved {
                    for variable in 0..<count { layout += set.names.map { .slot(variable: variable, name: $0) } }
                } else {
                    for name in set.names { layout += (0..<count).map { .slot(variable: $0, name: name) } }
                }
            }
            return layout + (keras3 ? extraKeras3.map { .scalar($0) } : [])
        }
    }

    /// Keras 3's slot name for a tf-keras legacy one (`m` → `momentum` for Adam).
    package func slotName(legacy: String) -> String? {
        for set in slots {
            if let index = set.legacyNames.firstIndex(of: legacy) { return set.names[index] }
        }
        return nil
    }
}

/// One variable of an optimizer's state.
package enum OptimizerStateSlot: Sendable, Equatable {
    /// A scalar of the optimizer itself (`iteration`, `learning_rate`).
    case scalar(String)
    /// A slot of the `variable`-th trainable model variable.
    case slot(variable: Int, name: String)
}
