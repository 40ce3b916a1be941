import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

@Suite struct DiffCommandTests {
    /// Two one-layer files (kernel 2×3, bias 3) with the given kernel values.
    func pair(_ dir: String, _ a: [Float], _ b: [Float], dtype: DType = .float32) throws -> (String, String) {
        for (name, values) in [("a", a), ("b", b)] {
            let model = try Sequential([Dense(3, inputShape: [2], dtype: dtype, name: "d")])
            try model.setWeights([Tensor(shape: [2, 3], scalars: values), .zeros([3])])
            try model.saveWeights(to: "\(dir)/\(name).h5")
        }
        return ("\(dir)/a.h5", "\(dir)/b.h5")
    }

    func kernelEntry(_ run: HeftRun) throws -> [String: Any] {
        let tensors = try #require(try run.json()["tensors"] as? [[String: Any]])
        return try #require(tensors.first { $0["name"] as? String == "d/kernel" })
    }

    @Test func equalFilesExitZero() throws {
        let run = try heft("diff", keras("tfkeras_seed_mlp.h5"), keras("keras3_seed_mlp.full.h5"))
        #expect(run.code == 0 && run.lines.last == "equal: 4 tensors, none differ")
        #expect(run.lines.count == 2)   // same tensors are not listed by default
        let shown = try heft("diff", "--show-same", keras("tfkeras_seed_mlp.h5"), keras("keras3_seed_mlp.full.h5"))
        #expect(shown.lines.contains { $0.contains("same") && $0.contains("dense/kernel") && $0.contains("5,120 elements, max |Δ| 0.0") })
    }

