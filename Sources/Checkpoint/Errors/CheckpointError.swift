/// The one error type of the `Checkpoint` module. Every message is one line that starts with the
/// file and names the object (layer, weight or HDF5 path) concerned.
public struct CheckpointError: Error, CustomStringConvertible, Sendable, Equatable, Codable {
    /// What went wrong, with the details a user needs.
    public enum Reason: Sendable, Equatable, Codable {
        case fileNotFound
        case isDirectory
        /// A FIFO, device or socket: only regular files are read.
        case notARegularFile
        case permissionDenied
        case emptyFile
        /// A file in no format Heft reads (not HDF5, a `.keras` archive, a sharded index or
        /// safetensors); the detail says what it seems to be, when Heft can tell.
        case unknownFormat(String)
        /// A file in a format Heft knows that holds no Keras weights (an HDF5 file in neither
        /// Keras layout, a zip that is not a `.keras` archive); the detail says what it holds.
        case notAWeightsFile(String)
        /// A file named like a shard of a sharded checkpoint (`m_00001.weights.h5`) whose index
        /// (`index`) is not beside it.
        case shardWithoutIndex(index: String, number: Int)
        /// What went wrong in `shard`, a file of the sharded checkpoint the error names.
        indirect case inShard(String, Reason)
        /// One shard of a sharded checkpoint, opened alone: `index` is the checkpoint's index, which
        /// lists it as shard `number` of `count`.
        case loneShard(index: String, number: Int, count: Int)
        /// The file ends before its own metadata says it should (an interrupted copy or save).
        case truncated(String)
        /// `layer_names` lists a layer whose group is missing.
        case missingLayerGroup(layer: String)
        /// `weight_names` lists a weight whose dataset is missing.
        case missingWeight(layer: String, weight: String)
        /// An external link, a soft link, external raw storage or a virtual dataset: objects that can
        /// read other files, refused at the path given.
        case unsafeObject(path: String, kind: String)
        /// A dataset whose type Heft does not read (e.g. compound or string data).
        case unsupportedData(path: String, detail: String)
        /// An object whose metadata contradicts itself (dimensions beyond their maximum, stored
        /// bytes that cannot hold the declared tensor): the file is damaged or crafted.
        case corruptObject(path: String, detail: String)
        /// An object beyond one of the reader's ``ReadLimits`` (named in the detail).
        case limitExceeded(path: String, detail: String)
        /// An isolated worker (see ``Isolation``) crashed, hung, was killed or exceeded its limits.
        case workerFailed(WorkerFailure)
        /// A tensor whose bytes no longer match the SHA-256 Heft stored when it wrote the file.
        case integrity(path: String, detail: String)
        /// The model and the file do not match by Keras's rules (layer counts, weight counts, shapes, paths).
        case mismatch(ModelMismatch)
        /// A conversion cannot place the file's tensors, or its result would not load as the source does.
        case conversionRefused(ConversionRefusal)
        /// Two different tensors of one file have the same Keras identity, so neither can be
        /// matched with another file's tensor.
        case identityCollision(identity: String, first: String, second: String)
        /// A model ties one parameter across layers but the file stores different values for it.
        case tiedWeightsDiffer(first: String, second: String)
        /// The layout cannot hold this model (e.g. a name Keras cannot store).
        case unsupportedModel(String)
        /// A failure reported by libhdf5 (its message is kept).
        case hdf5(String)
        /// A file-system failure while saving (the previous file is intact).
        case io(String)
        /// Another process of a run that saves or loads together (see ``ShardedWrite``) failed,
        /// or could not be reached; its own message, or the communication's, follows.
        case rankFailed(rank: Int, message: String)
    }

    /// The file-system path of the file.
    public let file: String
    /// The reason.
    public let reason: Reason

    public init(file: String, _ reason: Reason) {
        self.file = file
        self.reason = reason
    }

    /// One line: control and formatting characters in names taken from a file (a newline, a
    /// terminal escape, a bidirectional override) are shown escaped, so a file cannot forge output
    /// lines or drive the terminal; the file name and each name from the file are cut after
    /// ``SafeText/maximumShown`` characters.
    public var description: String { SafeText.escaped("\(file): \(detail)", limit: 16 * SafeText.maximumShown) }

    /// The message without the file: what ``description`` says after `file: `.
    public var message: String { SafeText.escaped(detail, limit: 16 * SafeText.maximumShown) }

    private var detail: String { Self.detail(reason) }

    private static func detail(_ reason: Reason) -> String {
        switch reason {
        case let .inShard(shard, inner): "shard \(shard): \(detail(inner))"
        case .fileNotFound: "no such file"
        case .isDirectory: "is a directory, not a weights file"
        case .notARegularFile: "not a regular file (a FIFO, device or socket)"
        case .permissionDenied: "permission denied"
        case .emptyFile: "the file is empty (0 bytes)"
        case .unknownFormat(let what): "not a weights file: \(what)"
        case .notAWeightsFile(let why): "not a Keras weights file: \(why)"
        case .truncated(let why): "the file is truncated or damaged: \(why)"
        case .missingLayerGroup(let layer): "layer_names lists '\(layer)' but the file has no group /\(layer)"
        case let .missingWeight(layer, weight): "layer '\(layer)': weight_names lists '\(weight)' but the dataset is missing"
        case let .unsafeObject(path, kind): "\(path): refused: \(kind) (it can read other files on this machine)"
        case let .unsupportedData(path, detail): "\(path): unsupported data: \(detail)"
        case let .corruptObject(path, detail): "\(path): the file is damaged: \(detail)"
        case let .limitExceeded(path, detail): "\(path): refused: \(detail)"
        case let .integrity(path, detail): "\(path): integrity check failed: \(detail)"
        case .workerFailed(let failure): failure.description
        case .mismatch(let mismatch): mismatch.description
        case .conversionRefused(let refusal): refusal.description
        case let .identityCollision(identity, first, second):
            "\(first) and \(second) are two different tensors with the same Keras identity '\(identity)': "
                + "they cannot be matched by identity (compare with --by-order)"
        case let .tiedWeightsDiffer(first, second):
            "the model ties \(first) and \(second) to one parameter, but the file stores different values for them"
        case let .shardWithoutIndex(index, number):
            "named like shard \(number + 1) of a Keras sharded checkpoint, whose index \(index) is not beside it: a shard "
                + "holds only part of a model; open the index, or rename the file if it is a whole checkpoint"
        case let .loneShard(index, number, count):
            "shard \(number + 1) of \(count) of the sharded checkpoint \(index), not a checkpoint by itself: open the index"
        case .unsupportedModel(let text): text
        case .hdf5(let text): text
        case .io(let text): text
        case let .rankFailed(rank, message): "rank \(rank): \(message)"
        }
    }
}
