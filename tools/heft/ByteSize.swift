import ArgumentParser

/// A size with a unit, as `--max-shard-size` takes it: `500KB`, `64MB`, `2GB`, `1.5TB` in Keras's
/// units (1 GB = 1024³ bytes, as `save_weights(max_shard_size=…)` counts), the same with `KiB`,
/// `MiB`, `GiB`, `TiB`, or a plain number of bytes (`B` optional). Case does not matter.
struct ByteSize: ExpressibleByArgument {
    let bytes: Int

    init?(argument: String) {
        let units: [(suffix: String, scale: Double)] = [
            ("KIB", 0x1p10), ("MIB", 0x1p20), ("GIB", 0x1p30), ("TIB", 0x1p40),
            ("KB", 0x1p10), ("MB", 0x1p20), ("GB", 0x1p30), ("TB", 0x1p40), ("B", 1),
        ]
        let text = argument.uppercased().filter { $0 != " " }
        let unit = units.first { text.hasSuffix($0.suffix) }
        guard let value = Double(text.dropLast(unit?.suffix.count ?? 0)), value.isFinite else { return nil }
        let bytes = value * (unit?.scale ?? 1)
        guard bytes >= 1, bytes < 0x1p62 else { return nil }
        self.bytes = Int(bytes)
    }
}
