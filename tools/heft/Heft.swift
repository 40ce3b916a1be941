import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// The `heft` command: dump, diff, verify and convert Keras weights files.
@main
struct Heft: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heft",
        abstract: "Dump, diff, verify, convert and run Keras weights and model files.",
        discussion: """
            Every subcommand reads both Keras layouts (the legacy tf-keras .h5, full-model files \
            included, and the Keras 3 .weights.h5) and says which one it found. --json prints one \
            JSON document (with a "schema" version) on stdout.

            Exit codes: 0 success, equal or verified; 1 differences found or verification failed; \
            2 a file could not be read or is not a weights file; 64 usage error.
            """,
        version: "0.1.0",
        subcommands: [Dump.self, Diff.self, Verify.self, Convert.self, Run.self])

    /// Before any subcommand: a file-size limit (`ulimit -f`) makes writes fail with EFBIG, which
    /// heft reports and cleans up after, instead of SIGXFSZ killing it mid-write.
    static func main() {
        signal(SIGXFSZ, SIG_IGN)
        Self.main(nil)
    }
}
