import Foundation
import Testing
import TestSupport
@testable import Checkpoint

/// `convert` copies a tensor block by block whatever its size and compression: a 128 MiB tensor
/// stored compressed in a few MiB converts in a small, flat amount of memory.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["HEFT_PYTHON"] != nil, "needs HEFT_PYTHON (run tools/test)"))
struct StreamingConvertTests {
    @Test func aLargeCompressedTensorConvertsInBoundedMemory() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let source = "\(dir)/gzip.h5"
            let script = """
                import sys, h5py, numpy as np
                rows = np.repeat(np.arange(4096, dtype=np.float32)[None, :], 8192, axis=0)   # 128 MiB, compresses well
                with h5py.File(sys.argv[1], "w") as f:
                    f.attrs["layer_names"] = [b"dense"]
                    f.attrs["keras_version"] = "2.21.0"
                    g = f.create_group("dense")
                    g.attrs["weight_names"] = [b"dense/kernel:0"]
                    g.create_dataset("dense/kernel:0", data=rows, chunks=(256, 4096), compression="gzip", shuffle=True)
                """
            let python = try BoundedProcess.run(ProcessInfo.processInfo.environment["HEFT_PYTHON"]!, ["-c", script, source],
                                                timeout: 120, scratch: "\(dir)/python")
            try #require(python.ending == .exited(0), "\(python.stderr)")
            let run = try BoundedProcess.runMeasuringPeak(heftBinary.path, ["convert", source, "\(dir)/out.weights.h5"],
                                                          timeout: 120, scratch: "\(dir)/heft")
            #expect(run.ending == .exited(0), "\(run.stderr)")
            #expect(run.maxResidentBytes < 100 << 20, "peak RSS \(run.maxResidentBytes >> 20) MiB")
            #expect(try heft("diff", source, "\(dir)/out.weights.h5").code == 0)
        }
    }
}
