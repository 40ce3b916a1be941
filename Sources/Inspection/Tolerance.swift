import Checkpoint
/// When two element values count as equal in ``WeightDiff``.
///
/// - Values: `|a − b| ≤ absolute + relative · |b|`, with `b` from the second file (numpy's
///   `isclose` with the reference side explicit); the default is exact equality.
/// - With ``ulps``: the two values are at most that many representable values apart in their
///   stored dtype (this replaces `absolute`/`relative`).
/// - NaN equals NaN at the same position unless ``nanStrict``; +0 equals −0; infinities are equal
///   only to the same infinity.
public struct Tolerance: Sendable, Equatable {
    public var absolute: Double
    public var relative: Double
    public var ulps: Int?
    public var nanStrict: Bool

    public init(absolute: Double = 0, relative: Double = 0, ulps: Int? = nil, nanStrict: Bool = false) {
        self.absolute = absolute
        self.relative = relative
        self.ulps = ulps
        self.nanStrict = nanStrict
    }

    /// Exact equality (NaN = NaN at the same position, +0 = −0).
    public static let exact = Tolerance()
}
