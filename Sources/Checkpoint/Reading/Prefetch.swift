import NeuralNet

/// Which tensors ``FileIndexer`` reads while it has their datasets open for the checks, so a
/// load of many small weights opens each dataset once instead of twice (in libhdf5 1.10, opening
/// a dataset costs more than reading a small one).
///
/// The loader asks for both; `heft verify` and `heft convert` ask for digests only (a budget of
/// 0), the other tools for neither. A tensor that cannot be read
/// here is simply not prefetched: the read that needs it later reports the error, so a damaged
/// weight the load never uses fails nothing, as before.
package struct Prefetch {
    /// The largest tensor read ahead; bigger ones are read straight into the weights.
    package var maximumTensorBytes = 1 << 20
    /// The most bytes read ahead in total (a second copy of that much of the model).
    package var budget: Int
    /// Whether the stored ``Integrity/digestAttribute`` of every dataset is read too, through the
    /// same handle, whether or not its values are read ahead: a check of every tensor (`verify`,
    /// `convert`, a load) then opens no dataset a second time for its digest. A tensor is read
    /// ahead only if its digest could be read too.
    package var digests: Bool

    /// Whether a tensor of `bytes`, after `used` bytes already read ahead, is read ahead too.
    package init(maximumTensorBytes: Int = 1 << 20, budget: Int, digests: Bool) {
        self.maximumTensorBytes = maximumTensorBytes
        self.budget = budget
        self.digests = digests
    }

    package func admits(_ bytes: Int, after used: Int) -> Bool {
        bytes > 0 && bytes <= maximumTensorBytes && used + bytes <= budget
    }
}

/// A tensor read during indexing, in its stored dtype, with the digest text found beside it.
package struct PrefetchedTensor {
    /// The values as stored.
    package let value: Tensor
    /// The ``Integrity/digestAttribute`` as read (not yet validated), when digests were asked for
    /// and the dataset has one.
    package let digestText: String?
}