    @Test func changedValuesAreSummarisedWithIndexAndStatistics() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let (a, b) = try pair(dir, [1, 2, 3, 4, 5, 6], [1, 2, 3.5, 4, 5, 5])
            let run = try heft("diff", a, b)
            #expect(run.code == 1)
            #expect(run.lines.contains { $0.contains("changed") && $0.contains("d/kernel") && $0.contains("2 of 6 differ, max |Δ| 1.0 at [1, 2]") })
            #expect(run.lines.last == "different: 1 of 2 tensors differ (1 changed)")
            let entry = try kernelEntry(try heft("diff", "--json", a, b))
            #expect(entry["status"] as? String == "changed" && entry["mismatches"] as? Int == 2 && entry["total"] as? Int == 6)
            #expect(entry["max_abs_diff"] as? Double == 1 && entry["max_abs_index"] as? [Int] == [1, 2])
            // float32 tensors are compared in float32 arithmetic: 1/5 is the float nearest 0.2.
            #expect(abs((entry["max_rel_diff"] as? Double ?? 0) - 0.2) < 1e-7 && abs((entry["mean_abs_diff"] as? Double ?? 0) - 0.25) < 1e-12)
        }
    }

    @Test func tolerancesFollowTheDocumentedRule() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let (a, b) = try pair(dir, [1, 2, 3, 4, 5, 6], [1.001, 2, 3, 4, 5, 6])
            #expect(try heft("diff", a, b).code == 1)
            #expect(try heft("diff", "--atol", "0.0011", a, b).code == 0)
            #expect(try heft("diff", "--atol", "0.0009", a, b).code == 1)
            // rtol is relative to |b| = 1.001.
            #expect(try heft("diff", "--rtol", "0.000999", a, b).code == 1)
            #expect(try heft("diff", "--rtol", "0.0010", a, b).code == 0)
            #expect(try heft("diff", "--ulp", "10000", a, b).code == 0)
            #expect(try heft("diff", "--ulp", "10", a, b).code == 1)
            #expect(try heft("diff", "--ulp", "1", "--atol", "1", a, b).code == 64)
        }
    }

    @Test func ulpCountsRepresentableValues() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let x: Float = 1.5
            let (a, b) = try pair(dir, [x, 0, 0, 0, 0, 0], [x.nextUp.nextUp, -0.0, 0, 0, 0, 0])
            #expect(try heft("diff", "--ulp", "2", a, b).code == 0)
            #expect(try heft("diff", "--ulp", "1", a, b).code == 1)
        }
    }

    @Test func nanZeroAndInfinityPolicies() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let (a, b) = try pair(dir, [.nan, 0, .infinity, 1, 1, 1], [.nan, -0.0, .infinity, 1, 1, 1])
            #expect(try heft("diff", a, b).code == 0)
            let strict = try heft("diff", "--nan-strict", "--json", a, b)
            #expect(try strict.code == 1 && (kernelEntry(strict))["nan_mismatches"] as? Int == 1)
            let (c, d) = try pair(dir, [.infinity, 0, 0, 0, 0, 0], [-.infinity, 0, 0, 0, 0, 0])
            #expect(try heft("diff", "--atol", "1e30", c, d).code == 1)
            let (e, f) = try pair(dir, [.nan, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0])
            #expect(try heft("diff", "--atol", "1e30", e, f).code == 1)
        }
    }

    @Test func shapeDtypeAddedAndRemovedAreAlwaysDifferences() throws {
        try withTemporaryDirectory { (dir: String) throws in
            try saveModel("\(dir)/a.h5", widths: [2, 3], values: [.ones([2, 3]), .zeros([3])], names: ["d"])
            try saveModel("\(dir)/wide.h5", widths: [4, 3], values: [.ones([4, 3]), .zeros([3])], names: ["d"])
            let shape = try heft("diff", "--json", "--atol", "1e9", "\(dir)/a.h5", "\(dir)/wide.h5")
            #expect(try shape.code == 1 && (kernelEntry(shape))["status"] as? String == "shape_changed")
            let model = try Sequential([Dense(3, inputShape: [2], dtype: .float64, name: "d")])
            try model.setWeights([.ones([2, 3]), .zeros([3])])
            try model.saveWeights(to: "\(dir)/f64.h5")
            let dtype = try heft("diff", "--json", "--atol", "1e9", "\(dir)/a.h5", "\(dir)/f64.h5")
            #expect(try dtype.code == 1 && (kernelEntry(dtype))["status"] as? String == "dtype_changed")
            try saveModel("\(dir)/two.h5", widths: [2, 3, 1], values: [.ones([2, 3]), .zeros([3]), .ones([3, 1]), .zeros([1])],
                          names: ["d", "e"])
            let added = try heft("diff", "--json", "\(dir)/a.h5", "\(dir)/two.h5")
            let statuses = (try added.json()["tensors"] as! [[String: Any]]).map { $0["status"] as! String }
            #expect(added.code == 1 && statuses == ["same", "same", "added", "added"])
            let removed = try heft("diff", "\(dir)/two.h5", "\(dir)/a.h5")
            #expect(removed.lines.contains { $0.contains("removed") && $0.contains("e/kernel") && $0.contains("only in A") })
        }
    }

    @Test func byOrderRenameIncludeAndExclude() throws {
        try withTemporaryDirectory { (dir: String) throws in
            try saveModel("\(dir)/a.h5", widths: [2, 3], values: [.ones([2, 3]), .zeros([3])], names: ["first"])
            try saveModel("\(dir)/b.h5", widths: [2, 3], values: [.ones([2, 3]), .ones([3])], names: ["second"])
            #expect(try heft("diff", "--json", "\(dir)/a.h5", "\(dir)/b.h5").json()["summary"].map { ($0 as! [String: Any])["added"] as! Int } == 2)
            let byOrder = try heft("diff", "--json", "--by-order", "\(dir)/a.h5", "\(dir)/b.h5")
            #expect(try (byOrder.json()["tensors"] as! [[String: Any]]).map { $0["status"] as! String } == ["same", "changed"])
            let renamed = try heft("diff", "--json", "--rename", "first=second", "\(dir)/a.h5", "\(dir)/b.h5")
            #expect(try (renamed.json()["tensors"] as! [[String: Any]]).map { $0["name"] as! String } == ["second/kernel", "second/bias"])
            #expect(try heft("diff", "--rename", "first=second", "--exclude", "*/bias", "\(dir)/a.h5", "\(dir)/b.h5").code == 0)
            #expect(try heft("diff", "--rename", "first=second", "--include", "*kernel", "\(dir)/a.h5", "\(dir)/b.h5").code == 0)
            #expect(try heft("diff", "--rename", "nonsense", "\(dir)/a.h5", "\(dir)/b.h5").code == 64)
        }
    }

    @Test func topListsTheLargestDifferences() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let (a, b) = try pair(dir, [0, 0, 0, 0, 0, 0], [1, 5, 2, 0, 3, 0])
            let entry = try kernelEntry(try heft("diff", "--json", "--top", "2", a, b))
            let top = try #require(entry["top"] as? [[String: Any]])
            #expect(top.map { $0["index"] as! [Int] } == [[0, 1], [1, 1]])
            #expect(top.map { $0["abs_diff"] as! Double } == [5, 3])
            let text = try heft("diff", "--top", "2", a, b)
            #expect(text.lines.contains { $0.contains("[0, 1]") && $0.contains("|Δ|=5.0") })
        }
    }

    @Test func everyElementChangedStillGivesABoundedSummary() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let big = Tensor.randomUniform([512, 512], seed: 1)
            let shifted = Tensor(shape: big.shape, scalars: big.scalars.map { $0 * (1 + 1e-5) + 1e-7 })
            try saveModel("\(dir)/a.h5", widths: [512, 512], values: [big, .zeros([512])], names: ["d"])
            try saveModel("\(dir)/b.h5", widths: [512, 512], values: [shifted, .zeros([512])], names: ["d"])
            let run = try heft("diff", "\(dir)/a.h5", "\(dir)/b.h5")
            #expect(run.code == 1 && run.lines.count <= 4 && run.stdout.utf8.count < 1000)
            #expect(run.lines.contains { $0.contains("262,144 of 262,144 differ") })
            #expect(try heft("diff", "--rtol", "1e-4", "--atol", "1e-6", "\(dir)/a.h5", "\(dir)/b.h5").code == 0)
        }
    }

    @Test func githubFormatPrintsErrorAnnotations() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let (a, b) = try pair(dir, [1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 7])
            let run = try heft("diff", "--format", "github", a, b)
            #expect(run.code == 1)
            #expect(run.lines[0].hasPrefix("::error file=\(b),title=heft diff%3A changed::d/kernel: 1 of 6 differ"))
        }
    }

    @Test func unreadableSecondFileExitsTwo() throws {
        let run = try heft("diff", keras("tfkeras_seed_mlp.h5"), "/nonexistent.h5")
        #expect(run.code == 2 && run.stderr == "heft: error: /nonexistent.h5: no such file\n")
    }
}
