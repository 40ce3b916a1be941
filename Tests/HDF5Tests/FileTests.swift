import Foundation
import HDF5
import Testing

extension HDF5Tests {
    @Suite("Files")
    struct FileTests {
        @Test("creates, closes and reopens a file")
        func createAndOpen() throws {
            try withTemporaryDirectory { directory in
                let path = directory + "/a.h5"
                do {
                    let file = try File.create(path, overwrite: false)
                    #expect(file.path == path)
                    #expect(try file.root.path == "/")
                    try file.root.createGroup("g").writeString("note", "hello")
                    try file.flush()
                }
                #expect(try File.isHDF5(path))
                let file = try File.open(path)
                #expect(try file.root.group("g").readString("note") == "hello")
            }
        }

        @Test("writes superblock version 0, like h5py's default")
        func superblockVersion() throws {
            try withTemporaryDirectory { directory in
                let path = directory + "/a.h5"
                _ = try File.create(path, overwrite: false)
                #expect(try h5dump("-B", "-H", path).contains("SUPERBLOCK_VERSION 0"))
            }
        }

        @Test("create without overwrite refuses an existing file; with overwrite replaces it")
        func createExclusive() throws {
            try withTemporaryDirectory { directory in
                let path = directory + "/a.h5"
                _ = try File.create(path, overwrite: false).root.createGroup("old")
                #expect(throws: HDF5Error.self) { try File.create(path, overwrite: false) }
                let file = try File.create(path, overwrite: true)
                #expect(try !file.root.linkExists("old"))
            }
        }

        @Test("a read-only file rejects writes with an HDF5Error")
        func readOnly() throws {
            try withTemporaryDirectory { directory in
                let path = directory + "/a.h5"
                _ = try File.create(path, overwrite: false)
                do {
                    let file = try File.open(path, access: .readOnly)
                    #expect(throws: HDF5Error.self) { try file.root.createGroup("g") }
                }
                let writable = try File.open(path, access: .readWrite)
                #expect(try writable.root.createGroup("g").path == "/g")
            }
        }

        @Test("opening a missing file names the path and the system error")
        func missingFile() throws {
            try withTemporaryDirectory { directory in
                let path = directory + "/missing.h5"
                let error = try #require(throws: HDF5Error.self) { try File.open(path) }
                #expect(error.file == path)
                #expect(error.object == "/")
                #expect(error.operation == "open file")
                #expect(error.description.hasPrefix("\(path): /: cannot open file: "))
                #expect(error.description.contains("No such file or directory"))
                #expect(!error.description.contains("\n"))
                #expect(error.messages.count > 1)
                #expect(error.messages.last?.contains("errno = 2") == true)
                #expect(throws: HDF5Error.self) { try File.isHDF5(path) }
            }
        }

        @Test("a file in another format is not HDF5 and does not open")
        func notHDF5() throws {
            try withTemporaryDirectory { directory in
                let path = directory + "/text.h5"
                try Data("just some text, not an HDF5 signature\n".utf8).write(
                    to: URL(fileURLWithPath: path))
                #expect(try !File.isHDF5(path))
                let error = try #require(throws: HDF5Error.self) { try File.open(path) }
                #expect(error.description.hasPrefix(path))
            }
        }

        @Test("a truncated file throws on open or read, never crashes")
        func truncated() throws {
            try withTemporaryDirectory { directory in
                let path = directory + "/truncated.h5"
                try File.create(path, overwrite: false).root
                    .createDataset("w", type: .float32, shape: [1000])
                    .write([Float](repeating: 1, count: 1000))
                let size = try #require(
                    FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                try handle.truncate(atOffset: UInt64(size / 2))
                try handle.close()
                let error = try #require(throws: HDF5Error.self) {
                    _ = try File.open(path).root.dataset("w").read(as: Float.self)
                }
                #expect(error.file == path)
                #expect(error.description.contains("truncated"))
            }
        }
    }
}
