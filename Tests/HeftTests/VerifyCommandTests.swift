import Foundation
import HDF5
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

@Suite struct VerifyCommandTests {
    @Test func soundFileVerifies() throws {
        let run = try heft("verify", keras("tfkeras_nested.h5"))
        #expect(run.code == 0 && run.lines.last == "verified")
        #expect(run.lines.contains { $0.contains("ok") && $0.contains("sound: every tensor readable, all values finite") })
        let json = try heft("verify", "--json", keras("tfkeras_nested.h5")).json()
        #expect(json["ok"] as? Bool == true && json["schema"] as? Int == 1 && json["tensors"] as? Int == 8)
    }

    @Test func hardLinksAreReportedAsShared() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let encoder = Dense(3, inputShape: [3], name: "enc"), decoder = Dense(3, name: "dec")
            decoder.tie(kernel: encoder.kernel!)
            try Sequential([encoder, decoder]).saveWeights(to: "\(dir)/tied.weights.h5")
            let json = try heft("verify", "--json", "--tie", "enc,dec", "\(dir)/tied.weights.h5").json()
            #expect(json["shared"] as? [[String]] == [["/layers/dense/vars/0", "/layers/dense_1/vars/0"]])
            let tie = try #require((json["ties"] as? [[String: Any]])?.first)
            let pairs = try #require(tie["pairs"] as? [[String: Any]])
            #expect(pairs[0]["status"] as? String == "linked")
            #expect(pairs[1]["status"] as? String == "identical")   // untied biases, both still zero
        }
    }

    @Test func tiePassesForCopySharingAndFailsWithIndexAndMaxDifference() throws {
        let pass = try heft("verify", "--tie", "dense,dense_1", keras("keras3_mlp_model.weights.h5"))
        #expect(pass.code == 0 && pass.lines.contains { $0.contains("/hidden1/vars/0 = /hidden/vars/0 (bitwise identical)") })
        try withTemporaryDirectory { (dir: String) throws in
            try saveModel("\(dir)/m.h5", widths: [2, 2, 2],
                          values: [Tensor([[1, 2], [3, 4]]), .zeros([2]), Tensor([[1, 2], [3, 4.5]]), .zeros([2])], names: ["a", "b"])
            let fail = try heft("verify", "--tie", "a,b", "\(dir)/m.h5")
            #expect(fail.code == 1 && fail.lines.last == "verification failed")
            #expect(fail.lines.contains { $0.contains("/b/b/kernel:0 differs from /a/a/kernel:0 at [1, 1]: 1 element(s), max |Δ| 0.5") })
            let json = try heft("verify", "--json", "--tie", "/a/a/kernel:0,/b/b/kernel:0", "\(dir)/m.h5").json()
            let pair = ((json["ties"] as! [[String: Any]])[0]["pairs"] as! [[String: Any]])[0]
            #expect(pair["first_different_index"] as? [Int] == [1, 1] && pair["max_abs_diff"] as? Double == 0.5)
            #expect(json["ok"] as? Bool == false)
            let unknown = try heft("verify", "--tie", "a,zzz", "\(dir)/m.h5")
            #expect(unknown.code == 1 && unknown.stdout.contains("no layer or weight named 'zzz'"))
            #expect(try heft("verify", "--tie", "a", "\(dir)/m.h5").code == 64)
        }
    }

    @Test func autoListsIdenticalGroupsWithoutFailing() throws {
        let json = try heft("verify", "--json", "--auto", keras("keras3_mlp_model.weights.h5")).json()
        #expect(json["ok"] as? Bool == true)
        #expect(json["identical_groups"] as? [[String]] == [["/hidden/vars/0", "/hidden1/vars/0"], ["/hidden/vars/1", "/hidden1/vars/1"]])
    }

    @Test func nonFiniteValuesFailUnlessAllowed() throws {
        try withTemporaryDirectory { (dir: String) throws in
            try saveModel("\(dir)/nan.h5", widths: [2, 2], values: [Tensor([[1, .nan], [.infinity, 4]]), .zeros([2])], names: ["a"])
            let run = try heft("verify", "\(dir)/nan.h5")
            #expect(run.code == 1 && run.lines.contains { $0.contains("/a/a/kernel:0: 1 NaN and 1 infinite value(s) of 4") })
            #expect(try heft("verify", "--allow-nonfinite", "\(dir)/nan.h5").code == 0)
        }
    }

    @Test func likeChecksLoadabilityAndNamesTheDivergence() throws {
        #expect(try heft("verify", "--like", keras("keras3_seed_mlp.full.h5"), keras("tfkeras_seed_mlp.h5")).code == 0)
        #expect(try heft("verify", "--like", keras("keras3_nested.weights.h5"), keras("tfkeras_nested.weights.h5")).code == 0)
        let run = try heft("verify", "--json", "--like", keras("tfkeras_seed_mlp.h5"), keras("tfkeras_nested.h5"))
        #expect(run.code == 1)
        let like = try #require(try run.json()["like"] as? [String: Any])
        #expect(like["ok"] as? Bool == false && like["rule"] as? String == "by_order")
        #expect((like["divergence"] as? String)?.contains("first divergence at layer #0: reference 'dense' (layers/dense) [(20, 256), (256,)] vs file 'd0'") == true)
    }

    @Test func truncatedFileExitsTwo() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let bytes = try Data(contentsOf: URL(fileURLWithPath: keras("tfkeras_seed_mlp.h5")))
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: "\(dir)/cut.h5"))
            let run = try heft("verify", "\(dir)/cut.h5")
            #expect(run.code == 2 && run.stderr.contains("truncated"))
        }
    }
}
