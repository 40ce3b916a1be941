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

    /// Writes each output position's window, `[kh, kw, channels]` in row-major order (zeros in the
    /// padding), as one row of `columns`.
    func gather(_ sample: UnsafeBufferPointer<Float>, into columns: inout [Float]) {
        let depth = size.0 * size.1 * channels
        columns.withUnsafeMutableBufferPointer { out in
            for i in 0..<outputRows {
                for j in 0..<outputColumns {
                    var at = (i * outputColumns + j) * depth
                    for di in 0..<size.0 {
                        for dj in 0..<size.1 {
                            if let (row, column) = source(i, j, di, dj) {
                                let from = (row * width + column) * channels
                                for c in 0..<channels { out[at + c] = sample[from + c] }
                            } else {
                                for c in 0..<channels { out[at + c] = 0 }
                            }
                            at += channels
                        }
                    }
                }
            }
        }
    }
}
