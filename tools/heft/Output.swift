import ArgumentParser
import Checkpoint
import Foundation

/// How a subcommand shows its result (`--format`).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    /// The human report.
    case text
    /// One JSON document on stdout (errors included).
    case json
    /// GitHub Actions workflow commands (`::error …`) for each finding, then the text report.
    case github
    /// A Markdown summary (a table), for `$GITHUB_STEP_SUMMARY` or a pull-request comment.
    case markdown
}

/// When to colour the text report (`--color`).
enum ColourMode: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}

/// Output options every subcommand shares: one contract for text, JSON, annotations and
/// summaries, errors included (see the README, "Output and exit codes", and docs/cli.md).
struct OutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("text, json, github (GitHub Actions annotations, then the text report) or markdown "
                               + "(a summary table).", valueName: "format"))
    var format: OutputFormat?

    @Flag(help: "Same as --format json: one JSON document on stdout, errors included.")
    var json = false

    @Option(help: ArgumentHelp("Also write the JSON document to this file (whatever --format prints).", valueName: "file"))
    var jsonOut: String?

    @Option(help: ArgumentHelp("Also append the Markdown summary to this file, e.g. \"$GITHUB_STEP_SUMMARY\".", valueName: "file"))
    var summaryOut: String?

    @Flag(name: [.short, .long], help: "Print nothing on stdout: the exit status tells (errors still go to stderr).")
    var quiet = false

    @Option(help: ArgumentHelp("Colour the text report: auto (a terminal without NO_COLOR or TERM=dumb), always or never.",
                               valueName: "when"))
    var color: ColourMode = .auto

    func validate() throws {
        if json, let format, format != .json {
            throw ValidationError("--json and --format \(format.rawValue) ask for two formats; give one")
        }
        if quiet && (json || format != nil) {
            throw ValidationError("--quiet prints nothing, so --json and --format have no effect with it; use --json-out FILE for a document")
        }
    }

    /// The format stdout gets.
    var resolved: OutputFormat { json ? .json : format ?? .text }
}

/// What a subcommand reports, in every format.
protocol CommandReport {
    associatedtype Document: Encodable
    /// The JSON document (schema ``jsonSchemaVersion``).
    var document: Document { get }
    /// The text report, line by line.
    func textLines() -> [String]
    /// One GitHub annotation per finding.
    func annotations() -> [Annotation]
    /// The Markdown summary.
    func markdown() -> String
}

/// A GitHub Actions workflow command: `::error file=…,title=…::message`.
struct Annotation {
    enum Level: String { case error, warning, notice }
    let level: Level
    let file: String
    let title: String
    let message: String

    /// The command line, escaped as GitHub's workflow commands require.
    var command: String {
        "::\(level.rawValue) file=\(Self.escape(shown(file), property: true)),title=\(Self.escape(title, property: true))::"
            + Self.escape(shown(message), property: false)
    }

    private static func escape(_ text: String, property: Bool) -> String {
        var escaped = text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
        if property { escaped = escaped.replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C") }
        return escaped
    }
}

extension OutputOptions {
    /// Shows `report` as asked: on stdout in the chosen format (nothing with `--quiet`), and in the
    /// `--json-out` and `--summary-out` files.
    ///
    /// - Throws: ``CheckpointError`` when a side file cannot be written.
    func publish(_ report: some CommandReport) throws {
        if let jsonOut { try write(jsonText(report.document), to: jsonOut, appending: false) }
        if let summaryOut { try write(report.markdown() + "\n", to: summaryOut, appending: true) }
        guard !quiet else { return }
        switch resolved {
        case .json: print(try jsonText(report.document))
        case .text: report.textLines().forEach { print($0) }
        case .github:
            report.annotations().forEach { print($0.command) }
            report.textLines().forEach { print($0) }
        case .markdown: print(report.markdown())
        }
    }

    /// Shows an error that ended `command` with exit code `exit`: on stderr always (`heft: error:
    /// …`), and in the chosen format on stdout — one JSON document, an `::error` annotation, or a
    /// Markdown note — and in the side files, so a pipeline parsing stdout never meets an empty
    /// document.
    func publish(error: any Error, command: String, exit: Int32) {
        Terminal.standardError("heft: error: \(error)")
        let document = ErrorDocument(error: error, exit: exit)
        let markdown = "**heft \(command): error** (exit \(exit)): `\(shown(document.error.file ?? ""))`: \(shown(document.error.message))"
        do {
            if let jsonOut { try write(try jsonText(document), to: jsonOut, appending: false) }
            if let summaryOut { try write(markdown + "\n", to: summaryOut, appending: true) }
        } catch {
            Terminal.standardError("heft: error: \(error)")
        }
        guard !quiet else { return }
        switch resolved {
        case .text: break
        case .json: if let text = try? jsonText(document) { print(text) }   // encoding strings and ints cannot fail
        case .github:
            print(Annotation(level: .error, file: document.error.file ?? "", title: "heft \(command): error", message: document.error.message).command)
        case .markdown: print(markdown)
        }
    }

    private func write(_ text: String, to path: String, appending: Bool) throws {
        do {
            if appending, FileManager.default.fileExists(atPath: path) {
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                defer { try? handle.close() }   // the write below either succeeded or threw
                try handle.seekToEnd()
                try handle.write(contentsOf: Data(text.utf8))
            } else {
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            }
        } catch {
            throw CheckpointError(file: path, .io("cannot write: \(error.localizedDescription)"))
        }
    }
}

/// Text for a Markdown table cell or code span: shown safely (see ``shown(_:)``), with the
/// characters that would end the cell or span (`|`, a backtick) replaced.
func markdownCell(_ text: String) -> String {
    shown(text).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "`", with: "'")
}

/// The JSON document of a failed run (schema 1): `{"schema": 1, "error": {"file": …, "message":
/// …}, "exit": 2}`.
struct ErrorDocument: Encodable {
    struct Detail: Encodable {
        let file: String?
        let message: String
    }

    let schema = jsonSchemaVersion
    let error: Detail
    let exit: Int32

    init(error: any Error, exit: Int32) {
        if let checkpoint = error as? CheckpointError {
            self.error = Detail(file: checkpoint.file, message: checkpoint.message)
        } else {
            self.error = Detail(file: nil, message: "\(error)")
        }
        self.exit = exit
    }

    init(file: String?, message: String, exit: Int32) {
        (self.error, self.exit) = (Detail(file: file, message: message), exit)
    }
}
