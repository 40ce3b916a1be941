import Foundation
import Testing
import TestSupport
@testable import Checkpoint

/// What `mpirun -np N heft convert` writes — a sharded `.weights.json` set (each rank its shards,
/// rank 0 the index) or one `.weights.h5` (each rank its tensors' bytes) — loads in real Keras 3
/// (`model.load_weights`) and gives the outputs Keras computed when
/// it wrote the source, for every Keras-world family. Needs the venv and heft built with the MPI
/// trait (tools/test sets both).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["HEFT_PYTHON"] != nil
                && ProcessInfo.processInfo.environment["HEFT_MPI_BINARY"] != nil, "needs HEFT_PYTHON and HEFT_MPI_BINARY (run tools/test)"))
struct KerasClusterInteropTests {
    typealias Manifest = KerasContainerInteropTests.Manifest

    @Test func setsWrittenByRanksLoadInKeras() throws {
        let heft = try #require(ProcessInfo.processInfo.environment["HEFT_MPI_BINARY"])
        try withTemporaryDirectory { (dir: String) throws in
            var cases: [Manifest.Case] = []
            var expected: [String: [Double]] = [:]
            for (position, sidecar) in try KerasContainerInteropTests.sidecars().enumerated() {
                let source = try WeightFile(path: KerasContainerInteropTests.folder.appendingPathComponent(sidecar.files.world_v3).path)
                let largest = source.allWeights.map(\.storageSize).max() ?? 1
                let ranks = [2, 3, 4][position % 3]
                for output in ["\(dir)/\(sidecar.family).weights.json", "\(dir)/\(sidecar.family).weights.h5"] {
                    let limit = output.hasSuffix(".json") ? ["--max-shard-size", "\(largest)"] : []
                    let run = try runMPI(ranks: ranks, heft, ["convert", source.path, output] + limit)
                    #expect(run.code == 0, "\(output) on \(ranks) ranks: \(run.stderr)")
                    let id = "\(URL(fileURLWithPath: output).lastPathComponent) on \(ranks)"
                    // keras_check's "sharded" case is model.load_weights, which reads both.
                    cases.append(.init(id: id, family: sidecar.family, container: "sharded", file: output,
                                       input: .init(shape: sidecar.input.shape, dtype: sidecar.input.dtype ?? "float32", values: sidecar.input.values)))
                    expected[id] = sidecar.output.values
                }
            }
            let results: [String: KerasOutput] = try runKerasCheck("containers", manifest: ["cases": cases], in: dir)
            #expect(results.count == cases.count && cases.count >= 30)
            try KerasOutput.expect(results, match: expected)
        }
    }
}
