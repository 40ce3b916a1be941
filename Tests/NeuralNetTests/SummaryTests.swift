import Foundation
import Testing
import TestSupport
@testable import NeuralNet

/// Golden texts written by real tf-keras (fixtures/summary, see tools/python/write_fixtures.py).
@Suite struct SummaryTests {
    func golden(_ name: String) throws -> String {
        let text = try String(contentsOf: fixturesURL.appendingPathComponent("summary/\(name).txt"), encoding: .utf8)
        return String(text.dropLast(text.hasSuffix("\n") ? 1 : 0))
    }

    @Test func seedWorkflowSummariesMatchTfKeras() throws {
        try withNamingSession {
            let net = try Sequential([Dense(256, activation: .relu, inputShape: [20]), Dense(10)])
            #expect(net.summary() == (try golden("seed_mlp")))
            let myInit = Initializer.custom { shape, dtype in .randomNormal(shape, dtype: dtype) }
            let net2 = try Sequential()
            try net2.add(Dense(64, kernelInitializer: myInit, inputShape: [10]))
            #expect(net2.summary() == (try golden("seed_my_init")))
            let model = MLPModel()
            _ = model(.ones([1, 2]))
            #expect(model.summary() == (try golden("seed_mlp_model")))
        }
    }

    @Test func frozenFloat64LayerAndLongNameMatchTfKeras() throws {
        try withNamingSession {
            let net = try Sequential([
                Dense(4000, inputShape: [1000], dtype: .float64),
                Dense(3, name: "a_rather_long_layer_name_that_wraps_around"),
            ])
            net.layers[0].trainable = false
            #expect(net.summary() == (try golden("frozen_float64_long_name")))
        }
    }

    @Test func readableSizesUseKerasUnits() {
        #expect(SummaryTable.readableSize(0) == "0.00 Byte")
        #expect(SummaryTable.readableSize(2816) == "2.75 KB")
        #expect(SummaryTable.readableSize(3 * 1024 * 1024 * 1024) == "3.00 GB")
    }
}
