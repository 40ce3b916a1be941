import Foundation
import HDF5
import Testing
import TestSupport
@testable import Checkpoint

/// A file can declare any amount of text in an attribute: name lists beyond the limit are refused,
/// values shown for information are cut, and neither is copied whole into heft's memory.
@Suite struct AttributeLimitTests {
    func makeFile(_ path: String, layerName: String = "dense", version: String = "2.21.0") throws {
        let root = try HDF5.File.create(path, overwrite: true).root
        try root.writeStrings("layer_names", [layerName], storage: .variableLength(.ascii))
        try root.writeString("keras_version", version)
        try root.createGroup(layerName).writeStrings("weight_names", ["\(layerName)/kernel:0"], storage: .variableLength(.ascii))
        try root.group(layerName).createDataset("\(layerName)/kernel:0", type: .float32, shape: [2]).write([1, 2] as [Float])
    }

    @Test func aNameListBeyondTheLimitIsRefused() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let path = "\(dir)/w.h5"
            try makeFile(path, layerName: String(repeating: "x", count: 2 << 20))
            var limits = ReadLimits()
            limits.maximumAttributeBytes = 1 << 20
            #expect {
                try WeightFile(path: path, limits: limits)
            } throws: { error in
                guard let error = error as? CheckpointError, case .limitExceeded(_, let detail) = error.reason else { return false }
                return detail.contains("layer_names") && detail.contains("ReadLimits.maximumAttributeBytes") && "\(error)".count < 1000
            }
        }
    }

    @Test func anInformationalValueIsCut() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let path = "\(dir)/w.h5"
            try makeFile(path, version: String(repeating: "9", count: 1 << 20))
            let version = try #require(try WeightFile(path: path).kerasVersion())
            #expect(version == String(repeating: "9", count: 256) + "… (1048576 bytes)")
        }
    }
}
