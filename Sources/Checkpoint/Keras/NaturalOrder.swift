/// Orders names as Keras numbers them: `dense` < `dense_1` < `dense_2` < `dense_10`.
func naturalOrder(_ a: String, _ b: String) -> Bool {
    NaturalKey(a) < NaturalKey(b)
}

/// `names` in ``naturalOrder(_:_:)``, each name's key computed once.
func naturallySorted(_ names: some Sequence<String>) -> [String] {
    names.map { (key: NaturalKey($0), name: $0) }.sorted { $0.key < $1.key }.map(\.name)
}

/// A name split as Keras numbers layers: `dense_10` → (`dense`, 10); a name without a numeric
/// suffix sorts before the numbered ones of the same prefix.
private struct NaturalKey: Comparable {
    let prefix: Substring
    let number: Int

    init(_ name: String) {
        if let underscore = name.utf8.lastIndex(of: UInt8(ascii: "_")),
           let number = Int(name[name.utf8.index(after: underscore)...]) {
            prefix = name[..<underscore]
            self.number = number
        } else {
            prefix = name[...]
            number = -1
        }
    }

    static func < (a: NaturalKey, b: NaturalKey) -> Bool {
        a.prefix != b.prefix ? a.prefix < b.prefix : a.number < b.number
    }
}
