import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// One output contract for every subcommand, as a CI script and a terminal user meet it: JSON
/// documents for errors too, annotations, side files, quiet mode, colour and progress rules,
/// usage conventions, number formatting, and `dump --textconv` through a real `git diff`.
@Suite struct OutputContractTests {
    static let weights = fixturesURL.appendingPathComponent("world/keras3_conv2d.weights.h5").path
    static let model = fixturesURL.appendingPathComponent("containers/keras3_conv2d.keras").path

    /// Two one-layer files whose kernels differ by known float32 values (b's bias all zero).
    func pair(in dir: String) throws -> (a: String, b: String) {
        let model = try withNamingSession { try Sequential([Dense(2, inputShape: [2], name: "dense")], name: "m") }
        try model.setWeights([Tensor(shape: [2, 2], scalars: [0.29093075, 1, 2, 3]), Tensor(shape: [2], scalars: [0, 0])])
        try model.saveWeights(to: "\(dir)/a.weights.h5")
        try model.setWeights([Tensor(shape: [2, 2], scalars: [0, 1, 2, 3]), Tensor(shape: [2], scalars: [0, 0.5])])
        try model.saveWeights(to: "\(dir)/b.weights.h5")
        return ("\(dir)/a.weights.h5", "\(dir)/b.weights.h5")
    }

    @Test func everyErrorUnderJSONIsOneDocument() throws {
        let missing = "/nonexistent/m.weights.h5"
        for arguments in [["dump", missing], ["diff", missing, Self.weights], ["verify", missing], ["convert", missing, "/tmp/never.h5"],
                          ["run", missing, "--input", "/nonexistent/x.npy"]] {
            for flags in [["--json"], ["--format", "json"]] {
                let run = try heft(arguments + flags)
                #expect(run.code == 2, "\(arguments): exit \(run.code)")
                let document = try run.json()
                let error = try #require(document["error"] as? [String: Any], "\(arguments): \(run.stdout)")
                #expect(document["schema"] as? Int == 1 && document["exit"] as? Int == 2)
                #expect(error["file"] as? String == missing && (error["message"] as? String)?.isEmpty == false, "\(document)")
                #expect(run.stderr.hasPrefix("heft: error: \(missing): "))
            }
        }
        let usage = try heft("diff", "--json", "--atol", "-1", Self.weights, Self.weights)
        let usageExit = try usage.json()["exit"] as? Int
        #expect(usage.code == 64 && usageExit == 64 && usage.stderr.hasPrefix("heft: error: "))
    }

