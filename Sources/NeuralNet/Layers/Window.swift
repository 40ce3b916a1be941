/// The sliding window of a 2-D convolution or pooling over one `[height, width, channels]` sample:
/// output geometry, padding, and the gather of every window into a row (im2col).
struct Window {
    let height: Int, width: Int, channels: Int
    let size: (Int, Int), strides: (Int, Int)
    let outputRows: Int, outputColumns: Int
    let padTop: Int, padLeft: Int

    init(input: [Int], size: (Int, Int), strides: (Int, Int), padding: Padding) {
        (height, width, channels) = (input[0], input[1], input[2])
        self.size = size
        self.strides = strides
        (outputRows, padTop) = padding.geometry(input: height, window: size.0, stride: strides.0)
        (outputColumns, padLeft) = padding.geometry(input: width, window: size.1, stride: strides.1)
    }

    /// Elements of one sample.
    var sampleCount: Int { height * width * channels }

    /// The input row and column of window offset `(di, dj)` at output `(i, j)`, or `nil` in padding.
    @inline(__always)
    func source(_ i: Int, _ j: Int, _ di: Int, _ dj: Int) -> (Int, Int)? {
        let row = i * strides.0 + di - padTop, column = j * strides.1 + dj - padLeft
        return row >= 0 && row < height && column >= 0 && column < width ? (row, column) : nil
    }

    /// Writes the window of each output position of output rows `rows`, `[kh, kw, channels]` in
    /// row-major order (zeros in the padding), as one row of `out`: per window row, the columns inside the input are one
    /// contiguous run of the sample, copied with `memcpy` (a thread beside BLAS's spinning workers
    /// would slow both down).
    func gather(_ sample: UnsafeBufferPointer<Float>, outputRows rows: Range<Int>, into out: UnsafeMutableBufferPointer<Float>) {
        let depth = size.0 * size.1 * channels, run = size.1 * channels
        precondition(out.count >= rows.count * outputColumns * depth, "Window.gather: the destination is too small")
        guard let base = out.baseAddress, let source = sample.baseAddress else { return }
        for i in rows {
            for j in 0..<outputColumns {
                var at = base + ((i - rows.lowerBound) * outputColumns + j) * depth
                for di in 0..<size.0 {
                    defer { at += run }
                    let row = i * strides.0 + di - padTop
                    guard row >= 0 && row < height else {
                        at.update(repeating: 0, count: run)
                        continue
                    }
                    // Window columns first..<first + size.1; those inside the input are contiguous.
                    let first = j * strides.1 - padLeft
                    let lower = max(first, 0), upper = min(first + size.1, width)
                    let before = min(lower - first, size.1), inside = max(upper - lower, 0)
                    at.update(repeating: 0, count: before * channels)
                    (at + before * channels).update(from: source + (row * width + lower) * channels, count: inside * channels)
                    (at + (before + inside) * channels).update(repeating: 0, count: (size.1 - before - inside) * channels)
                }
            }
        }
    }
}
