@testable import HDF5
import Testing

/// The values 0…5 in memory as `type`: numbers for the standard types, bit patterns for the
/// 16-bit floats.
private func zeroToFive(as type: ElementType) -> [UInt8] {
    switch type {
    case .float16: bytes(of: [0x0000, 0x3C00, 0x4000, 0x4200, 0x4400, 0x4500] as [UInt16])
    case .bfloat16: bytes(of: [0x0000, 0x3F80, 0x4000, 0x4040, 0x4080, 0x40A0] as [UInt16])
    case .float32: bytes(of: [0, 1, 2, 3, 4, 5] as [Float])
    case .float64: bytes(of: [0, 1, 2, 3, 4, 5] as [Double])
    case .int8: bytes(of: [0, 1, 2, 3, 4, 5] as [Int8])
    case .int16: bytes(of: [0, 1, 2, 3, 4, 5] as [Int16])
    case .int32: bytes(of: [0, 1, 2, 3, 4, 5] as [Int32])
    case .int64: bytes(of: [0, 1, 2, 3, 4, 5] as [Int64])
    case .uint8: bytes(of: [0, 1, 2, 3, 4, 5] as [UInt8])
    case .uint16: bytes(of: [0, 1, 2, 3, 4, 5] as [UInt16])
    case .uint32: bytes(of: [0, 1, 2, 3, 4, 5] as [UInt32])
    case .uint64: bytes(of: [0, 1, 2, 3, 4, 5] as [UInt64])
    }
}

/// What `h5dump -H` prints as the datatype Keras / h5py write for `type`.
private func h5dumpType(_ type: ElementType) -> String {
    switch type {
    case .float16: "16-bit little-endian floating-point 16-bit precision"
    case .bfloat16: "H5T_OPAQUE {"
    case .float32: "H5T_IEEE_F32LE"
    case .float64: "H5T_IEEE_F64LE"
    case .int8: "H5T_STD_I8LE"
    case .int16: "H5T_STD_I16LE"
    case .int32: "H5T_STD_I32LE"
    case .int64: "H5T_STD_I64LE"
    case .uint8: "H5T_STD_U8LE"
    case .uint16: "H5T_STD_U16LE"
    case .uint32: "H5T_STD_U32LE"
    case .uint64: "H5T_STD_U64LE"
    }
}

extension HDF5Tests {
    @Suite("Datasets")
    struct DatasetTests {
        @Test(
            "round-trips every element type, stored as Keras stores it",
            arguments: ElementType.allCases
        )
        func roundTrip(type: ElementType) throws {
            try withTemporaryDirectory { directory in
                let path = directory + "/a.h5"
                let written = zeroToFive(as: type)
                do {
                    let dataset = try File.create(path, overwrite: false).root
                        .createDataset("layer/w", type: type, shape: [2, 3])
                    try written.withUnsafeBytes { try dataset.write(from: $0, as: type) }
                }
                let dataset = try File.open(path).root.dataset("layer/w")
                #expect(try dataset.shape == [2, 3])
                #expect(try dataset.elementType == type)
                var read = [UInt8](repeating: 0xFF, count: written.count)
                try read.withUnsafeMutableBytes { try dataset.read(into: $0, as: type) }
                #expect(read == written)
                if type != .bfloat16 {
                    #expect(try dataset.read(as: Double.self) == [0, 1, 2, 3, 4, 5])
                }
                #expect(try h5dump("-H", path).contains("DATATYPE  \(h5dumpType(type))"))
            }
        }

        @Test("float16 1.0 is stored as 0x3C00 and HDF5 converts float16 to float32")
        func float16() throws {
            try withTemporaryDirectory { directory in
                let path = directory + "/a.h5"
                do {
                    let dataset = try File.create(path, overwrite: false).root
                        .createDataset("h", type: .float16, shape: [3])
                    try dataset.write([Float(1), -2, 0.5])
                    var bits = [UInt16](repeating: 0, count: 3)
                    try bits.withUnsafeMutableBytes { try dataset.read(into: $0, as: .float16) }
                    #expect(bits == [0x3C00, 0xC000, 0x3800])
                }
                #expect(try File.open(path).root.dataset("h").read(as: Float.self) == [1, -2, 0.5])
                #expect(try h5dump("-d", "/h", path).contains("1, -2, 0.5"))
            }
        }

