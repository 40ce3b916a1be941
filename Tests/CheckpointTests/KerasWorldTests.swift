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

    /// Property over every weights file Keras wrote in fixtures/ (the hostile ones, some of which
    /// crash libhdf5 itself, are the hostile corpus's): identities are unique per file and section
    /// (a repeat must be the same dataset), and the file diffs equal with itself.
    @Test func everyFixtureHasUniqueIdentitiesAndEqualsItself() throws {
        var checked = 0
        for path in try weightFiles(below: fixturesURL.path) where !path.contains("/hostile/") {
            let file = try WeightFile(path: path)
            let view = file.kerasView()
            for section in [view.variables, view.optimizer?.variables ?? [], view.metrics] {
                var seen: [String: UInt64] = [:]
                for variable in section {
                    if let address = seen[variable.identity] {
                        #expect(address == variable.entry.objectAddress, "\(path): two tensors are \(variable.identity)")
                    }
                    seen[variable.identity] = variable.entry.objectAddress
                }
            }
            let result = try WeightDiff.compare(file, file, options: .init())
            let differing = result.tensors.filter(\.isDifference).map(\.name)
            #expect(result.equal && differing.isEmpty, "\(path) differs from itself: \(differing)")
            checked += 1
        }
        #expect(checked >= 140)
    }

    /// Every pair of layouts of one model diffs equal, model and optimizer alike.
    @Test(arguments: cases)
    func layoutsOfOneModelDiffEqual(_ world: WorldCase) throws {
        let files = try world.paths.map { try WeightFile(path: $0.path) }
        for a in files {
            for b in files where a !== b {
                let result = try WeightDiff.compare(a, b, options: .init())
                let model = result.tensors.filter { $0.section == .model }
                #expect(result.equal && model.count == world.weights.count, "\(a.path) vs \(b.path): \(model.filter(\.isDifference).map(\.name))")
                let state = result.tensors.filter { $0.section != .model && $0.isDifference }.map(\.name)
                #expect(state.isEmpty, "\(a.path) vs \(b.path): state \(state)")
            }
        }
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

    /// Each file converts to each layout with every identity kept, or is refused because it does not
    /// record what the other layout needs (a weights-only legacy file with custom names or a nested
    /// model, tf-keras's TimeDistributed whose wrapped class no tf-keras file records).
    @Test(arguments: cases)
    func conversionsKeepIdentitiesOrAreRefused(_ world: WorldCase) throws {
        try withTemporaryDirectory { (dir: String) throws in
            for (layout, path) in world.paths {
                let source = try WeightFile(path: path)
                for format in WeightFileFormat.allCases {
                    let output = "\(dir)/\(layout).\(format == .kerasV3 ? "weights.h5" : "h5")"
                    let refusal = world.expectedRefusal(converting: layout, to: format)
                    do {
                        try source.convert(to: output, format: format)
                        #expect(refusal == nil, "\(path) → \(format) converted; expected a refusal (\(refusal ?? ""))")
                        let result = try WeightDiff.compare(source, WeightFile(path: output), options: .init())
                        #expect(result.equal && !result.tensors.contains { $0.section == .model && $0.isDifference }, "\(path) → \(format)")
                    } catch let error as CheckpointError {
                        #expect(refusal != nil && "\(error)".contains("cannot convert to \(format): "), "\(path) → \(format): \(error)")
                        #expect(!FileManager.default.fileExists(atPath: output))
                    }
                }
            }
        }
    }

    @Test func readmeHasTheCatalog() throws {
        let readme = try String(contentsOf: fixturesURL.deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains(KerasCatalog.markdownTable), "README.md's catalog differs from KerasCatalog.markdownTable")
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

/// Every `.h5` file below `directory`.
func weightFiles(below directory: String) throws -> [String] {
    let enumerator = FileManager.default.enumerator(atPath: directory)
    var paths: [String] = []
    while let relative = enumerator?.nextObject() as? String {
        if relative.hasSuffix(".h5") { paths.append("\(directory)/\(relative)") }
    }
    return paths.sorted()
}
