#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation

/// The integrity data Heft's writer adds to every file, invisible to Keras (which ignores unknown
/// attributes): a `heft_digest` attribute on each dataset with the digest (see ``Digest``) of the
/// tensor's canonical bytes (its elements in row-major order, each in the stored dtype as
/// little-endian bytes) — XXH3-128 by default, SHA-256 when asked — and a root `heft_manifest`
/// attribute, written last, that lists how many paths and bytes the file holds and a digest over
/// every path and its tensor digest. HDF5 checks nothing in unfiltered raw data, so these are what
/// turns a flipped bit into an error instead of a wrong weight. Files of Heft 0.1 carry SHA-256
/// digests in a `sha256` attribute: they are read and checked the same way.
public enum Integrity {
    /// The dataset attribute holding the tensor's digest text.
    public static let digestAttribute = "heft_digest"
    /// The attribute Heft 0.1 stored SHA-256 digests under, still read.
    public static let legacyDigestAttribute = "sha256"
    /// The root attribute holding the ``Manifest`` as JSON.
    public static let manifestAttribute = "heft_manifest"

    /// The root manifest: written after every tensor, so its presence marks a complete file.
    public struct Manifest: Codable, Sendable, Equatable {
        /// The tensors' digest algorithm (``DigestAlgorithm``'s raw value; `sha256` in Heft 0.1's
        /// files). The manifest's own digest is always a SHA-256.
        public var algorithm = DigestAlgorithm.xxh3.rawValue
        /// The number of weight paths (hard-linked paths counted each).
        public var tensors: Int
        /// The declared bytes of the distinct datasets.
        public var bytes: Int
        /// SHA-256 of the lines `<path> <tensor digest>\n` of every weight path, sorted by path.
        public var digest: String
        /// What wrote the file: `heft <version>` (absent in files of Heft 0.1).
        public var writer: String?

        public init(tensors: Int, bytes: Int, digest: String, algorithm: DigestAlgorithm = .xxh3, writer: String? = "heft \(heftVersion)") {
            (self.tensors, self.bytes, self.digest, self.writer) = (tensors, bytes, digest, writer)
            self.algorithm = algorithm.rawValue
        }
    }

    /// The manifest digest of `(path, tensor digest)` pairs: order-independent (sorted by path).
    public static func manifestDigest(_ entries: [(path: String, digest: String)]) -> String {
        var hasher = SHA256()
        for entry in entries.sorted(by: { $0.path < $1.path }) {
            hasher.update(data: Data("\(entry.path) \(entry.digest)\n".utf8))
        }
        return hexDigest(hasher.finalize())
    }

    /// The digest text of `bytes` (see ``Digest``): what Heft stores for a tensor whose canonical
    /// bytes these are.
    public static func digest(_ bytes: UnsafeRawBufferPointer, _ algorithm: DigestAlgorithm) -> String {
        DigestHasher.digest(bytes, algorithm).description
    }

    /// The digest text of `bytes`, computed on a second thread while `body` runs on this one (both
    /// only read `bytes`), so hashing costs no time when `body` is as slow as hashing (an HDF5
    /// write). Buffers under 1 MiB are hashed here, where a thread hand-off would cost more.
    static func digest(_ bytes: UnsafeRawBufferPointer, _ algorithm: DigestAlgorithm, whileRunning body: () throws -> Void) throws -> String {
        guard bytes.count >= 1 << 20 else {
            try body()
            return digest(bytes, algorithm)
        }
        let job = BackgroundDigest(bytes, algorithm)
        // Waits even when `body` throws: the caller may free `bytes` as soon as this returns.
        defer { _ = job.result() }
        try body()
        return job.result()
    }
}

/// One digest running on its own thread (fork-safe, see ``WorkerThread``).
///
/// `@unchecked Sendable`: the buffer is only read, and the caller keeps it alive until ``result()``
/// returns (``Integrity/digest(_:whileRunning:)`` waits on every path); `digest` is written by the
/// worker before it finishes and read only after ``WorkerThread/finish()`` has waited for it.
private final class BackgroundDigest: @unchecked Sendable {
    private let bytes: UnsafeRawBufferPointer
    private let worker = WorkerThread(name: "heft.digest")
    private var digest = ""
    private var collected = false

    init(_ bytes: UnsafeRawBufferPointer, _ algorithm: DigestAlgorithm) {
        self.bytes = bytes
        worker.submit { [self] in digest = Integrity.digest(self.bytes, algorithm) }
    }

    /// Waits for the digest (once; later calls return it at once).
    func result() -> String {
        if !collected {
            worker.finish()
            collected = true
        }
        return digest
    }
}

/// The digests of a tensor copied in blocks, computed on their own thread (fork-safe, see
/// ``WorkerThread``) while the caller reads and writes the next block: the one the copy stores
/// and, when the source stored another algorithm's, that one too (to check the source).
///
/// `@unchecked Sendable`: `hashers` are used only on the worker thread, and `digests` only by the
/// caller after ``finish()`` has waited for that thread; `hashed` is touched only while holding
/// `condition`. The caller keeps each block's bytes unchanged until ``waitUntilHashed(upTo:)`` says
/// the block is done, and frees them only after ``finish()``.
final class BlockHasher: @unchecked Sendable {
    private let worker = WorkerThread(name: "heft.copy-digest")
    private let condition = NSCondition()
    /// The index of the last block hashed.
    private var hashed = -1
    private var hashers: [DigestAlgorithm: DigestHasher]
    private var digests: [DigestAlgorithm: String]?

    init(_ algorithms: Set<DigestAlgorithm>) {
        hashers = Dictionary(uniqueKeysWithValues: algorithms.map { ($0, DigestHasher($0)) })
    }

    /// Queues block `index` (blocks in order) for hashing.
    func hash(_ bytes: UnsafeRawBufferPointer, index: Int) {
        worker.submit { [self] in
            for algorithm in hashers.keys { hashers[algorithm]!.update(bytes) }
            condition.withLock {
                hashed = index
                condition.broadcast()
            }
        }
    }

    /// Waits until every block up to `index` is hashed (at once for a negative index).
    func waitUntilHashed(upTo index: Int) {
        guard index >= 0 else { return }
        condition.withLock { while hashed < index { condition.wait() } }
    }

    /// Waits for every queued block and returns the digest texts (later calls return them at once).
    @discardableResult
    func finish() -> [DigestAlgorithm: String] {
        if let digests { return digests }
        worker.finish()
        let result = hashers.mapValues { $0.finalize().description }
        digests = result
        return result
    }
}

/// A digest as lowercase hex.
package func hexDigest(_ digest: SHA256.Digest) -> String {
    hexText(digest)
}

/// `bytes` as lowercase hex, two digits per byte in order.
func hexText(_ bytes: some Sequence<UInt8>) -> String {
    let hex = Array("0123456789abcdef".utf8)
    var text = [UInt8]()
    for byte in bytes {
        text.append(hex[Int(byte >> 4)])
        text.append(hex[Int(byte & 15)])
    }
    return String(decoding: text, as: UTF8.self)
}
