/// What an attribute holds, without reading its data; see ``AttributeContainer/attributeInfo(_:)``.
public struct AttributeInfo: Hashable, Sendable {
    /// The broad type class of an attribute.
    public enum Kind: Hashable, Sendable {
        /// Fixed- or variable-length strings.
        case string
        /// Floating point numbers.
        case float
        /// Integers.
        case integer
        /// Any other class (opaque, compound, enum, …).
        case other
    }

    /// The type class.
    public let kind: Kind
    /// The dimensions; `[]` for a scalar attribute, `[0]` for numpy's empty arrays.
    public let shape: [Int]
    /// The element size in bytes (the pointer size for variable-length strings).
    public let elementSize: Int
    /// Whether the elements are variable-length strings.
    public let isVariableLengthString: Bool
    /// The character set for string attributes; `nil` otherwise.
    public let encoding: StringEncoding?
}
