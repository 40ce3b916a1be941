import ArgumentParser
import Checkpoint
import Foundation

/// The version of the JSON documents `heft` prints; bumped on any incompatible change.
let jsonSchemaVersion = 1

/// Runs a subcommand's work and maps its outcome to the exit-code contract: `body` returns 0 or 1;
/// a ``CheckpointError`` becomes `heft: error: <file>: <reason>` on stderr and exit code 2.
func runWithExitCode(_ body: () throws -> Int32) throws {
    let code: Int32
    do {
        code = try body()
    } catch let error as CheckpointError {
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
