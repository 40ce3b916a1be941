import HDF5

extension Dataset {
    /// The text of the dataset's ``Integrity/digestAttribute`` as stored, or `nil` without one
    /// (callers check it is a SHA-256 in hex).
    ///
    /// The dataset's attributes are measured first: past `maximumAttributeBytes` of storage they
    /// are refused before libhdf5 loads them, and a digest longer than 1 KiB is refused as read.
    ///
    /// - Throws: ``HDF5Error`` if the attribute exists but cannot be read as one short string.
    func storedDigestText(maximumAttributeBytes: Int) throws -> String? {
        try requireAttributeStorage(atMost: maximumAttributeBytes)
        guard try hasAttribute(Integrity.digestAttribute) else { return nil }
        return try readString(Integrity.digestAttribute, maximumBytes: 1 << 10)
    }
}
