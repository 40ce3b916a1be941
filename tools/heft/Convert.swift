import ArgumentParser
import Checkpoint
import Inspection

extension Heft {
    /// `heft convert IN OUT`: rewrite a weights file in either layout through Heft's writer.
    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewrite a weights file in either Keras layout, in any container.",
            discussion: """
                The container comes from OUT's name: *.keras (an archive with the config and metadata of \
                --like REF.keras, or of IN if it is one), *.weights.json (a sharded set, shards of at most \
                --max-shard-size, Keras's 5GB by default), *.safetensors, else one HDF5 file. The layout is \
                --to or, by default, chosen from OUT's name (*.h5 and *.hdf5 → keras-legacy, else \
                keras-v3); --to keras-archive, keras-v3-sharded or safetensors name the container and must \
                agree with OUT's name. The same layout is a rewrite. Dtypes and hard links (shared weights) \
                are kept; OUT is replaced atomically. In another layout each tensor goes where Keras keeps \
                that variable, which needs each layer's Keras class: from model_config in a full-model \
                file, from Keras 3 paths, from automatic layer names (lstm_2), or from --like REF. A layer \
                whose class is unknown is refused (exit 2) with the remedy. Before OUT is replaced, the \
                result is read back and checked to load as the source does, by Keras's own rules. \
                Optimizer state goes along to a Keras 3 file and is dropped, with a note, elsewhere.

                Examples:
                  heft convert model.h5 model.weights.h5
                  heft convert model.weights.h5 model.h5 --like reference.keras
                  heft convert model.weights.h5 model.safetensors
                  heft convert big.weights.h5 big.weights.json --max-shard-size 2GB
                """)

        /// A layout, or a container (whose layout is Keras 3's).
        enum Target: String, ExpressibleByArgument, CaseIterable {
            case kerasLegacy = "keras-legacy", kerasV3 = "keras-v3"
            case kerasArchive = "keras-archive", kerasV3Sharded = "keras-v3-sharded", safetensors

            /// The suffix OUT needs for a container target.
            var suffix: String? {
                switch self {
                case .kerasLegacy, .kerasV3: nil
                case .kerasArchive: ".keras"
                case .kerasV3Sharded: ".weights.json"
                case .safetensors: ".safetensors"
                }
            }

            var layout: WeightFileFormat { self == .kerasLegacy ? .kerasLegacy : .kerasV3 }

            /// What a conversion to `path` in `layout` writes: its container, or the layout of one HDF5 file.
            static func name(forOutput path: String, layout: WeightFileFormat) -> String {
                allCases.first { $0.suffix.map(path.hasSuffix) ?? false }?.rawValue ?? layout.rawValue
            }
        }

        @Argument(help: "The input weights file.") var input: String
        @Argument(help: "The output path.") var outputPath: String
        @Option(help: "The output layout (keras-legacy, keras-v3) or container (keras-archive, keras-v3-sharded, safetensors).")
        var to: Target?
        @Option(help: ArgumentHelp("The largest shard of a *.weights.json output, with a unit: 500KB, 64MB, 2GB (1024-based, "
                                   + "as Keras's max_shard_size), or a number of bytes.", valueName: "size"))
        var maxShardSize: ByteSize?
        @Option(help: ArgumentHelp("A Keras weights or model file of the same architecture: it gives the layer classes, "
                                   + "and in its own layout the names and order to write.", valueName: "ref"))
        var like: String?
        @Flag(help: "Leave out optimizer and metric state.") var dropOptimizer = false
        @Option(help: ArgumentHelp("The checksum stored with each tensor: xxh3-128 (default; checked on every load at memory speed) "
                                   + "or sha256 (cryptographic).", valueName: "algorithm"))
        var digest: DigestAlgorithm = .xxh3
        @OptionGroup var output: OutputOptions
        @OptionGroup var reader: ReaderOptions

        func validate() throws {
            if let suffix = to?.suffix, !outputPath.hasSuffix(suffix) {
                throw ValidationError("--to \(to!.rawValue) writes a \(suffix) file; name OUT accordingly")
            }
            if maxShardSize != nil, !outputPath.hasSuffix(".weights.json") {
                throw ValidationError("--max-shard-size writes a sharded set: name OUT *.weights.json")
            }
        }

        func run() throws {
            if let cluster = try ClusterRun.current(timeout: .seconds(reader.timeout + 60)) { return try run(on: cluster) }
            try convert()
        }

        /// Under `mpirun`: to a sharded set or one HDF5 file, the ranks write their shares of the
        /// tensors (see ``ShardedWrite`` and ``SingleFileWrite``); to a `.keras` archive or a
        /// safetensors file, rank 0 converts alone.
        private func run(on cluster: ClusterRun) throws {
            let format = to?.layout ?? WeightFileFormat(forPath: outputPath)
            let (dropOptimizer, maxShardSize, digest) = (self.dropOptimizer, self.maxShardSize?.bytes, self.digest)
            switch Target.allCases.first(where: { $0.suffix.map(outputPath.hasSuffix) ?? false }) {
            case nil:
                try split(on: cluster, begin: { [outputPath] file, reference in
                    try file.beginConvert(to: outputPath, format: format, like: reference, dropOptimizer: dropOptimizer, digest: digest)
                }, share: { file, write, rank, size, reference in
                    try file.convertShare(to: write, rank: rank, of: size, like: reference, dropOptimizer: dropOptimizer, digest: digest)
                }, commit: { file, write, shares, reference in
                    try file.convert(to: write, shares: shares, like: reference, dropOptimizer: dropOptimizer, digest: digest)
                }, end: { $0.end() })
            case .kerasV3Sharded? where format == .kerasV3:
                try split(on: cluster, begin: { [outputPath] _, _ in try ShardedWrite.begin(outputPath) }, share: { file, write, rank, size, reference in
                    try file.convertShare(to: write, rank: rank, of: size, like: reference, dropOptimizer: dropOptimizer,
                                          maxShardSize: maxShardSize, digest: digest)
                }, commit: { file, write, shares, reference in
                    try file.convert(to: write, shares: shares, like: reference, dropOptimizer: dropOptimizer, maxShardSize: maxShardSize, digest: digest)
                }, end: { $0.end() })
            default:
                try cluster.runOnRankZero { try convert() }
            }
        }

        /// A conversion the ranks write together: rank 0 begins it (`begin`, in its isolated
        /// worker), every rank writes its share (`share`, in its worker), and rank 0 commits it and
        /// reports as one process does (`commit`, in a worker); rank 0 then `end`s it either way.
        private func split<Write: Codable>(on cluster: ClusterRun,
                                           begin: @escaping (WeightFile, WeightFile?) throws -> Write,
                                           share: @escaping (WeightFile, Write, Int, Int, WeightFile?) throws -> WriteShare,
                                           commit: @escaping (WeightFile, Write, [WriteShare], WeightFile?) throws -> WeightFile.ConversionReport,
                                           end: (Write) -> Void) throws {
            let (input, like) = (self.input, self.like)
            let files = [input] + (like.map { [$0] } ?? [])
            let begun = try cluster.gatherParts("convert", reader, output, files: files, readingDigests: true) { rank, _, open in
                guard rank == 0 else { return [] }
                return try PartCoding.encode(try begin(try open(input), try like.map { try open($0) }))
            }
            let write = try PartCoding.decode(Write.self, from: try cluster.fromRoot("convert", output) { begun?.first ?? [] })
            defer { if cluster.communicator.isRoot { end(write) } }
            let parts = try cluster.gatherParts("convert", reader, output, files: files, readingDigests: true) { rank, size, open in
                try PartCoding.encode(try share(try open(input), write, rank, size, try like.map { try open($0) }))
            }
            try cluster.finish(parts.map { parts in
                {
                    let shares = try parts.map { try PartCoding.decode(WriteShare.self, from: $0) }
                    try convert { file, reference in try commit(file, write, shares, reference) }
                }
            })
        }

        /// Converts in one process, in an isolated worker.
        private func convert() throws {
            try convert { file, reference in
                let progress = Progress("heft convert")
                defer { progress.finish() }
                return try file.convert(to: outputPath, format: to?.layout ?? WeightFileFormat(forPath: outputPath), like: reference,
                                        dropOptimizer: dropOptimizer, maxShardSize: maxShardSize?.bytes, digest: digest,
                                        progress: progress.update)
            }
        }

        /// Opens the input (and `--like`'s) in an isolated worker, converts with `body` and
        /// publishes the report.
        private func convert(_ body: (WeightFile, WeightFile?) throws -> WeightFile.ConversionReport) throws {
            try runWithExitCode("convert", reader, output, files: [input] + (like.map { [$0] } ?? []), outputs: [outputPath], readingDigests: true) { open in
                let file = try open(input)
                let report = try body(file, try like.map { try open($0) })
                let format = to?.layout ?? WeightFileFormat(forPath: outputPath)
                try output.publish(ConvertReport(document: ConvertDocument(
                    schema: jsonSchemaVersion, input: input, output: outputPath, from: file.formatName,
                    to: Target.name(forOutput: outputPath, layout: format), layers: report.layers, weights: report.weights,
                    optimizerWeights: report.optimizerWeights, notes: report.notes)))
                return 0
            }
        }
    }
}