        @Test("bfloat16 is a 2-byte opaque with Keras 3's dtype attribute")
        func bfloat16() throws {
            try withTemporaryDirectory { directory in
                let path = directory + "/a.h5"
                do {
                    let root = try File.create(path, overwrite: false).root
                    _ = try root.createDataset("tagged", type: .bfloat16, shape: [2])
                    try root.createDataset("bare", type: .bfloat16, shape: [2]).deleteAttribute(
                        "dtype")
                    _ = try root.createDataset("plain", type: .float32, shape: [2])
                }
                let dump = try h5dump("-H", "-d", "/tagged", path)
                #expect(dump.contains("OPAQUE_TAG \"\";"))
                #expect(dump.contains("CSET H5T_CSET_UTF8;"))
                let root = try File.open(path).root
                let tagged = try root.dataset("tagged")
                #expect(try tagged.elementType == .bfloat16)
                #expect(try tagged.hasBFloat16Tag)
                #expect(try tagged.readString("dtype") == "bfloat16")
                let bare = try root.dataset("bare")
                #expect(try bare.elementType == .bfloat16)
                #expect(try !bare.hasBFloat16Tag)
                let plain = try root.dataset("plain")
                #expect(try !plain.hasBFloat16Tag)
                var buffer = [UInt16](repeating: 0, count: 2)
                #expect(throws: HDF5Error.self) {
                    try buffer.withUnsafeMutableBytes { try plain.read(into: $0, as: .bfloat16) }
                }
            }
        }

        @Test("a big-endian float32 dataset reads as native floats")
        func bigEndian() throws {
            try withTemporaryDirectory { directory in
                let path = directory + "/a.h5"
                try File.create(path, overwrite: false).root
                    .createDataset("be", type: .float32, shape: [3], byteOrder: .bigEndian)
                    .write([Float(1.5), -2, 1e-3])
                #expect(try h5dump("-H", path).contains("H5T_IEEE_F32BE"))
                let dataset = try File.open(path).root.dataset("be")
                #expect(try dataset.elementType == .float32)
                #expect(try dataset.read(as: Float.self) == [1.5, -2, 1e-3])
            }
        }

        @Test("reads a block of rows with one hyperslab read")
        func slices() throws {
            try withTemporaryDirectory { directory in
                let dataset = try File.create(directory + "/a.h5", overwrite: false).root
                    .createDataset("m", type: .float32, shape: [4, 3])
                try dataset.write((0..<12).map(Float.init))
                var rows = [Float](repeating: 0, count: 6)
                try rows.withUnsafeMutableBytes {
                    try dataset.read(into: $0, as: .float32, offset: [1, 0], count: [2, 3])
                }
                #expect(rows == [3, 4, 5, 6, 7, 8])
                var column = [Double](repeating: 0, count: 4)
                try column.withUnsafeMutableBytes {
                    try dataset.read(into: $0, as: .float64, offset: [0, 2], count: [4, 1])
                }
                #expect(column == [2, 5, 8, 11])
                let error = try #require(throws: HDF5Error.self) {
                    try rows.withUnsafeMutableBytes {
                        try dataset.read(into: $0, as: .float32, offset: [3, 0], count: [2, 3])
                    }
                }
                #expect(error.object == "/m")
            }
        }

        @Test("reports Keras-style storage: contiguous, no filters, no external files")
        func storage() throws {
            try withTemporaryDirectory { directory in
                let root = try File.create(directory + "/a.h5", overwrite: false).root
                let dataset = try root.createDataset("w", type: .float64, shape: [5])
                try dataset.write([Double](repeating: 1, count: 5))
                #expect(try dataset.layout == .contiguous)
                #expect(try dataset.filters == [])
                #expect(try dataset.storageProperties == StorageProperties(layout: .contiguous, externalFileCount: 0))
                #expect(try dataset.extent == Extent(shape: [5], maximumShape: [5], elementCount: 5))
                #expect(try dataset.storageSize == 40)
                let scalar = try root.createDataset("step", type: .int64, shape: [])
                try scalar.write([Int64(7)])
                #expect(try scalar.shape == [])
                #expect(try scalar.read(as: Int64.self) == [7])
                let empty = try root.createDataset("empty", type: .float32, shape: [0, 3])
                #expect(try empty.read(as: Float.self) == [])
            }
        }
    }
}
