import Checkpoint
import Inspection
import Foundation

/// Terminal-aware output: colour as `--color` says (`auto`: when stdout is a terminal, NO_COLOR is
/// unset or empty and TERM is not `dumb`); a progress line on stderr for work that runs longer
/// than a second, only when stderr is a terminal, TERM is not `dumb` and stdout is not JSON or
/// silenced.
enum Terminal {
    /// Whether the text report is coloured. `nonisolated(unsafe)`: set once by ``configure(_:)`` as
    /// a subcommand starts, when the process has one thread; only read afterwards.
    nonisolated(unsafe) static var colourEnabled = false
    /// Whether progress lines may be shown (see ``Progress``); set with ``colourEnabled``.
    nonisolated(unsafe) static var progressAllowed = false
    /// Whether stdout and stderr are `mpirun`'s forwarding terminals, not the user's (set by
    /// ``ClusterRun/current(_:)`` before ``configure(_:)``): `auto` then means no colour and no
    /// progress, since where mpirun's own output goes is unknown here.
    nonisolated(unsafe) static var forwardedByMPIRun = false

    /// Applies a subcommand's output options.
    static func configure(_ output: OutputOptions) {
        let environment = ProcessInfo.processInfo.environment
        let dumb = environment["TERM"] == "dumb"
        colourEnabled = switch output.color {
        case .always: true
        case .never: false
        case .auto: !forwardedByMPIRun && isatty(STDOUT_FILENO) == 1 && (environment["NO_COLOR"] ?? "").isEmpty && !dumb
        }
        progressAllowed = !forwardedByMPIRun && !dumb && !output.quiet && output.resolved != .json
    }

    enum Colour: String {
        case red = "31", green = "32", yellow = "33", bold = "1", dim = "2"
    }

    /// `text` in `colour` when colour is enabled. `text` is shown safely (see ``shown(_:)``): the
    /// only escape sequences heft prints are its own colours.
    static func paint(_ text: String, _ colour: Colour) -> String {
        colourEnabled ? "\u{1B}[\(colour.rawValue)m\(shown(text))\u{1B}[0m" : shown(text)
    }

    /// Writes `line` to stderr (the parent's, in an isolated worker; see ``Isolation``), one line
    /// whatever names it carries.
    static func standardError(_ line: String) {
        writeMessage(SafeText.escaped(line, limit: 16 * SafeText.maximumShown) + "\n")
    }

    static func writeMessage(_ text: String) {
        FileHandle(fileDescriptor: messageDescriptor, closeOnDealloc: false).write(Data(text.utf8))
    }

    /// Where heft's own messages go: stderr, or in an isolated worker the parent's stderr (the
    /// worker's descriptor 2 carries what libraries print; see ``Isolation/Worker``).
    ///
    /// `nonisolated(unsafe)`: set once, by ``runWithExitCode(_:files:outputs:_:)`` as the work
    /// starts, when the process has one thread; only read afterwards.
    nonisolated(unsafe) static var messageDescriptor: Int32 = STDERR_FILENO
}

/// A progress line on stderr (`heft diff: 45% (460 MB of 1.0 GB)`), shown only when stderr is a
/// terminal and the work has run for more than a second; erased when done.
final class Progress {
    private let label: String
    private let start = ContinuousClock.now
    private let enabled = Terminal.progressAllowed && isatty(Terminal.messageDescriptor) == 1
    private var shown = false

    init(_ label: String) { self.label = label }

    /// How long work runs before a progress line appears: one second, or `HEFT_PROGRESS_DELAY`
    /// seconds (the tests set 0 to see it on small files).
    private let delay = Duration.milliseconds(Int(1000 * (Double(ProcessInfo.processInfo.environment["HEFT_PROGRESS_DELAY"] ?? "") ?? 1)))

    func update(_ done: Int, _ total: Int) {
        guard enabled, ContinuousClock.now - start >= delay, total > 0 else { return }
        shown = true
        let percent = Int(Double(done) / Double(total) * 100)
        Terminal.writeMessage("\r\u{1B}[K\(label): \(percent)% (\(byteText(done)) of \(byteText(total)))")
    }

    func finish() {
        if shown { Terminal.writeMessage("\r\u{1B}[K") }
    }
}

/// Text from a file or the command line (a name, a path, an attribute) as it may be printed: control,
/// line-separator and bidirectional characters escaped (`\u{1B}`), so no file can move the cursor,
/// recolour or forge a line; cut after ``SafeText/maximumShown`` characters.
func shown(_ text: String) -> String {
    SafeText.escaped(text)
}

/// `20.0 KiB`, `1.5 GiB` (1024-based).
func byteText(_ bytes: Int) -> String {
    var value = Double(bytes)
    for unit in ["B", "KiB", "MiB", "GiB", "TiB"] {
        if value < 1024 || unit == "TiB" { return unit == "B" ? "\(bytes) B" : String(format: "%.1f", value) + " " + unit }
        value /= 1024
    }
    return "\(bytes) B"
}

/// `7,946`.
func countText(_ count: Int) -> String {
    let digits = String(count)
    var result = ""
    for (index, character) in digits.reversed().enumerated() {
        if index > 0 && index % 3 == 0 { result.append(",") }
        result.append(character)
    }
    return String(result.reversed())
}

/// Rows padded to aligned columns (two spaces apart).
func aligned(_ rows: [[String]], indent: String = "") -> [String] {
    let widths = (0..<(rows.map(\.count).max() ?? 0)).map { column in
        rows.map { column < $0.count ? visibleWidth($0[column]) : 0 }.max() ?? 0
    }
    return rows.map { row in
        indent + row.enumerated().map { column, cell in
            column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - visibleWidth(cell))
        }.joined(separator: "  ")
    }
}

/// The printed width of a cell, not counting colour escapes.
private func visibleWidth(_ text: String) -> Int {
    var width = 0, inEscape = false
    for scalar in text.unicodeScalars {
        if scalar == "\u{1B}" { inEscape = true } else if inEscape { if scalar == "m" { inEscape = false } } else { width += 1 }
    }
    return width
}
