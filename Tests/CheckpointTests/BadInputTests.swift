import Foundation
import HDF5
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// Each kind of bad input gets its own clear, one-line error naming the file; never a crash or hang.
@Suite struct BadInputTests {
    func reason(_ path: String) -> CheckpointError.Reason? {
        do { _ = try WeightFile(path: path) } catch let error as CheckpointError {
            #expect(error.file == path && !error.description.contains("\n"))
            return error.reason
        } catch {
            Issue.record("not a CheckpointError: \(error)")
        }
        return nil
    }

    func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test func missingFileDirectoryEmptyAndNonHDF5() throws {
        try withTemporaryDirectory { dir in
            #expect(reason("\(dir)/absent.h5") == .fileNotFound)
            #expect(reason(dir) == .isDirectory)
            try write([], to: "\(dir)/empty.h5")
            #expect(reason("\(dir)/empty.h5") == .emptyFile)
            try write(Array("not an HDF5 file at all, just text\n".utf8), to: "\(dir)/text.h5")
            let unknown = "no HDF5 signature; not a zip (.keras), a sharded .weights.json index or safetensors"
            #expect(reason("\(dir)/text.h5") == .unknownFormat(unknown))
            #expect("\(CheckpointError(file: "a.h5", .unknownFormat(unknown)))" == "a.h5: not a weights file: \(unknown)")
            try write([0x80, 0x04, 0x95] + Array(repeating: 0, count: 16), to: "\(dir)/w.pkl")
            #expect("\(try #require(reason("\(dir)/w.pkl")))".contains("pickle"))
        }
    }

    @Test func unreadableFile() async throws {
        // Root reads everything, so the check runs in a child process that drops to `nobody`.
        await #expect(processExitsWith: .success) {
            let path = "/tmp/heft-unreadable-\(getpid()).h5"
            // Mode 000 and owned by the user the check runs as, so that user can remove it afterwards.
            try #require(FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3]), attributes: [.posixPermissions: 0o000]), "cannot create the test file")
            if getuid() == 0 {
                precondition(chown(path, 65534, 65534) == 0, "cannot hand the file to nobody")
                precondition(setgid(65534) == 0 && setuid(65534) == 0, "cannot drop privileges")
            }
            defer { unlink(path) }
            do {
                _ = try WeightFile(path: path)
            } catch let error as CheckpointError {
                precondition(error.reason == .permissionDenied, "\(error)")
                return
            }
            preconditionFailure("an unreadable file was opened")
        }
    }

    @Test func hdf5FileThatIsNotAWeightsFile() throws {
        try withTemporaryDirectory { dir in
            let file = try File.create("\(dir)/plain.h5", overwrite: true)
            try file.root.createGroup("data").writeString("note", "hello")
            try file.flush()
            guard case .notAWeightsFile(let why)? = reason("\(dir)/plain.h5") else {
                Issue.record("expected notAWeightsFile")
                return
            }
            #expect(why.contains("no layer_names attribute"))
        }
    }

    @Test(arguments: [0.1, 0.3, 0.5, 0.75, 0.9, 0.99])
    func truncatedFilesAreReportedNotCrashed(_ fraction: Double) throws {
        try withTemporaryDirectory { dir in
            try Zoo.build("seed_mlp").saveWeights(to: "\(dir)/full.h5")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/full.h5"))
            try bytes.prefix(Int(Double(bytes.count) * fraction)).write(to: URL(fileURLWithPath: "\(dir)/cut.h5"))
            do {
                let file = try WeightFile(path: "\(dir)/cut.h5")
                for weight in file.weights { _ = try file.read(weight) }
                Issue.record("a truncated file read without error")
            } catch let error as CheckpointError {
                guard case .truncated = error.reason else {
                    Issue.record("expected .truncated, got \(error)")
                    return
                }
                #expect(error.description.hasPrefix("\(dir)/cut.h5: the file is truncated or damaged"))
            }
        }
    }

    @Test func layerListNamingAMissingGroup() throws {
        try withTemporaryDirectory { dir in
            try Zoo.build("seed_mlp").saveWeights(to: "\(dir)/m.h5")
            try File.open("\(dir)/m.h5", access: .readWrite).root.writeStrings("layer_names", ["dense", "ghost"], storage: .variableLength(.ascii))
            #expect(reason("\(dir)/m.h5") == .missingLayerGroup(layer: "ghost"))
            #expect("\(CheckpointError(file: "m.h5", .missingLayerGroup(layer: "ghost")))"
                    == "m.h5: layer_names lists 'ghost' but the file has no group /ghost")
        }
    }

    @Test func weightListNamingAMissingDataset() throws {
        try withTemporaryDirectory { dir in
            try Zoo.build("seed_mlp").saveWeights(to: "\(dir)/m.h5")
            try File.open("\(dir)/m.h5", access: .readWrite).root.group("dense")
                .writeStrings("weight_names", ["dense/kernel:0", "dense/gamma:0"], storage: .variableLength(.ascii))
            #expect(reason("\(dir)/m.h5") == .missingWeight(layer: "dense", weight: "dense/gamma:0"))
        }
    }

    @Test func externalAndSoftLinksAreRefused() throws {
        try withTemporaryDirectory { dir in
            for (name, kind) in [("external", "an external link to /etc/passwd.h5:/data"), ("soft", "a soft link to /dense_1/dense_1/bias:0")] {
                let path = "\(dir)/\(name).weights.h5"
                try Zoo.build("seed_mlp").saveWeights(to: path)
                let file = try File.open(path, access: .readWrite)
                _ = try file.root.createGroup("layers/evil/vars")
                if name == "external" {
                    try file.root.createExternalLink("layers/evil/vars/0", file: "/etc/passwd.h5", path: "/data")
                } else {
                    try file.root.createSoftLink("layers/evil/vars/0", to: "/dense_1/dense_1/bias:0")
                }
                try file.flush()
                #expect(reason(path) == .unsafeObject(path: "/layers/evil/vars/0", kind: kind))
            }
        }
    }

    @Test(arguments: [("external_storage.h5", "external raw storage"), ("virtual_dataset.h5", "a virtual dataset")])
    func datasetsThatReadOtherFilesAreRefused(_ name: String, _ kind: String) {
        let path = fixturesURL.appendingPathComponent("hostile/\(name)").path
        #expect(reason(path) == .unsafeObject(path: "/dense/dense/bias:0", kind: kind))
    }

    @Test func loadingBadInputLeavesTheModelUnchanged() throws {
        let model = try Zoo.build("seed_mlp")
        let before = model.getWeights()
        #expect(throws: CheckpointError.self) { try model.loadWeights(from: "/nonexistent/w.h5") }
        #expect(model.getWeights() == before)
    }
}

