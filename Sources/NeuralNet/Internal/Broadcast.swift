/// Numpy-style broadcasting of a smaller array over a larger shape.
enum Broadcast {
    /// For each element of an array of shape `full` (row-major), the index of the element of an
    /// array of shape `shape` that broadcasts onto it: `shape` has `full`'s rank, each size equal to
    /// `full`'s or 1.
    ///
    /// - Precondition: the shapes have one rank and `shape` broadcasts to `full`.
    static func sourceIndices(of shape: [Int], over full: [Int]) -> [Int] {
        precondition(shape.count == full.count && zip(shape, full).allSatisfy { $0 == 1 || $0 == $1 },
                     "Broadcast: \(formatShape(shape)) does not broadcast to \(formatShape(full))")
        return (0..<full.reduce(1, *)).map { index in
            var rest = index, source = 0, step = 1
            for axis in full.indices.reversed() {
                let coordinate = rest % full[axis]
                rest /= full[axis]
                if shape[axis] != 1 { source += coordinate * step }
                step *= shape[axis]
            }
            return source
        }
    }
}
