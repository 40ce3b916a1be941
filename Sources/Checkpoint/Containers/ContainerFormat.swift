/// How a kind of container is recognised, opened and written: the registration half of
/// ``TensorContainer``.
package protocol ContainerFormat: SendableMetatype {
    /// Whether `probe` is a container of this format, judged from its content (never from its
    /// name alone, except for containers that have no file).
    static func recognizes(_ probe: ContainerProbe) throws -> Bool

    /// Opens the container at `path` (already recognised) and indexes it.
    ///
    /// - Throws: ``CheckpointError`` naming the path: unreadable or damaged storage, a layout
    ///   Heft does not know, or anything beyond `options.limits`.
    static func open(_ path: String, options: OpenOptions) throws -> any TensorContainer

    /// Whether a save to `path` goes to this format.
    static func writes(to path: String) -> Bool

    /// Writes `plan` in `layout` and commits it atomically at `path`: `check` runs on the written
    /// result (opened by the path it is given) before it replaces anything there, so a failing
    /// check, like any failure, leaves what was at `path` as it was.
    ///
    /// - Throws: ``CheckpointError`` naming `path`, or what `check` throws.
    static func write(_ plan: SavePlan, layout: WeightFileFormat, to path: String,
                      check: ((_ written: String) throws -> Void)?) throws
}

/// What opening a container needs besides its path.
package struct OpenOptions {
    /// The reader's limits.
    package var limits: ReadLimits
    /// Which tensors to read while their storage is open for the checks, if any.
    package var prefetch: Prefetch?
    /// Told about each object as reading starts, so a crash can name it (see ``ReadObserver``).
    package var observer: ReadObserver?

    package init(limits: ReadLimits = ReadLimits(), prefetch: Prefetch? = nil, observer: ReadObserver? = nil) {
        self.limits = limits
        self.prefetch = prefetch
        self.observer = observer
    }
}
