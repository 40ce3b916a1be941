import Foundation
import HDF5
import Testing
import TestSupport
@testable import Checkpoint

/// The CLI on real Keras models beyond Dense (fixtures/world): no false differences, the optimizer
/// apart from the model, and conversions that exit 0 only when Keras can load the result.
@Suite struct KerasWorldCommandTests {
    func world(_ name: String) -> String { fixturesURL.appendingPathComponent("world/\(name)").path }

    @Test func aBidirectionalFileDiffsEqualWithItself() throws {
        let run = try heft("diff", world("tfkeras_wrappers.h5"), world("tfkeras_wrappers.h5"))
        #expect(run.code == 0 && run.lines.last == "equal: 16 tensors, none differ", "\(run.stdout)")
    }

    @Test(arguments: ["keras3_attention", "tfkeras_wrappers", "keras3_recurrent", "tfkeras_nested"])
    func twoLayoutsOfOneModelDiffEqual(_ model: String) throws {
        for matching in [[], ["--by-order"]] {
            let run = try heft(["diff"] + matching + [world("\(model).full.h5"), world("\(model).weights.h5")])
            #expect(run.code == 0 && run.lines.last?.hasPrefix("equal: ") == true, "\(matching): \(run.stdout)")
        }
    }

    @Test func identitiesNameSublayersByAttribute() throws {
        let document = try heft("dump", "--json", world("tfkeras_wrappers.h5")).json()
        let weights = (document["layers"] as! [[String: Any]]).flatMap { $0["weights"] as! [[String: Any]] }
        let identities = weights.compactMap { $0["identity"] as? String }
        #expect(identities.contains("bidirectional/forward_layer/cell/kernel"))
        #expect(identities.contains("bidirectional/backward_layer/cell/recurrent_kernel"))
        #expect(identities.contains("time_distributed/layer/kernel"))
        #expect(Set(identities).count == identities.count)
    }

    /// The optimizer has its own section, never counts as parameters, and never changes diff's exit code.
    @Test func optimizerStateIsApartFromTheModel() throws {
        let path = world("keras3_trained_adam.weights.h5")
        let text = try heft("dump", path)
        #expect(text.code == 0 && text.lines[1] == "3 layers, 8 weights, 42 parameters, 168 B", "\(text.lines.prefix(3))")
        #expect(text.lines[2] == "optimizer state (Adam): 14 tensors, 284 B, not model parameters")
        let document = try heft("dump", "--json", path).json()
        let optimizer = try #require(document["optimizer"] as? [String: Any])
        #expect(optimizer["class"] as? String == "Adam")
        let identities = (optimizer["weights"] as! [[String: Any]]).compactMap { $0["identity"] as? String }
        #expect(identities.prefix(3) == ["optimizer/iteration", "optimizer/learning_rate", "optimizer/dense/kernel/momentum"])
        #expect((document["layers"] as! [[String: Any]]).allSatisfy { $0["name"] as? String != "adam" })

        let noState = try heft("diff", path, world("keras3_trained_adam.h5"))
        #expect(noState.code == 0 && noState.stdout.contains("holds optimizer state (14 tensors)") && noState.stdout.contains("holds none"))
        let both = try heft("diff", "--json", path, world("keras3_trained_adam.full.h5")).json()
        #expect(both["equal"] as? Bool == true && (both["state_summary"] as? [String: Any])?["total"] as? Int == 14)
    }

