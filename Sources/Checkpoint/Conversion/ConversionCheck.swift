/// The proof a conversion gives before its output replaces anything: the output, read back as a
/// new file, holds at every written path a tensor with the identity of the source tensor written
/// there, holds every model tensor of the source, and loads into the source's model (and the
/// reference's, if any) by the rules of Keras's own loader.
struct ConversionCheck {
    let source: WeightFile
    let view: KerasModelView
    /// Output dataset path → identity of the source tensor written there.
    let expected: [String: String]
    let reference: WeightFile?
    /// The path the output will be moved to, for messages.
    let target: String

    /// Reads `temporary` back and checks it; returns its view.
    ///
    /// - Throws: ``CheckpointError`` (for the target) when the output would not load as the source does.
    func verify(_ temporary: String) throws -> KerasModelView {
        var limits = ReadLimits()
        limits.maximumObjects = .max   // Heft wrote this file: its own limits never refuse it
        limits.maximumTensorBytes = .max
        let output = try WeightFile(path: temporary, limits: limits)
        let outputView = output.kerasView(tellingFrom: view)
        // By path; a hard link under a second spelling of an attribute (not in the view) is the same variable.
        let byAddress = Dictionary(outputView.variables.map { ($0.entry.storageID, $0.identity) }, uniquingKeysWith: { first, _ in first })
        var identities = Dictionary(output.weights.map { ($0.path, byAddress[$0.storageID]) }, uniquingKeysWith: { first, _ in first })
            .compactMapValues { $0 }
        for variable in outputView.variables { identities[variable.entry.path] = variable.identity }
        for (path, identity) in expected.sorted(by: { $0.key < $1.key }) where identities[path] != identity {
            throw failure("\(path) would read as \(identities[path] ?? "nothing") where the source's \(identity) was written")
        }
        if outputView.variables.count != view.variables.count {
            throw failure("it would hold \(outputView.variables.count) model tensors, the source \(view.variables.count)")
        }
        for like in [source] + (reference.map { [$0] } ?? []) {
            if let divergence = KerasMatching.check(output, against: like).divergence {
                throw failure("it would not load like \(like.path): \(divergence)")
            }
        }
        return outputView
    }

    private func failure(_ detail: String) -> CheckpointError {
        CheckpointError(file: target, .conversionRefused(.wouldNotLoad(detail)))
    }
}
