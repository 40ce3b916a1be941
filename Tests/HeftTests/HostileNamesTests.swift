import Foundation
import HDF5
import Testing
import TestSupport
@testable import Checkpoint

/// Names from a file (layers, weights) and the file's own path never reach a terminal, a log or an
/// annotation raw: every command's output, on a pseudo-terminal, holds no control character but
/// heft's own colours and line ends, no C1 control, no bidirectional override, and no forged line.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs util-linux script"))
struct HostileNamesTests {
    /// What a hostile name tries: a window-title change, clearing the screen, a bell, a carriage
    /// return that overwrites the line, DEL, a C1 CSI, a bidirectional override, and a newline
    /// that forges an error line.
    static let evil = "a\u{1B}]0;pwned\u{07}b\u{1B}[2Jc\u{07}d\re\u{7F}f\u{9B}31mg\u{202E}h\nheft: error: forged line"

    /// A legacy weights file whose layer and weight names are `evil`, at a path holding ESC.
    func makeFile(in dir: String) throws -> String {
        let path = "\(dir)/evil\u{1B}[31m.h5"
        do {   // closed (and unlocked) before heft opens it
            let root = try HDF5.File.create(path, overwrite: true).root
            try root.writeStrings("layer_names", [Self.evil], storage: .variableLength(.utf8))
            let layer = try root.createGroup(Self.evil)
            try layer.writeStrings("weight_names", ["\(Self.evil)/k\u{1B}[5m:0"], storage: .variableLength(.utf8))
            try layer.createDataset("\(Self.evil)/k\u{1B}[5m:0", type: .float32, shape: [2]).write([1, 2] as [Float])
        }
        return path
    }

    func onTerminal(_ arguments: [String]) throws -> String {
        let command = ([heftBinary.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return try runProcess("/usr/bin/script", ["-qec", command, "/dev/null"], environment: ["TERM": "xterm", "NO_COLOR": ""]).stdout
    }

    /// The text a terminal would act on, after heft's own colours (`ESC [ n m`) and the terminal's
    /// line ends (`\r\n`) are taken out.
    func actingCharacters(_ text: String) -> [Unicode.Scalar] {
        let plain = text.replacing(/\u{1B}\[[0-9;]*m/, with: "").replacingOccurrences(of: "\r\n", with: "\n")
        return plain.unicodeScalars.filter { $0 != "\n" && SafeText.isUnsafe($0) }
    }

    @Test func noCommandPrintsAHostileNameRaw() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let file = try makeFile(in: dir)
            let layer = Self.evil
            let commands: [[String]] = [
                ["dump", file], ["dump", "--stats", "--hash", file], ["dump", "--values", file], ["dump", "--json", file],
                ["diff", "--show-same", file, file], ["diff", "--format", "github", file, "\(dir)/missing.h5"],
                ["verify", "--tie", "\(layer),\(layer)", file], ["verify", "--auto", file], ["verify", "--json", file],
                ["convert", file, "\(dir)/out\u{1B}[1m.h5"], ["dump", "\(dir)/missing\u{1B}]0;x\u{07}.h5"],
            ]
            for command in commands {
                let output = try onTerminal(command)
                let acting = actingCharacters(output)
                #expect(acting.isEmpty, "heft \(command.first!): \(acting.map { String(format: "U+%04X", $0.value) })")
                let forged = output.components(separatedBy: "\r\n").filter { $0.hasPrefix("heft: error: forged") }
                #expect(forged.isEmpty, "heft \(command.first!) printed a forged line")
            }
        }
    }

    @Test func githubAnnotationsEncodeEscapes() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let file = try makeFile(in: dir)
            let other = "\(dir)/other.h5"
            do {
                let root = try HDF5.File.create(other, overwrite: true).root
                try root.writeStrings("layer_names", [Self.evil], storage: .variableLength(.utf8))
                let layer = try root.createGroup(Self.evil)
                try layer.writeStrings("weight_names", ["\(Self.evil)/k\u{1B}[5m:0"], storage: .variableLength(.utf8))
                try layer.createDataset("\(Self.evil)/k\u{1B}[5m:0", type: .float32, shape: [2]).write([1, 3] as [Float])
            }
            let run = try heft("diff", "--format", "github", file, other)
            #expect(run.code == 1)
            let annotation = try #require(run.lines.first { $0.hasPrefix("::error ") })
            #expect(!annotation.unicodeScalars.contains { SafeText.isUnsafe($0) } && annotation.contains("\\u{1B}"), "\(annotation)")
        }
    }
}
