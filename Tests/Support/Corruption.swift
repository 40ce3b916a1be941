import Foundation
import Testing
@testable import Checkpoint

/// XORs one byte of a weight's data in the file with `mask` (the data must be one contiguous block):
/// a change HDF5 itself never notices in unfiltered data.
func flipDataByte(in path: String, weight: Int, byte: Int = 1, mask: UInt8 = 0x10) throws {
    let offset = try #require(try WeightFile(path: path).weights[weight].dataOffset) + UInt64(byte)
    let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seek(toOffset: offset)
    let old = try #require(try handle.read(upToCount: 1)).first!
    try handle.seek(toOffset: offset)
    try handle.write(contentsOf: Data([old ^ mask]))
}
