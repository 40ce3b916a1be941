import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint
import Inspection

/// The Keras-world corpus (fixtures/world) through `diff`: every file equals itself, the layouts of
/// one model diff equal, and conversions keep every identity (or are refused).
@Suite struct KerasWorldDiffTests {
    static let cases: [WorldCase] = {
        do { return try WorldCase.all() } catch { return [] }   // an empty list fails `corpusIsThere`
    }()

    @Test func corpusIsThere() {
        #expect(Self.cases.count >= 30, "fixtures/world holds \(Self.cases.count) cases")
    }

    /// Property over every weights file Keras wrote in fixtures/ (the hostile ones, some of which
    /// crash libhdf5 itself, are the hostile corpus's; fixtures/containers holds shards, which are
    /// parts of a checkpoint, not files of their own): identities are unique per file and section
    /// (a repeat must be the same dataset), and the file diffs equal with itself.
    @Test func everyFixtureHasUniqueIdentitiesAndEqualsItself() throws {
        var checked = 0
        for path in try weightFiles(below: fixturesURL.path) where !path.contains("/hostile/") && !path.contains("/containers/") {
            let file = try WeightFile(path: path)
            let view = file.kerasView()
            for section in [Array(view.variables), view.optimizer?.variables ?? [], view.metrics] {
                var seen: [String: UInt64] = [:]
                for variable in section {
                    if let address = seen[variable.identity] {
                        #expect(address == variable.entry.storageID, "\(path): two tensors are \(variable.identity)")
                    }
                    seen[variable.identity] = variable.entry.storageID
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
}
