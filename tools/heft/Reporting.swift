import ArgumentParser
import Checkpoint
import Foundation

/// The version of the JSON documents `heft` prints; bumped on any incompatible change.
let jsonSchemaVersion = 1

/// Runs a subcommand's work and maps its outcome to the exit-code contract: `body` returns 0 or 1;
/// a ``CheckpointError`` becomes `heft: error: <file>: <reason>` on stderr and exit code 2.
///
/// Unless `--no-isolation`, the work runs in a worker process under the reader's limits (see
/// ``Isolation``): a crash, hang or exhausted limit while reading `files` is also exit code 2.
func runWithExitCode(_ reader: ReaderOptions, files: [String], _ body: () throws -> Int32) throws {
    func work() -> Int32 {
        do {
            return try body()
        } catch {
            Terminal.standardError("heft: error: \(error)")
            return 2
        }
    }
    let code: Int32
    do {
        code = reader.noIsolation ? work() : try Isolation.run(files: files, limits: reader.isolationLimits, work)
    } catch {
        Terminal.standardError("heft: error: \(error)")
        throw ExitCode(2)
    }
    if code != 0 { throw ExitCode(code) }
}

/// Prints `value` as one JSON document on one line: sorted keys, NaN and infinities as the strings "NaN",
/// "Infinity" and "-Infinity".
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Output options every subcommand shares.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON document on stdout instead of text.")
    var json = false
}

/// How every subcommand reads files it did not write (see the README, "Hostile files").
struct ReaderOptions: ParsableArguments {
    @Flag(help: "Read in this process instead of an isolated worker process (faster to debug; a crash inside the HDF5 library then takes heft down).")
    var noIsolation = false

    @Option(help: ArgumentHelp("Stop the worker after this many seconds of wall or CPU time (exit 2).", valueName: "seconds"))
    var timeout = 600

    @Option(help: ArgumentHelp("The worker's memory (address-space) limit; default half the physical memory, at least 4096.", valueName: "MiB"))
    var memoryLimit: Int?

    @Option(help: ArgumentHelp("Refuse tensors declaring more than this many bytes (exit 2).", valueName: "MiB"))
    var maxTensorSize = ReadLimits().maximumTensorBytes >> 20

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard (memoryLimit ?? 1) > 0, maxTensorSize > 0 else { throw ValidationError("sizes must be positive") }
    }

    var isolationLimits: Isolation.Limits {
        var limits = Isolation.Limits()
        limits.seconds = timeout
        if let memoryLimit { limits.memoryBytes = memoryLimit << 20 }
        return limits
    }

    /// Opens a weights file with the reader's limits.
    func open(_ path: String) throws -> WeightFile {
        var limits = ReadLimits()
        limits.maximumTensorBytes = maxTensorSize << 20
        return try WeightFile(path: path, limits: limits)
    }
}
