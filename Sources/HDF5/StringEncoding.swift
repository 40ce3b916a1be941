/// The character set recorded for a string attribute.
///
/// The bytes written are always the string's UTF-8; like h5py writing Python `bytes`, `.ascii`
/// only labels them (Keras writes UTF-8 layer names under the ASCII label).
public enum StringEncoding: Hashable, Sendable {
    /// The corresponding C constant is `H5T_CSET_ASCII`.
    case ascii
    /// The corresponding C constant is `H5T_CSET_UTF8`.
    case utf8
}
