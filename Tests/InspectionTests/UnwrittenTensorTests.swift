import Checkpoint
import HDF5
import Inspection
import Testing
import TestSupport

/// A tensor that declares data but stores none is refused by every engine before a block is read
/// (streaming 16 GiB of fill values would take minutes).
@Suite struct UnwrittenTensorTests {
    @Test func statisticsAndDiffRefuseATensorNeverWritten() throws {
        try withTemporaryDirectory { dir in
            do {
                let root = try File.create("\(dir)/big.weights.h5", overwrite: true).root
                _ = try root.createGroup("layers/dense/vars").createDataset("0", type: .float32, shape: [1 << 16, 1 << 16])
            }
            let file = try WeightFile(path: "\(dir)/big.weights.h5")
            #expect { try file.statistics(of: file.weights[0]) } throws: { "\($0)".contains("stores none") }
            #expect { try WeightDiff.compare(file, file, options: .init()) } throws: { "\($0)".contains("stores none") }
        }
    }
}
