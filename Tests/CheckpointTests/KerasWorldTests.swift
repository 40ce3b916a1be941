import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint

/// The Keras-world corpus (fixtures/world, written by real tf-keras 2.21 and Keras 3.15): every
/// file's tensors get identities that are unique, equal across the layouts of one model, and name
/// the variables Keras names; the optimizer is apart; conversions keep every identity.
@Suite struct KerasWorldTests {
    static let cases: [WorldCase] = {
        do { return try WorldCase.all() } catch { return [] }   // an empty list fails `corpusIsThere`
    }()

    @Test func corpusIsThere() {
        #expect(Self.cases.count >= 30, "fixtures/world holds \(Self.cases.count) cases")
    }

    /// The model's tensors are Keras's `model.weights` (shapes and variable names), the optimizer
    /// apart with its `len(optimizer.variables)` tensors.
    @Test(arguments: cases)
    func modelTensorsAreKerassWeights(_ world: WorldCase) throws {
        let expected = world.weights.map { "\(keras3Name(of: $0.name)) \($0.shape)" }.sorted()
        for (layout, path) in world.paths {
            let view = try WeightFile(path: path).kerasView()
            let found = view.variables.map { "\($0.variable ?? $0.identity) \($0.entry.shape)" }.sorted()
            #expect(found == expected, "\(path)")
            let carriesOptimizer = world.optimizer != nil && layout != "legacy"
            #expect(view.optimizer?.variables.count == (carriesOptimizer ? world.optimizer?.variables : nil), "\(path)")
            if carriesOptimizer && (layout == "legacy_full" || world.writer == "keras3") {
                #expect(view.optimizer?.className == world.optimizer?.class, "\(path)")
                #expect(view.optimizer?.variables.contains { $0.identity.contains("/vars/") } == false, "\(path): positional optimizer names")
            }
        }
    }

    @Test func readmeHasTheCatalog() throws {
        let formats = try String(contentsOf: fixturesURL.deletingLastPathComponent().appendingPathComponent("docs/formats.md"), encoding: .utf8)
        #expect(formats.contains(KerasCatalog.markdownTable), "docs/formats.md's catalog differs from KerasCatalog.markdownTable")
    }

    /// Keras 3 names the second use of a layer in a Sequential too (`[shared, shared, head]` →
    /// `dense`, `dense_2`); tf-keras lists the layer once (`dense`, `dense_1`). Heft writes Keras 3's
    /// paths and reads both.
    @Test func sequentialWithASharedLayerFollowsKeras3sCounters() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let model = try withNamingSession {
                let shared = Dense(4, activation: .relu, inputShape: [4])
                return try Sequential([shared, shared, Dense(2)])
            }
            try model.saveWeights(to: "\(dir)/m.weights.h5")
            let keras3 = try WeightFile(path: "\(fixturesURL.path)/world/keras3_shared_sequential.weights.h5")
            #expect(try WeightFile(path: "\(dir)/m.weights.h5").weights.map(\.path) == keras3.weights.map(\.path))
            for writer in ["keras3", "tfkeras"] {
                let path = "\(fixturesURL.path)/world/\(writer)_shared_sequential.weights.h5"
                try model.loadWeights(from: path)
                let file = try WeightFile(path: path)
                let stored = try file.weights.map { try file.read($0) }
                #expect(model.weights.map(\.value) == stored, "\(writer)")
            }
        }
    }
}

/// Keras 3's name of a variable Keras calls `name` (`dense/kernel`, `dense/kernel:0`); tf-keras calls a
/// depthwise convolution's kernel `depthwise_kernel`.
private func keras3Name(of name: String) -> String {
    let tail = String(name.split(separator: "/").last ?? "")
    let variable = tail.hasSuffix(":0") ? String(tail.dropLast(2)) : tail
    return variable == "depthwise_kernel" && name.contains("depthwise_conv") ? "kernel" : variable
}
