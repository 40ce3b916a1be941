/// What a file no container recognises seems to be, for an error that says so: the formats ML
/// engineers keep weights in that Heft does not read, told by their first bytes.
enum UnknownFormats {
    /// A short description of the file `probe` examines.
    ///
    /// - Throws: ``CheckpointError`` if the file cannot be read.
    static func describe(_ probe: ContainerProbe) throws -> String {
        let head = try probe.bytes(at: 0, count: 8)
        if head.starts(with: [0x93] + Array("NUMPY".utf8)) { return "a NumPy .npy array, not Keras weights" }
        if head.count >= 2, head[0] == 0x80, (2...5).contains(head[1]) {
            return "a Python pickle, which Heft never reads (unpickling runs code); not Keras weights"
        }
        if head.starts(with: [0x1F, 0x8B]) { return "a gzip file: decompress it first" }
        return "no HDF5 signature; not a zip (.keras), a sharded .weights.json index or safetensors"
    }
}
