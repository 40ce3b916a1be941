import Foundation
import Testing
import TestSupport

/// The README as a new user meets it: short, its CLI tour runs as written from the repository
/// root, and its Package.swift snippet and Swift quickstart build and run in a new consumer
/// package (a path dependency named as the README says) without a warning from Heft's sources.
@Suite struct ReadmeTests {
    static let root = fixturesURL.deletingLastPathComponent()

    /// The fenced block that follows `<!-- test: NAME -->` in the README.
    static func block(_ name: String) throws -> String {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let marker = try #require(readme.range(of: "<!-- test: \(name) -->"), "README has no block '\(name)'")
        let rest = readme[marker.upperBound...]
        let open = try #require(rest.range(of: "```"))
        let body = rest[open.upperBound...].drop { $0 != "\n" }.dropFirst()
        let close = try #require(body.range(of: "\n```"))
        return String(body[..<close.lowerBound])
    }

    @Test func isAShortUserGuide() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.split(separator: "\n", omittingEmptySubsequences: false).count <= 300)
        #expect(readme.range(of: #"[Ii]ssue \d"#, options: .regularExpression) == nil, "the README cites an issue number")
        for link in ["docs/design.md", "docs/formats.md", "docs/cli.md", "docs/hostile-files.md", "docs/performance.md", "docs/tests.md",
                     "LICENSE", "CHANGELOG.md"] {
            #expect(readme.contains("(\(link))"), "no link to \(link)")
            #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(link).path), "\(link) is missing")
        }
    }

    @Test func cliTourRunsAsWritten() throws {
        let commands = try Self.block("cli-tour").split(separator: "\n").map(String.init).filter { $0.hasPrefix("heft ") }
        #expect(commands.count >= 5)
        let path = heftBinary.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        for command in commands {
            let run = try runProcess("/bin/sh", ["-c", command], environment: ["PATH": path], directory: Self.root.path)
            // diff exits 1 when the files differ: a documented outcome, not a failure of the tour.
            let allowed: Set<Int32> = command.hasPrefix("heft diff") ? [0, 1] : [0]
            #expect(allowed.contains(run.code), "\(command): exit \(run.code)\n\(run.stderr)")
        }
    }

    /// Builds a new package from the README's Package.swift snippet beside a folder named `heft`
    /// (this repository), with the README's quickstart as its main.swift, and runs it.
    @Test(.timeLimit(.minutes(20))) func consumerPackageBuildsFromTheSnippet() throws {
        try withTemporaryDirectory { (dir: String) throws in
            try FileManager.default.createSymbolicLink(atPath: "\(dir)/heft", withDestinationPath: Self.root.path)
            try FileManager.default.createDirectory(atPath: "\(dir)/MyTool/Sources/MyTool", withIntermediateDirectories: true)
            try Self.block("package-swift").write(toFile: "\(dir)/MyTool/Package.swift", atomically: true, encoding: .utf8)
            try Self.block("swift-quickstart").write(toFile: "\(dir)/MyTool/Sources/MyTool/main.swift", atomically: true, encoding: .utf8)
            let build = try Self.run(["swift", "build"], in: "\(dir)/MyTool")
            #expect(build.code == 0, "swift build failed:\n\(build.output.suffix(3000))")
            let warnings = build.output.split(separator: "\n").filter { $0.contains("warning:") && ($0.contains("/heft/") || $0.contains(Self.root.path)) }
            #expect(warnings.isEmpty, "Heft's sources warn in a consumer's build:\n\(warnings.joined(separator: "\n"))")
            guard build.code == 0 else { return }
            try FileManager.default.createDirectory(atPath: "\(dir)/run", withIntermediateDirectories: true)
            let run = try Self.run(["\(dir)/MyTool/.build/debug/MyTool"], in: "\(dir)/run")
            #expect(run.code == 0 && run.output.contains("[4, 3]") && run.output.hasSuffix("true\n"), "\(run.output)")
        }
    }

    static func run(_ arguments: [String], in directory: String) throws -> (code: Int32, output: String) {
        let result = try runProcess("/usr/bin/env", arguments, directory: directory, mergingErrors: true)
        return (result.code, result.stdout)
    }
}
