import CXXHash
import Crypto

/// The checksum Heft stores with each tensor it writes (see ``Integrity``).
public enum DigestAlgorithm: String, Sendable, CaseIterable, Codable {
    /// XXH3-128 (xxHash, Debian's libxxhash): the default. It catches accidental corruption — a
    /// flipped bit, a truncated copy, a tensor swapped by a buggy tool — at memory speed, so every
    /// load can check it.
    case xxh3 = "xxh3-128"
    /// SHA-256: a cryptographic hash, for content identity (`heft dump --hash`); stored when asked
    /// (`--digest sha256`), and what Heft 0.1 stored.
    case sha256
}

/// One tensor's digest as Heft stores it: `xxh3-128:<32 hex digits>`, or 64 hex digits for a
/// SHA-256 (the form Heft 0.1 wrote, kept so its files stay checked).
public struct Digest: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let algorithm: DigestAlgorithm
    /// The digest in lowercase hex.
    public let hex: String

    /// The stored text.
    public var description: String { algorithm == .sha256 ? hex : "\(algorithm.rawValue):\(hex)" }

    init(algorithm: DigestAlgorithm, hex: String) {
        (self.algorithm, self.hex) = (algorithm, hex)
    }

    /// Parses stored text; `nil` for anything but the two forms above, in lowercase hex.
    public init?(text: String) {
        let (algorithm, hex): (DigestAlgorithm, Substring) = if text.hasPrefix(DigestAlgorithm.xxh3.rawValue + ":") {
            (.xxh3, text.dropFirst(DigestAlgorithm.xxh3.rawValue.count + 1))
        } else {
            (.sha256, Substring(text))
        }
        let digits = algorithm == .xxh3 ? 32 : 64
        guard hex.utf8.count == digits, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        self.init(algorithm: algorithm, hex: String(hex))
    }
}

/// Streams bytes into one digest of either algorithm.
package struct DigestHasher {
    private var sha256: SHA256?
    private let xxh3: XXH3Stream?

    package init(_ algorithm: DigestAlgorithm) {
        switch algorithm {
        case .sha256: (sha256, xxh3) = (SHA256(), nil)
        case .xxh3: (sha256, xxh3) = (nil, XXH3Stream())
        }
    }

    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        if sha256 != nil { sha256!.update(bufferPointer: bytes) } else { xxh3!.update(bytes) }
    }

    /// The digest of everything given so far (the hasher is spent).
    package func finalize() -> Digest {
        if let sha256 { return Digest(algorithm: .sha256, hex: hexDigest(sha256.finalize())) }
        return xxh3!.digest()
    }

    /// The digest of `bytes` in one call.
    static func digest(_ bytes: UnsafeRawBufferPointer, _ algorithm: DigestAlgorithm) -> Digest {
        switch algorithm {
        case .sha256:
            var hasher = SHA256()
            hasher.update(bufferPointer: bytes)
            return Digest(algorithm: .sha256, hex: hexDigest(hasher.finalize()))
        case .xxh3:
            return XXH3Stream.text(XXH3_128bits(bytes.baseAddress, bytes.count))
        }
    }
}

/// libxxhash's XXH3-128 streaming state (allocated by the library, with the alignment it needs).
///
/// `@unchecked Sendable`: a state is used by one thread at a time — the tensor lane that owns it
/// (``ConcurrentTensors``) or a block hasher's worker — and handed over only through those
/// queues, which order the accesses.
final class XXH3Stream: @unchecked Sendable {
    private let state: OpaquePointer

    init() {
        guard let state = XXH3_createState() else { preconditionFailure("XXH3_createState: out of memory") }
        self.state = state
        XXH3_128bits_reset(state)
    }

    deinit { XXH3_freeState(state) }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        XXH3_128bits_update(state, bytes.baseAddress, bytes.count)
    }

    func digest() -> Digest { Self.text(XXH3_128bits_digest(state)) }

    /// The canonical (big-endian) hex of a 128-bit hash, as `xxhsum -H2` prints it.
    static func text(_ hash: XXH128_hash_t) -> Digest {
        let bytes = withUnsafeBytes(of: hash.high64.bigEndian) { Array($0) } + withUnsafeBytes(of: hash.low64.bigEndian) { Array($0) }
        return Digest(algorithm: .xxh3, hex: hexText(bytes))
    }
}
