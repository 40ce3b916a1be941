import Foundation
import Testing
import TestSupport

/// Files that crash Debian's libhdf5 1.10.8 itself (the HDF Group's CVE reproducers, in
/// fixtures/hostile/libhdf5-crashes): every subcommand contains the crash in its worker process
/// and ends with exit code 2 and one line naming the file.
@Suite struct ContainedCrashTests {
    static let files = ["cve-2018-13867.h5", "cve-2018-13871.h5", "cve-2024-32609.h5", "gh-4434-poc-09.h5"]
        .map { fixturesURL.appendingPathComponent("hostile/libhdf5-crashes/\($0)").path }

    /// How a process ended.
    struct Ending {
        let signal: Int32?
        let code: Int32
        let stderr: String
    }

    func run(_ arguments: [String]) throws -> Ending {
        let process = Process()
        process.executableURL = heftBinary
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let signalled = process.terminationReason == .uncaughtSignal
        return Ending(signal: signalled ? process.terminationStatus : nil, code: signalled ? -1 : process.terminationStatus, stderr: text)
    }

    @Test(arguments: files)
    func everySubcommandContainsTheCrash(_ file: String) throws {
        try withTemporaryDirectory { (dir: String) throws in
            for arguments in [["dump", file], ["dump", "--stats", file], ["verify", file], ["diff", file, file],
                              ["convert", file, "\(dir)/out.weights.h5"]] {
                let ending = try run(arguments + ["--timeout", "20"])
                #expect(ending.signal == nil && ending.code == 2, "heft \(arguments.joined(separator: " "))")
                let lines = ending.stderr.split(separator: "\n")
                #expect(lines.count == 1, "heft \(arguments.joined(separator: " ")): \(ending.stderr)")
                #expect(ending.stderr.hasPrefix("heft: error: \(file): the reader crashed (SIG"), "\(ending.stderr)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        }
    }

    /// Without isolation the same files take the process down: what the worker contains is real.
    @Test func withoutIsolationTheLibraryCrashesTheProcess() throws {
        for file in Self.files {
            #expect(try run(["dump", "--no-isolation", file]).signal != nil, "\(file) no longer crashes libhdf5: update the README")
        }
    }
}
