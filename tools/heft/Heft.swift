import ArgumentParser
import Checkpoint
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The `heft` command: dump, diff, verify, convert and run Keras weights and model files.
@main
struct Heft: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heft",
        abstract: "Dump, diff, verify, convert and run Keras weights and model files.",
        discussion: """
            Every subcommand reads both Keras layouts (the legacy tf-keras .h5, full-model files \
            included, and the Keras 3 .weights.h5), .keras archives, sharded .weights.json sets and \
            safetensors, and says which one it found. --format json (or --json) prints one JSON \
            document (with a "schema" version) on stdout, errors included; --format github prints \
            GitHub Actions annotations; --format markdown a summary table; --json-out FILE and \
            --summary-out FILE write those beside any format.

            Exit codes: 0 success, equal or verified; 1 differences found or verification failed; \
            2 a file could not be read or is not a weights file; 64 usage error.

            Examples:
              heft dump model.weights.h5
              heft diff base.weights.h5 new.weights.h5 --atol 1e-6
              heft verify model.h5 --tie encoder,decoder
              heft convert model.h5 model.weights.h5
              heft run model.keras --input x.npy --output y.npy
            """,
        version: heftVersion,
        subcommands: [Dump.self, Diff.self, Verify.self, Convert.self, Run.self])

    /// Before any subcommand: a file-size limit (`ulimit -f`) makes writes fail with EFBIG, which
    /// heft reports and cleans up after, instead of SIGXFSZ killing it mid-write. Usage errors get
    /// heft's one error prefix (and, under `--json`, a JSON document); bare `heft` is a usage error.
    static func main() {
        signal(SIGXFSZ, SIG_IGN)
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["-V"] { arguments = ["--version"] }
        guard !arguments.isEmpty else {
            FileHandle.standardError.write(Data((helpMessage() + "\n").utf8))
            Foundation.exit(64)
        }
        do {
            var command = try parseAsRoot(arguments)
            // Under mpirun, verify, dump, diff and convert split their work (see ClusterRun); run goes to rank 0 alone.
            if !(command is Verify || command is Dump || command is Diff || command is Convert), let cluster = try ClusterRun.current(timeout: .seconds(24 * 3600)) {
                try cluster.runOnRankZero { try command.run() }
            } else {
                try command.run()
            }
        } catch {
            exit(arguments: arguments, error: error)
        }
    }

    /// Ends as ArgumentParser would, except that a usage error says `heft: error: …` (with the
    /// subcommand's usage line after it) and, when the arguments ask for JSON, also prints the JSON
    /// error document on stdout.
    private static func exit(arguments: [String], error: any Error) -> Never {
        let code = exitCode(for: error)
        guard code.rawValue == 64 else { Self.exit(withError: error) }
        let message = Self.message(for: error)
        FileHandle.standardError.write(Data("heft: error: \(message)\nRun 'heft \(arguments.first.map { $0.hasPrefix("-") ? "" : $0 + " " } ?? "")--help' for usage.\n".utf8))
        if arguments.contains("--json") || zip(arguments, arguments.dropFirst()).contains(where: { $0 == "--format" && $1 == "json" })
            || arguments.contains("--format=json") {
            if let text = try? jsonText(ErrorDocument(file: nil, message: message, exit: 64)) { print(text) }   // strings and ints always encode
        }
        Foundation.exit(64)
    }
}

