/// The container formats Heft knows, in the order they are tried: one line per format.
package enum ContainerRegistry {
    package static let formats: [any ContainerFormat.Type] = [
        MemoryContainer.self,
        HDF5Container.self,
        KerasArchiveContainer.self,
        ShardedContainer.self,
        SafetensorsContainer.self,
    ]

    /// Opens `path` with the first format that recognises it.
    ///
    /// - Throws: ``CheckpointError`` naming the path: missing, a directory, special, unreadable,
    ///   empty, of no known format (saying what it seems to be), or what opening it throws.
    package static func open(_ path: String, options: OpenOptions) throws -> any TensorContainer {
        let probe = ContainerProbe(path)
        for format in formats where try format.recognizes(probe) {
            return try format.open(path, options: options)
        }
        throw CheckpointError(file: path, .unknownFormat(try UnknownFormats.describe(probe)))
    }

    /// The format a save to `path` goes to: the first whose name it has (`.keras`,
    /// `.weights.json`, `.safetensors`, `memory:`), else one HDF5 file, which takes any name.
    package static func format(writing path: String) -> any ContainerFormat.Type {
        formats.first { $0 != HDF5Container.self && $0.writes(to: path) } ?? HDF5Container.self
    }
}
