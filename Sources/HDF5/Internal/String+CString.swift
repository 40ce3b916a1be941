extension String {
    /// Decodes the bytes of a C character buffer up to its first NUL as UTF-8, repairing invalid
    /// sequences; for names the library itself wrote into a fixed buffer.
    init(nulTerminated characters: [CChar]) {
        self.init(
            decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
