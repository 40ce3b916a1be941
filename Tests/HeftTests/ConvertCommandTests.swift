import Foundation
import HDF5
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

@Suite struct ConvertCommandTests {
    static let models = ["seed_mlp", "nested", "float16", "float64", "shared_twice"]

    /// A weights-only legacy file records its layers' classes only in automatic names (`dense_1`);
    /// with custom names (`d0`, `shared`) the classes come from a reference, or the conversion is
    /// refused, naming the layer and the remedy.
    @Test(arguments: models)
    func legacyToV3MatchesKeras3sOwnFile(_ model: String) throws {
        try withTemporaryDirectory { (dir: String) throws in
            let source = keras("tfkeras_\(model).h5"), reference = keras("keras3_\(model).weights.h5")
            let plain = try heft("convert", source, "\(dir)/out.weights.h5")
            if ["nested", "shared_twice"].contains(model) {
                #expect(plain.code == 2 && plain.stderr.contains("cannot convert to keras-v3: ") && plain.stderr.contains("give --like REF"))
                #expect(!FileManager.default.fileExists(atPath: "\(dir)/out.weights.h5"))
                let like = try heft("convert", "--like", reference, source, "\(dir)/out.weights.h5")
                #expect(like.code == 0, "\(like.stderr)")
            } else {
                #expect(plain.code == 0 && plain.stdout.contains("keras-v3, written from"), "\(plain.stderr)")
            }
            #expect(try heft("diff", "\(dir)/out.weights.h5", reference).code == 0)
        }
    }

    @Test(arguments: models)
    func v3ToLegacyMatchesTfKerassOwnFileByOrder(_ model: String) throws {
        try withTemporaryDirectory { (dir: String) throws in
            #expect(try heft("convert", "--to", "keras-legacy", keras("keras3_\(model).weights.h5"), "\(dir)/out.weights.h5").code == 0)
            #expect(try WeightFile(path: "\(dir)/out.weights.h5").format == .kerasLegacy)
            #expect(try heft("diff", "--by-order", "\(dir)/out.weights.h5", keras("tfkeras_\(model).h5")).code == 0)
            #expect(try heft("diff", "\(dir)/out.weights.h5", keras("tfkeras_\(model).h5")).code == 0, "names match too")
        }
    }

    @Test func sameLayoutRewriteKeepsDTypesAndTies() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let encoder = Dense(3, inputShape: [3], dtype: .float16, name: "dense"), decoder = Dense(3, dtype: .float16, name: "dense_1")
            decoder.tie(kernel: encoder.kernel!)
            try Sequential([encoder, decoder]).saveWeights(to: "\(dir)/tied.h5")
            let legacyRun = try heft("convert", "\(dir)/tied.h5", "\(dir)/copy.h5")
            #expect(legacyRun.code == 0, "\(legacyRun.stderr)")
            #expect(try heft("convert", "\(dir)/tied.h5", "\(dir)/copy.weights.h5").code == 0)
            for path in ["\(dir)/copy.h5", "\(dir)/copy.weights.h5"] {
                let file = try WeightFile(path: path)
                #expect(file.weights.allSatisfy { $0.dtype == .float16 })
                #expect(file.weights.filter { $0.sharedWith != nil }.count == 1)
            }
            #expect(try heft("diff", "\(dir)/tied.h5", "\(dir)/copy.h5").code == 0)
        }
    }

    @Test func fullModelFileUsesItsConfig() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let run = try heft("convert", "--json", keras("keras3_nested.full.h5"), "\(dir)/n.weights.h5")
            let json = try run.json()
            #expect(run.code == 0 && json["schema"] as? Int == 1 && json["from"] as? String == "keras-legacy")
            #expect(json["to"] as? String == "keras-v3" && json["weights"] as? Int == 8 && json["layers"] as? Int == 3)
            #expect(try heft("diff", "\(dir)/n.weights.h5", keras("keras3_nested.weights.h5")).code == 0)
        }
    }

    @Test func unknownLayerClassIsAClearError() throws {
        try withTemporaryDirectory { (dir: String) throws in
            do {   // closed (and unlocked) before heft opens it
                let root = try HDF5.File.create("\(dir)/odd.h5", overwrite: true).root
                try root.writeStrings("layer_names", ["odd"], storage: .variableLength(.ascii))
                try root.createGroup("odd").writeStrings("weight_names", ["odd/w:0"], storage: .variableLength(.ascii))
                try root.group("odd").createDataset("odd/w:0", type: .float32, shape: [2]).write([1, 2] as [Float])
            }
            let run = try heft("convert", "\(dir)/odd.h5", "\(dir)/odd.weights.h5")
            #expect(run.code == 2 && run.stderr.contains("cannot convert to keras-v3: the class of layer 'odd' is unknown"))
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/odd.weights.h5"))
        }
    }
}