    @Test func annotationsForFindingsAndUnreadableFiles() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let (a, b) = try pair(in: dir)
            let diff = try heft("diff", a, b, "--format", "github")
            #expect(diff.code == 1 && diff.lines.contains { $0.hasPrefix("::error file=\(b),title=heft diff%3A changed::dense/kernel") })
            let unreadable = try heft("verify", "\(dir)/none.h5", "--format", "github")
            #expect(unreadable.code == 2 && unreadable.stdout.hasPrefix("::error file=\(dir)/none.h5,title=heft verify%3A error::"))
            let tie = try heft("verify", a, "--tie", "dense/kernel,dense/bias", "--format", "github")
            #expect(tie.code == 1 && tie.lines.contains { $0.hasPrefix("::error file=\(a),title=heft verify%3A failed::") }, "\(tie.stdout)")
            let conflict = try heft("diff", a, b, "--format", "github", "--json")
            let conflictExit = try conflict.json()["exit"] as? Int   // --json asked for a document: the usage error is one
            #expect(conflict.code == 64 && conflictExit == 64 && conflict.stderr.hasPrefix("heft: error: --json and --format github"))
        }
    }

    @Test func oneRunGivesAnnotationsJSONAndSummary() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let (a, b) = try pair(in: dir)
            try "earlier step\n".write(toFile: "\(dir)/summary.md", atomically: true, encoding: .utf8)
            let run = try heft("diff", a, b, "--format", "github", "--json-out", "\(dir)/d.json", "--summary-out", "\(dir)/summary.md")
            #expect(run.code == 1 && run.stdout.contains("::error "))
            let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/d.json"))) as? [String: Any])
            #expect(document["equal"] as? Bool == false && document["schema"] as? Int == 1)
            let summary = try String(contentsOfFile: "\(dir)/summary.md", encoding: .utf8)
            #expect(summary.hasPrefix("earlier step\n### heft diff: different") && summary.contains("| `dense/kernel` | changed |"), "\(summary)")
            let markdown = try heft("verify", a, "--format", "markdown")
            #expect(markdown.code == 0 && markdown.stdout.hasPrefix("### heft verify: verified") && markdown.stdout.contains("| check | result |"))
        }
    }

    @Test func quietStatAndNameOnly() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let (a, b) = try pair(in: dir)
            let quiet = try heft("diff", "-q", a, b)
            #expect(quiet.code == 1 && quiet.stdout.isEmpty && quiet.stderr.isEmpty)
            #expect(try heft("diff", "--quiet", a, a).code == 0)
            let names = try heft("diff", a, b, "--name-only")
            #expect(names.lines == ["dense/bias", "dense/kernel"] || names.lines == ["dense/kernel", "dense/bias"], "\(names.stdout)")
            let stat = try heft("diff", a, b, "--stat", "--color", "never")
            #expect(stat.lines.contains { $0.contains("differs  dense  2 of 2 tensors differ, max |Δ| 0.5") }, "\(stat.stdout)")
            #expect(try heft("diff", a, b, "--stat", "--json").code == 64)
        }
    }

    /// float32 figures in their shortest float32 form; the relative difference of an all-zero
    /// reference is undefined; tolerances in one style.
    @Test func numbersAsNumpyPrintsThem() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let (a, b) = try pair(in: dir)
            let run = try heft("diff", a, b, "--atol", "1e-6", "--color", "never")
            #expect(run.stdout.contains("atol 1e-06, rtol 0"), "\(run.stdout)")
            #expect(run.stdout.contains("max |Δ| 0.29093075 at [0, 0]"), "\(run.stdout)")
            let bias = try #require(run.lines.first { $0.contains("dense/bias") })
            #expect(bias.contains("max rel 1.0"), "\(bias)")
            let reversed = try heft("diff", b, a, "--color", "never")
            let zeroReference = try #require(reversed.lines.first { $0.contains("dense/bias") })
            #expect(zeroReference.contains("max rel n/a"), "\(zeroReference)")
        }
    }

    /// Runs `command` under a pseudo-terminal (`script`), returning what the terminal showed.
    func terminal(_ command: String, environment: [String: String]) throws -> String {
        try runProcess("/usr/bin/script", ["-qec", command, "/dev/null"], environment: environment).stdout
    }

    @Test func colourAndProgressFollowTheTerminal() throws {
        let binary = heftBinary.path
        let escape = "\u{1B}["
        // NO_COLOR empty counts as unset (no-color.org), whatever the test runner's environment holds.
        #expect(try terminal("\(binary) dump \(Self.weights)", environment: ["TERM": "xterm", "NO_COLOR": ""]).contains(escape))
        #expect(!(try terminal("\(binary) dump \(Self.weights)", environment: ["TERM": "xterm", "NO_COLOR": "1"]).contains(escape)))
        #expect(!(try terminal("\(binary) dump \(Self.weights)", environment: ["TERM": "dumb", "NO_COLOR": ""]).contains(escape)))
        #expect(!(try terminal("\(binary) dump \(Self.weights) --color never", environment: ["TERM": "xterm", "NO_COLOR": ""]).contains(escape)))
        #expect(try heft("dump", Self.weights, "--color", "always").stdout.contains(escape))
        #expect(!(try heft("dump", Self.weights).stdout.contains(escape)), "colour in a pipe")
        try withTemporaryDirectory { (dir: String) throws in
            let progress = ["TERM": "xterm", "NO_COLOR": "", "HEFT_PROGRESS_DELAY": "0"]
            let shown = try terminal("\(binary) convert \(Self.weights) \(dir)/a.h5", environment: progress)
            #expect(shown.contains("heft convert: "), "no progress on a terminal: \(shown)")
            let json = try terminal("\(binary) convert \(Self.weights) \(dir)/b.h5 --json", environment: progress)
            #expect(!json.contains("heft convert: "), "progress with --json")
            let piped = try terminal("\(binary) convert \(Self.weights) \(dir)/c.h5 2>&1 | cat", environment: progress)
            #expect(!piped.contains("heft convert: "), "progress in a pipe")
        }
    }

    @Test func conventions() throws {
        let bare = try heft([])
        #expect(bare.code == 64 && bare.stdout.isEmpty && bare.stderr.contains("USAGE: heft"))
        let version = try heft("-V")
        #expect(version.code == 0 && version.stdout == "\(heftVersion)\n")
        let usage = try heft("dump")
        #expect(usage.code == 64 && usage.stderr.hasPrefix("heft: error: ") && usage.stderr.contains("heft dump --help"))
        for subcommand in ["dump", "diff", "verify", "convert", "run"] {
            let help = try heft(subcommand, "--help")
            #expect(help.code == 0 && help.stdout.contains("Examples:\n  heft \(subcommand) "), "\(subcommand) --help has no examples")
        }
        let written = try heft("dump", Self.model, "--color", "never")
        #expect(written.code == 0)
        try withTemporaryDirectory { (dir: String) throws in
            let (a, _) = try pair(in: dir)
            #expect(try heft("dump", a, "--color", "never").lines.first?.contains("written by heft \(heftVersion)") == true)
        }
    }

    /// The README's git recipe on a temporary repository: `git diff` of a committed checkpoint shows
    /// the tensor that changed, and nothing else.
    @Test func textconvThroughGitDiff() throws {
        try withTemporaryDirectory { (dir: String) throws in
            func git(_ arguments: String...) throws -> String {
                let run = try runProcess("/usr/bin/git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"] + arguments)
                try #require(run.code == 0, "git \(arguments) failed: \(run.stderr)")
                return run.stdout
            }
            _ = try git("init", "-q")
            try "*.weights.h5 diff=heft\n".write(toFile: "\(dir)/.gitattributes", atomically: true, encoding: .utf8)
            _ = try git("config", "diff.heft.textconv", "\(heftBinary.path) dump --textconv")
            let model = try withNamingSession { try Sequential([Dense(3, inputShape: [2]), Dense(2)], name: "m") }
            try model.saveWeights(to: "\(dir)/m.weights.h5")
            _ = try git("add", ".")
            _ = try git("commit", "-qm", "first")
            var values = model.getWeights()
            values[3] = Tensor(shape: values[3].shape, scalars: values[3].scalars.map { $0 + 1 })
            try model.setWeights(values)
            try model.saveWeights(to: "\(dir)/m.weights.h5")
            let diff = try git("diff")
            let changed = diff.split(separator: "\n").filter { ($0.hasPrefix("+") || $0.hasPrefix("-")) && !$0.hasPrefix("+++") && !$0.hasPrefix("---") }
            #expect(changed.count == 2 && changed.allSatisfy { $0.contains("dense_1/bias") }, "\(diff)")
            #expect(!diff.contains(dir), "textconv printed a path")
        }
    }
}
