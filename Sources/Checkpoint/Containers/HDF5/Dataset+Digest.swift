import HDF5

extension Dataset {
    /// The text of the dataset's ``Integrity/digestAttribute`` (or, in a file of Heft 0.1, its
    /// ``Integrity/legacyDigestAttribute``) as stored, or `nil` without one (callers parse it as a
    /// ``Digest``).
    ///
    /// The dataset's attributes are measured first: past `maximumAttributeBytes` of storage they
    /// are refused before libhdf5 loads them, and a digest longer than 1 KiB is refused as read.
    ///
    /// - Throws: ``HDF5Error`` if the attribute exists but cannot be read as one short string.
    func storedDigestText(maximumAttributeBytes: Int) throws -> String? {
        try requireAttributeStorage(atMost: maximumAttributeBytes)
        for name in [Integrity.digestAttribute, Integrity.legacyDigestAttribute] where try hasAttribute(name) {
            return try readString(name, maximumBytes: 1 << 10)
        }
        return nil
    }
}
