import Foundation
import Testing
import TestSupport

/// Files that crash Debian's libhdf5 1.10.8 itself (the HDF Group's CVE reproducers, in
/// fixtures/hostile/libhdf5-crashes): every subcommand contains the crash in its worker process
/// and ends with exit code 2 and one line naming the file.
@Suite struct ContainedCrashTests {
    static let files = ["cve-2018-13867.h5", "cve-2018-13871.h5", "cve-2024-32609.h5", "gh-4434-poc-09.h5"]
        .map { fixturesURL.appendingPathComponent("hostile/libhdf5-crashes/\($0)").path }

    /// Runs `heft` with a 60 s kill timer (a hang must fail the test, not stall it).
    func run(_ arguments: [String], in directory: String) throws -> BoundedRun {
        try BoundedProcess.run(heftBinary.path, arguments, timeout: 60, scratch: "\(directory)/run")
    }

    @Test(arguments: files)
    func everySubcommandContainsTheCrash(_ file: String) throws {
        try withTemporaryDirectory { (dir: String) throws in
            try withTemporaryDirectory { (scratch: String) throws in
                for arguments in [["dump", file], ["dump", "--stats", file], ["verify", file], ["diff", file, file],
                                  ["convert", file, "\(dir)/out.weights.h5"]] {
                    let run = try run(arguments + ["--timeout", "20"], in: scratch)
                    #expect(run.ending == .exited(2), "heft \(arguments.joined(separator: " "))")
                    let lines = run.stderr.split(separator: "\n")
                    #expect(lines.count == 1, "heft \(arguments.joined(separator: " ")): \(run.stderr)")
                    #expect(run.stderr.hasPrefix("heft: error: \(file): the reader crashed (SIG"), "\(run.stderr)")
                }
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        }
    }

    /// Without isolation the same files take the process down: what the worker contains is real.
    @Test func withoutIsolationTheLibraryCrashesTheProcess() throws {
        try withTemporaryDirectory { (scratch: String) throws in
            for file in Self.files {
                let ending = try run(["dump", "--no-isolation", file], in: scratch).ending
                guard case .signalled = ending else {
                    Issue.record("\(file) no longer crashes libhdf5 (\(ending)): update the README")
                    continue
                }
            }
        }
    }
}
