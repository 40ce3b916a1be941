import ArgumentParser
import Checkpoint
import Inspection
import Foundation

/// The version of the JSON documents `heft` prints; bumped on any incompatible change.
let jsonSchemaVersion = 1

/// Runs a subcommand's work and maps its outcome to the exit-code contract: `body` returns 0 or 1;
/// an error becomes `heft: error: <file>: <reason>` on stderr, exit code 2, and — in the format
/// `output` asks for — a JSON error document, an `::error` annotation or a Markdown note (see
/// ``OutputOptions/publish(error:command:exit:)``).
///
/// Unless `--no-isolation`, the work runs in a worker process under the reader's limits (see
/// ``Isolation``): a crash, hang or exhausted limit while reading `files` is also exit code 2, and a
/// closed stdout ends heft quietly with 141. `body` opens files with the function it is given, so
/// the worker can name the object it was reading; with `readingDigests` (commands that check
/// every tensor's stored digest) the index reads them while it has each dataset open.
func runWithExitCode(_ command: String, _ reader: ReaderOptions, _ output: OutputOptions, files: [String], outputs: [String] = [],
                     readingDigests: Bool = false,
                     _ body: (_ open: (String) throws -> WeightFile) throws -> Int32) throws {
    Terminal.configure(output)
    func work(_ worker: Isolation.Worker) -> Int32 {
        Terminal.messageDescriptor = worker.messageDescriptor
        do {
            return try body { path in try reader.open(path, observer: worker.observer, readingDigests: readingDigests) }
        } catch {
            output.publish(error: error, command: command, exit: 2)
            return 2
        }
    }
    let outcome: Isolation.Outcome
    do {
        outcome = reader.noIsolation
            ? .finished(work(.inProcess))
            : try Isolation.run(files: files, outputs: outputs, limits: reader.isolationLimits, work)
    } catch {
        output.publish(error: error, command: command, exit: 2)
        throw ExitCode(2)
    }
    switch outcome {
    case .finished(0): return
    case .finished(let code): throw ExitCode(code)
    case .outputClosed: throw ExitCode(128 + SIGPIPE)
    }
}

/// `value` as one JSON document on one line: sorted keys, NaN and infinities as the strings "NaN",
/// "Infinity" and "-Infinity". Besides the C0 controls JSON escapes anyway, DEL, C1 controls, line
/// separators and bidirectional formatting characters (which a terminal may act on) are written as
/// `\uXXXX` escapes: the document means the same and shows safely.
func jsonText(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    let text = String(decoding: try encoder.encode(value), as: UTF8.self)
    guard SafeText.needsEscaping(text) else { return text }
    var safe = ""
    for scalar in text.unicodeScalars {
        // Outside strings a JSON document holds only ASCII punctuation, digits and letters: every
        // unsafe scalar here is inside a string, where `\uXXXX` stands for it.
        if SafeText.isUnsafe(scalar) { safe += String(format: "\\u%04X", scalar.value) } else { safe.unicodeScalars.append(scalar) }
    }
    return safe
}

/// How every subcommand reads files it did not write (see docs/hostile-files.md).
struct ReaderOptions: ParsableArguments {
    @Flag(help: "Read in this process instead of an isolated worker process (faster to debug; a crash inside the HDF5 library then takes heft down).")
    var noIsolation = false

    @Option(help: ArgumentHelp("Stop the worker after this many seconds of wall or CPU time (exit 2).", valueName: "seconds"))
    var timeout = 600

    @Option(help: ArgumentHelp("The worker's memory (address-space) limit; default half the physical memory, at least 4096.", valueName: "MiB"))
    var memoryLimit: Int?

    @Option(help: ArgumentHelp("Refuse tensors declaring more than this many bytes (exit 2).", valueName: "MiB"))
    var maxTensorSize = ReadLimits().maximumTensorBytes >> 20

    /// The accepted ranges: values outside them are usage errors (exit 64), never an overflow.
    static let timeoutRange = 1...(366 * 24 * 3600)
    static let memoryLimitRange = 64...(1 << 30)          // MiB: 64 MiB to 1 PiB
    static let tensorSizeRange = 1...(1 << 30)            // MiB

    func validate() throws {
        guard Self.timeoutRange.contains(timeout) else {
            throw ValidationError("--timeout must be between \(Self.timeoutRange.lowerBound) and \(Self.timeoutRange.upperBound) seconds, got \(timeout)")
        }
        if let memoryLimit, !Self.memoryLimitRange.contains(memoryLimit) {
            throw ValidationError("--memory-limit must be between \(Self.memoryLimitRange.lowerBound) and \(Self.memoryLimitRange.upperBound) MiB, got \(memoryLimit)")
        }
        guard Self.tensorSizeRange.contains(maxTensorSize) else {
            throw ValidationError("--max-tensor-size must be between \(Self.tensorSizeRange.lowerBound) and \(Self.tensorSizeRange.upperBound) MiB, got \(maxTensorSize)")
        }
    }

    var isolationLimits: Isolation.Limits {
        var limits = Isolation.Limits()
        limits.seconds = timeout
        if let memoryLimit { limits.memoryBytes = memoryLimit << 20 }
        return limits
    }

    /// Opens a weights file with the reader's limits, reporting to a worker's `observer`.
    func open(_ path: String, observer: ReadObserver?, readingDigests: Bool) throws -> WeightFile {
        var limits = ReadLimits()
        limits.maximumTensorBytes = maxTensorSize << 20
        return try WeightFile(path: path, options: OpenOptions(
            limits: limits, prefetch: readingDigests ? Prefetch(budget: 0, digests: true) : nil, observer: observer))
    }
}
