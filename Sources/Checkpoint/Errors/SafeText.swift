/// Text from a file (names, paths, attribute values) made safe to show on a terminal, in a log or
/// in an annotation: it can neither move the cursor, recolour, forge a line nor reorder what is shown.
package enum SafeText {
    /// The most characters of one value shown in messages and text output; longer ones are cut
    /// with `… (N bytes)`.
    package static let maximumShown = 1_024

    /// `text` with every control character (C0, DEL, C1), line or paragraph separator and
    /// bidirectional or invisible formatting character written as a Swift escape (`\u{1B}`, `\n`),
    /// cut after `limit` characters.
    package static func escaped(_ text: String, limit: Int = maximumShown) -> String {
        var result = ""
        var shown = 0
        for scalar in text.unicodeScalars {
            if shown == limit {
                result += "… (\(text.utf8.count) bytes)"
                break
            }
            result += isUnsafe(scalar) ? scalar.escaped(asASCII: true) : String(scalar)
            shown += 1
        }
        return result
    }

    /// Whether `scalar` would act on a terminal or a reader instead of showing: C0 and C1 controls,
    /// DEL, U+2028/U+2029, and the bidirectional and zero-width format characters.
    package static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2069, 0xFEFF: true
        default: false
        }
    }

    /// Whether `text` needs ``escaped(_:limit:)``.
    package static func needsEscaping(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: isUnsafe)
    }
}
