extension KerasCatalog {
    /// The catalog as docs/formats.md's tables: each layer class with its Keras lines, variables (in
    /// creation order, with shapes; `†` not trainable, `?flag` dropped when the config switch is
    /// off) and sublayers; then each optimizer's state.
    package static var markdownTable: String {
        var lines = ["| class | Keras lines | variables, in creation order | sublayers (Keras 3 attribute: class) |",
                     "|---|---|---|---|"]
        for layer in layers where layer.role == .layer {
            let variables = layer.variables.map { variable in
                "`\(variable.name)` \(variable.shape)" + (variable.trainable ? "" : " †") + (variable.optionalOn.map { " ?\($0)" } ?? "")
                    + (variable.aliases.isEmpty ? "" : " (tf-keras: `\(variable.aliases.joined(separator: "`, `"))`)")
            }
            let sublayers = layer.sublayers.map { sublayer in
                let spelled = sublayer.attributeAliases.isEmpty ? "" : " (also `\(sublayer.attributeAliases.joined(separator: "`, `"))`)"
                let inner = switch sublayer.layerClass {
                case .fixed(let name): name
                case .configured(let keys): "the config's " + keys.map { "`\($0)`" }.joined(separator: " or ")
                }
                return "`\(sublayer.attribute)`\(spelled): \(inner)"
            }
            lines.append("| \(layer.name) | \(layer.lines.rawValue) | \(variables.isEmpty ? "—" : variables.joined(separator: "<br>")) | "
                         + "\(sublayers.isEmpty ? "—" : sublayers.joined(separator: "<br>")) |")
        }
        lines.append("| Sequential, Functional (nested models) | Keras 3, tf-keras 2 | — | `layers`: each layer under its class-based name |")
        lines += ["", "| optimizer | state after `iteration` (Keras 3: and `learning_rate`), per trainable variable |", "|---|---|"]
        for optimizer in optimizers {
            let sets = optimizer.slots.map { set in
                let names = set.names.map { "`\($0)`" }.joined(separator: " + ")
                let flag = set.optionalOn.map { " if \($0)" } ?? ""
                let arrangement = set.names.count == 1 ? "" : set.isInterleaved ? " interleaved" : " grouped"
                return names + arrangement + flag
                    + " (tf-keras: " + set.legacyNames.map { "`\($0)`" }.joined(separator: ", ") + ")"
            }
            let extra = optimizer.extraKeras3.isEmpty ? "" : "; Keras 3 then `\(optimizer.extraKeras3.joined(separator: "`, `"))`"
            lines.append("| \(optimizer.name) | \(sets.joined(separator: "; "))\(extra) |")
        }
        return lines.joined(separator: "\n")
    }
}