/// A file with a user block (the HDF5 signature at offset 512) is still recognised.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/h5jam"), "needs h5jam (hdf5-tools)"))
struct UserBlockTests {
    @Test func signatureAfterAUserBlockIsFound() throws {
        try withTemporaryDirectory { dir in
            let model = try Zoo.build("seed_mlp")
            try model.saveWeights(to: "\(dir)/plain.h5")
            try #require(FileManager.default.createFile(atPath: "\(dir)/block.txt", contents: Data(repeating: 0x41, count: 300)), "cannot create the test file")
            let jam = Process()
            jam.executableURL = URL(fileURLWithPath: "/usr/bin/h5jam")
            jam.arguments = ["-i", "\(dir)/plain.h5", "-u", "\(dir)/block.txt", "-o", "\(dir)/jammed.h5"]
            try jam.run()
            jam.waitUntilExit()
            #expect(jam.terminationStatus == 0)
            let copy = try Zoo.build("seed_mlp")
            try copy.loadWeights(from: "\(dir)/jammed.h5")
            #expect(copy.getWeights() == model.getWeights())
        }
    }
}

/// A dataset that declares an absurd size is an error when the file is opened, never a crash.
@Suite struct DeclaredSizeTests {
    @Test func tensorsNeverWrittenAreRefusedWhenRead() throws {
        try withTemporaryDirectory { dir in
            do {
                let root = try File.create("\(dir)/big.weights.h5", overwrite: true).root
                _ = try root.createGroup("layers/dense/vars").createDataset("0", type: .float32, shape: [1 << 16, 1 << 16])
            }
            let file = try WeightFile(path: "\(dir)/big.weights.h5")
            #expect(file.weights[0].shape == [1 << 16, 1 << 16])
            // Never written: refused before any block is read (streaming 16 GiB of fill values would take minutes).
            #expect { try file.read(file.weights[0]) } throws: { "\($0)".contains("stores none (the tensor was never written)") }
            #expect { try file.checkTensors() } throws: { "\($0)".contains("stores none") }
        }
    }

    @Test func tensorsBeyondTheSizeLimitAreRefusedWhenOpenedUnlessTheLimitIsRaised() throws {
        try withTemporaryDirectory { dir in
            do {
                let root = try File.create("\(dir)/big.weights.h5", overwrite: true).root
                _ = try root.createGroup("layers/dense/vars").createDataset("0", type: .float32, shape: [1 << 20, 1 << 20])
            }
            #expect { try WeightFile(path: "\(dir)/big.weights.h5") } throws: { error in
                (error as? CheckpointError)?.reason == .limitExceeded(path: "/layers/dense/vars/0",
                    detail: "shape (1048576, 1048576) of float32 declares 4398046511104 bytes, more than the "
                        + "68719476736-byte limit per tensor (ReadLimits.maximumTensorBytes)")
            }
            var limits = ReadLimits()
            limits.maximumTensorBytes = 8 << 40
            #expect(try WeightFile(path: "\(dir)/big.weights.h5", limits: limits).weights[0].shape == [1 << 20, 1 << 20])
        }
    }

    @Test func shapesWhoseByteCountOverflowsAreRefused() throws {
        try withTemporaryDirectory { dir in
            try Zoo.build("seed_mlp").saveWeights(to: "\(dir)/m.h5")
            do {
                let root = try File.open("\(dir)/m.h5", access: .readWrite).root
                try root.group("dense").writeStrings("weight_names", ["dense/kernel:0", "dense/bias:0", "dense/huge:0"],
                                                     storage: .variableLength(.ascii))
                _ = try root.group("dense").createDataset("dense/huge:0", type: .float32, shape: [1 << 40, 1 << 40])
            }
            do {
                _ = try WeightFile(path: "\(dir)/m.h5")
                Issue.record("a dataset of 2^80 elements was accepted")
            } catch let error as CheckpointError {
                #expect(error.reason == .limitExceeded(path: "/dense/dense/huge:0",
                        detail: "shape (1099511627776, 1099511627776) of float32 declares more bytes than this machine can address"))
            }
        }
    }
}
