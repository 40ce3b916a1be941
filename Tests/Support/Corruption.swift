import Checkpoint
import Foundation

/// XORs one byte of a weight's data in the file with `mask` (the data must be one contiguous block):
/// a change HDF5 itself never notices in unfiltered data.
public func flipDataByte(in path: String, weight: Int, byte: Int = 1, mask: UInt8 = 0x10) throws {
    struct NotContiguous: Error {}
    guard let start = try WeightFile(path: path).weights[weight].dataOffset else { throw NotContiguous() }
    let offset = start + UInt64(byte)
    let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seek(toOffset: offset)
    guard let old = try handle.read(upToCount: 1)?.first else { throw NotContiguous() }
    try handle.seek(toOffset: offset)
    try handle.write(contentsOf: Data([old ^ mask]))
}
