import Foundation
import HDF5
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

@Suite struct DumpCommandTests {
    @Test func legacyFileTextShowsLayoutAttributesLayersAndWeights() throws {
        let run = try heft("dump", keras("tfkeras_seed_mlp.h5"))
        #expect(run.code == 0 && run.stderr.isEmpty)
        #expect(run.lines[0] == "\(keras("tfkeras_seed_mlp.h5")): keras-legacy, keras_version 2.21.0, backend tensorflow")
        #expect(run.lines[1] == "2 layers, 4 weights, 7,946 parameters, 31.0 KiB")
        #expect(run.lines.contains("dense (Dense)  /dense"))
        #expect(run.lines.contains { $0.hasPrefix("  kernel  ") && $0.contains("/dense/dense/kernel:0") && $0.contains("(20, 256)  float32  20.0 KiB") })
    }

    @Test func jsonHasTheDocumentedShape() throws {
        let run = try heft("dump", "--json", keras("keras3_nested.weights.h5"))
        #expect(run.code == 0)
        let document = try run.json()
        #expect(document["schema"] as? Int == 1 && document["format"] as? String == "keras-v3")
        let layers = try #require(document["layers"] as? [[String: Any]])
        let inner = try #require(layers.first { $0["name"] as? String == "inner" })
        #expect(inner["class"] as? String == "Sequential" && inner["path"] as? String == "/layers/sequential")
        let weights = try #require(inner["weights"] as? [[String: Any]])
        #expect(weights[0]["path"] as? String == "/layers/sequential/layers/dense/vars/0")
        #expect(weights[0]["identity"] as? String == "inner/inner_d1/kernel" && weights[0]["name"] as? String == "0")
        #expect(weights[0]["shape"] as? [Int] == [8, 5] && weights[0]["dtype"] as? String == "float32")
        #expect(weights[0]["variable"] as? String == "kernel" && weights[0]["size"] as? Int == 160)
        #expect(run.stdout.split(separator: "\n").count == 1)
    }

    @Test func statsMatchTheTensorAndHashesAgreeAcrossLayouts() throws {
        let legacy = try heft("dump", "--json", "--stats", "--hash", keras("tfkeras_float64.h5")).json()
        let v3 = try heft("dump", "--json", "--hash", keras("keras3_float64.weights.h5")).json()
        let weights = { (document: [String: Any]) in
            (document["layers"] as! [[String: Any]]).flatMap { $0["weights"] as! [[String: Any]] }
        }
        let file = try WeightFile(path: keras("tfkeras_float64.h5"))
        guard case .float64(let kernel) = try file.read(file.weights[0]).storage else { Issue.record("not float64"); return }
        let stats = try #require(weights(legacy)[0]["stats"] as? [String: Any])
        #expect(stats["min"] as? Double == kernel.min() && stats["max"] as? Double == kernel.max())
        #expect(stats["count"] as? Int == kernel.count && stats["nan"] as? Int == 0)
        let mean = kernel.reduce(0, +) / Double(kernel.count)
        #expect(abs((stats["mean"] as? Double ?? 0) - mean) < 1e-12)
        // The same values written by tf-keras (legacy) and Keras 3 (v3) hash equal.
        #expect(weights(legacy).map { $0["sha256"] as? String } == weights(v3).map { $0["sha256"] as? String })
        #expect((weights(legacy)[0]["sha256"] as? String)?.count == 64)
    }

    @Test func valuesPrintNumpyStyleAndFullPrintsEverything() throws {
        let summarised = try heft("dump", "--values", "--layer", "dense", keras("tfkeras_seed_mlp.h5"))
        #expect(summarised.code == 0)
        #expect(summarised.stdout.contains("...") && !summarised.stdout.contains("dense_1"))
        let file = try WeightFile(path: keras("tfkeras_seed_mlp.h5"))
        let first = try file.read(file.weights[0]).scalars[0]
        #expect(summarised.stdout.contains("[[\(first), "))
        let full = try heft("dump", "--values", "--full", "--layer", "dense_1", keras("tfkeras_seed_mlp.h5"))
        #expect(!full.stdout.contains("..."))
        let lastBias = try file.read(file.weights[3]).scalars
        #expect(full.stdout.contains("[\(lastBias.map { "\($0)" }.joined(separator: ", "))]"))
    }

