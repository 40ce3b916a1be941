/// Heft's version, recorded in the manifest of every file Heft writes (``Integrity/Manifest/writer``)
/// and printed by `heft -V`.
public let heftVersion = "0.2.0"
