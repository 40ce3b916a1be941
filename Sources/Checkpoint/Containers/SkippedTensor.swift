/// A tensor another process writes (see ``ShardedWrite`` and ``SingleFileWrite``): its bytes are
/// neither read nor written here, and its digest is that process's to report.
struct SkippedTensor: TensorWriter {
    var writesData: Bool { false }
    func write(_ bytes: UnsafeRawBufferPointer, rows: Range<Int>?) throws {}
    func storeDigest(_ digest: String) throws {}
}