    @Test func hardLinksAreShownAsShared() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let encoder = Dense(3, inputShape: [3], name: "enc"), decoder = Dense(3, name: "dec")
            decoder.tie(kernel: encoder.kernel!)
            try Sequential([encoder, decoder]).saveWeights(to: "\(dir)/tied.h5")
            let run = try heft("dump", "\(dir)/tied.h5")
            #expect(run.lines.contains { $0.contains("/dec/enc/kernel:0") && $0.hasSuffix("shared with /enc/enc/kernel:0") })
            let json = try heft("dump", "--json", "\(dir)/tied.h5").json()
            let dec = (json["layers"] as! [[String: Any]])[1]["weights"] as! [[String: Any]]
            #expect(dec[0]["shared_with"] as? String == "/enc/enc/kernel:0")
        }
    }

    @Test func plainHDF5FileIsAGenericTree() throws {
        try withTemporaryDirectory { (dir: String) throws in
            do {   // closed (and unlocked) before heft opens it
                let file = try HDF5.File.create("\(dir)/plain.h5", overwrite: true)
                try file.root.createGroup("data").createDataset("x", type: .float64, shape: [3, 2]).write([1, 2, 3, 4, 5, 6] as [Double])
            }
            let run = try heft("dump", "\(dir)/plain.h5")
            #expect(run.code == 0 && run.lines[0].contains("hdf5 (not a Keras weights file"))
            #expect(run.lines.contains { $0.contains("/data/x") && $0.contains("(3, 2)") && $0.contains("float64") })
            let json = try heft("dump", "--json", "\(dir)/plain.h5").json()
            #expect(json["format"] as? String == "hdf5")
        }
    }

    @Test func badFilesExitTwoWithOneLine() throws {
        try withTemporaryDirectory { (dir: String) throws in
            try #require(FileManager.default.createFile(atPath: "\(dir)/text.h5", contents: Data("hello".utf8)), "cannot create the test file")
            let cases = [("\(dir)/missing.h5", "no such file"), ("\(dir)/text.h5", "not a weights file"), (dir, "is a directory"),
                         (fixturesURL.appendingPathComponent("hostile/external_storage.h5").path, "refused: external raw storage")]
            for (path, reason) in cases {
                let run = try heft("dump", path)
                #expect(run.code == 2 && run.stdout.isEmpty)
                #expect(run.stderr.hasPrefix("heft: error: \(path): ") && run.stderr.contains(reason))
                #expect(run.stderr.split(separator: "\n").count == 1)
            }
        }
    }

    @Test func usageErrorsKeepArgumentParsersCode() throws {
        #expect(try heft("dump", "--bogus", keras("tfkeras_seed_mlp.h5")).code == 64)
        #expect(try heft("dump", "--full", keras("tfkeras_seed_mlp.h5")).code == 64)
        #expect(try heft("frobnicate").code == 64)
    }

    @Test func noColourWhenNotATerminal() throws {
        #expect(try !(heft("dump", keras("tfkeras_seed_mlp.h5")).stdout.contains("\u{1B}[")))
    }
}

/// Colour on a terminal: `heft` runs under `script`, which gives it a pseudo-terminal.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs util-linux script"))
struct TerminalOutputTests {
    func onTerminal(_ command: String, noColor: String?) throws -> HeftRun {
        var environment = ["TERM": "xterm"]
        environment["NO_COLOR"] = noColor ?? ""
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", "\(heftBinary.path) \(command)", "/dev/null"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return HeftRun(code: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self), stderr: "")
    }

    @Test func colourOnlyOnATerminalWithoutNoColor() throws {
        let coloured = try onTerminal("dump \(keras("tfkeras_seed_mlp.h5"))", noColor: nil)
        #expect(coloured.code == 0 && coloured.stdout.contains("\u{1B}[1mkeras-legacy\u{1B}[0m"))
        let plain = try onTerminal("dump \(keras("tfkeras_seed_mlp.h5"))", noColor: "1")
        #expect(plain.code == 0 && plain.stdout.contains("keras-legacy") && !plain.stdout.contains("\u{1B}["))
    }
}