    @Test func convertCarriesOrDropsTheOptimizerWithANote() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let source = world("tfkeras_trained_adam.full.h5")
            let count = 1 + 2 * 6   // tf-keras: iteration, then Adam's m and v of 6 trainable variables
            let v3 = try heft("convert", "--json", source, "\(dir)/m.weights.h5").json()
            #expect(v3["optimizer_weights"] as? Int == count && (v3["notes"] as? [String])?.contains { $0.contains("optimizer") } == false)
            let legacy = try heft("convert", source, "\(dir)/m.h5")
            #expect(legacy.code == 0 && legacy.stdout.contains("note: optimizer state dropped (\(count) tensors): a keras-legacy weights file cannot hold it"))
            let dropped = try heft("convert", "--drop-optimizer", source, "\(dir)/d.weights.h5")
            #expect(dropped.code == 0 && dropped.stdout.contains("note: optimizer state dropped as asked (\(count) tensors)"))
            #expect(try WeightFile(path: "\(dir)/d.weights.h5").optimizerWeights.isEmpty)
            #expect(try heft("diff", "\(dir)/m.weights.h5", source).code == 0)
            let verified = try heft("verify", "--json", "\(dir)/m.weights.h5").json()
            #expect(verified["ok"] as? Bool == true && (verified["integrity"] as? [String: Any])?["status"] as? String == "verified")
            #expect(verified["tensors"] as? Int == 8 + count)
        }
    }

    /// MultiHeadAttention's second spelling (`_query_dense`, hard links Heft adds for tf-keras) is
    /// one variable: not a tie, not a second weight.
    @Test func aSecondSpellingIsNotASecondWeight() throws {
        try withTemporaryDirectory { (dir: String) throws in
            #expect(try heft("convert", world("tfkeras_attention.h5"), "\(dir)/a.weights.h5").code == 0)
            let verified = try heft("verify", "--json", "\(dir)/a.weights.h5").json()
            #expect(verified["ok"] as? Bool == true && (verified["shared"] as? [[String]])?.isEmpty == true)
            #expect(verified["tensors"] as? Int == 12)
            #expect(try heft("dump", "\(dir)/a.weights.h5").lines[1].contains(" layers, 12 weights, 331 parameters"))
        }
    }

    /// A file that does not record its layers' classes is refused in one line with the remedy, and
    /// `--like` supplies them.
    @Test func convertRefusesWhatItCannotPlaceAndLikeSuppliesIt() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let run = try heft("convert", world("tfkeras_named.h5"), "\(dir)/n.weights.h5")
            #expect(run.code == 2 && run.stderr.split(separator: "\n").count == 1)
            #expect(run.stderr.contains("tfkeras_named.h5: cannot convert to keras-v3: the class of layer 'encoder' is unknown"))
            #expect(run.stderr.contains("give --like REF"))
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/n.weights.h5"))
            let like = try heft("convert", "--like", world("keras3_named.weights.h5"), world("tfkeras_named.h5"), "\(dir)/n.weights.h5")
            #expect(like.code == 0, "\(like.stderr)")
            #expect(try heft("diff", "\(dir)/n.weights.h5", world("keras3_named.weights.h5")).code == 0, "both lines wrote one seed's values")
            #expect(try heft("verify", "--like", world("keras3_named.weights.h5"), "\(dir)/n.weights.h5").code == 0)
        }
    }

    @Test func aCollisionOfIdentitiesIsAnErrorNotAComparison() throws {
        try withTemporaryDirectory { (dir: String) throws in
            do {   // two different datasets both named `d/kernel` in one legacy layer
                let root = try HDF5.File.create("\(dir)/c.h5", overwrite: true).root
                try root.writeStrings("layer_names", ["d"], storage: .variableLength(.ascii))
                try root.createGroup("d").writeStrings("weight_names", ["d/kernel:0", "x/d/kernel:0"], storage: .variableLength(.ascii))
                try root.group("d").createDataset("d/kernel:0", type: .float32, shape: [2]).write([1, 2] as [Float])
                try root.group("d").createDataset("x/d/kernel:0", type: .float32, shape: [2]).write([3, 4] as [Float])
            }
            let run = try heft("diff", "\(dir)/c.h5", "\(dir)/c.h5")
            #expect(run.code == 2 && run.stderr.contains("are two different tensors with the same Keras identity 'd/kernel'"), "\(run.stderr)")
        }
    }
}