/// `heft convert`'s report in every format.
struct ConvertReport: CommandReport {
    let document: ConvertDocument

    var summary: String {
        let state = document.optimizerWeights > 0 ? " and \(document.optimizerWeights) optimizer tensors" : ""
        return "\(shown(document.output)): \(document.to), written from \(shown(document.input)) (\(document.from)): "
            + "\(document.weights) weights in \(document.layers) layers\(state)"
    }

    func textLines() -> [String] { [summary] + document.notes.map { "note: \(shown($0))" } }

    func annotations() -> [Annotation] {
        document.notes.map { Annotation(level: .notice, file: document.output, title: "heft convert", message: $0) }
    }

    func markdown() -> String {
        (["### heft convert", "", markdownCell(summary)] + document.notes.map { "- note: \(markdownCell($0))" }).joined(separator: "\n")
    }
}

/// The JSON document of `heft convert` (schema 1).
struct ConvertDocument: Encodable {
    let schema: Int
    let input: String
    let output: String
    let from: String
    let to: String
    let layers: Int
    let weights: Int
    let optimizerWeights: Int
    /// What the output does not hold (optimizer state a legacy file cannot keep, …).
    let notes: [String]

    enum CodingKeys: String, CodingKey {
        case schema, input, output, from, to, layers, weights, optimizerWeights = "optimizer_weights", notes
    }
}
