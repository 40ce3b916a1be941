import HDF5
import Testing

/// `count` distinct names of `length` characters.
private func names(_ count: Int, length: Int) -> [String] {
    (0..<count).map { index in
        let name = "layer_\(index)_"
        return name + String(repeating: "x", count: length - name.count)
    }
}

extension HDF5Tests {
    @Suite("Chunked string attributes (Keras's 64512-byte rule)")
    struct ChunkedAttributeTests {
        @Test("300 names of 225 characters split into two fixed-length chunks of 150")
        func twoChunks() throws {
            try withTemporaryDirectory { directory in
                let path = directory + "/a.h5"
                let layerNames = names(300, length: 225)
                do {
                    try File.create(path, overwrite: false).root.writeChunkedStrings(
                        "layer_names", layerNames)
                }
                let dump = try h5dump("-A", path)
                #expect(dump.contains("STRSIZE 225;"))
                #expect(dump.contains("STRPAD H5T_STR_NULLPAD;"))
                #expect(dump.contains("CSET H5T_CSET_ASCII;"))
                let root = try File.open(path).root
                #expect(try root.attributeNames() == ["layer_names0", "layer_names1"])
                for chunk in ["layer_names0", "layer_names1"] {
                    let info = try root.attributeInfo(chunk)
                    #expect(info.shape == [150])
                    #expect(info.elementSize == 225)
                    #expect(!info.isVariableLengthString)
                }
                #expect(try root.readChunkedStrings("layer_names") == layerNames)
            }
        }

        @Test("uneven splits put the extra item in the first chunks, sized to the global maximum")
        func unevenChunks() throws {
            try withTemporaryDirectory { directory in
                let root = try File.create(directory + "/a.h5", overwrite: false).root
                let values =
                    names(300, length: 225).enumerated().map {
                        $0.offset == 7 ? $0.element : String($0.element.prefix(20))
                    } + ["last"]
                try root.writeChunkedStrings("weight_names", values)
                #expect(try root.attributeInfo("weight_names0").shape == [151])
                #expect(try root.attributeInfo("weight_names1").shape == [150])
                #expect(try root.attributeInfo("weight_names1").elementSize == 225)
                #expect(try root.readChunkedStrings("weight_names") == values)
            }
        }

        @Test("a list that fits is one variable-length ASCII attribute, replacing earlier chunks")
        func singleAttribute() throws {
            try withTemporaryDirectory { directory in
                let root = try File.create(directory + "/a.h5", overwrite: false).root
                try root.writeChunkedStrings("layer_names", names(300, length: 225))
                try root.writeChunkedStrings("layer_names", ["dense", "dense_1"])
                #expect(try root.attributeNames() == ["layer_names"])
                let info = try root.attributeInfo("layer_names")
                #expect(info.isVariableLengthString)
                #expect(info.encoding == .ascii)
                #expect(try root.readChunkedStrings("layer_names") == ["dense", "dense_1"])
            }
        }

        @Test("thousands of short names fit as one fixed-length attribute (their variable-length message would not)")
        func manyShortNames() throws {
            try withTemporaryDirectory { directory in
                let root = try File.create(directory + "/a.h5", overwrite: false).root
                let many = (0..<5000).map { $0 == 0 ? "dense" : "dense_\($0)" }
                try root.writeChunkedStrings("layer_names", many)
                #expect(try root.attributeNames() == ["layer_names"])
                #expect(try !root.attributeInfo("layer_names").isVariableLengthString)
                #expect(try root.readChunkedStrings("layer_names") == many)
                let more = (0..<50000).map { "dense_\($0)" }
                try root.writeChunkedStrings("layer_names", more)
                #expect(try root.readChunkedStrings("layer_names") == more)
            }
        }

        @Test("an empty list is an empty float64 array, as numpy writes []")
        func emptyList() throws {
            try withTemporaryDirectory { directory in
                let root = try File.create(directory + "/a.h5", overwrite: false).root
                try root.writeChunkedStrings("weight_names", [])
                #expect(try root.attributeInfo("weight_names").kind == .float)
                #expect(try root.readChunkedStrings("weight_names") == [])
            }
        }

        @Test("an item over 64512 bytes and a missing attribute are errors")
        func errors() throws {
            try withTemporaryDirectory { directory in
                let root = try File.create(directory + "/a.h5", overwrite: false).root
                let error = try #require(throws: HDF5Error.self) {
                    try root.writeChunkedStrings(
                        "layer_names", [String(repeating: "x", count: 64513)])
                }
                #expect(error.description.contains("64512"))
                #expect(try root.attributeNames() == [])
                #expect(throws: HDF5Error.self) { try root.readChunkedStrings("layer_names") }
            }
        }

        @Test("readChunkedStringsIfPresent: nil when absent, chunks joined, a scalar flagged")
        func ifPresent() throws {
            try withTemporaryDirectory { directory in
                let root = try File.create(directory + "/a.h5", overwrite: false).root
                #expect(try root.readChunkedStringsIfPresent("layer_names") == nil)
                let chunked = names(300, length: 225)
                try root.writeChunkedStrings("layer_names", chunked)
                let list = try #require(try root.readChunkedStringsIfPresent("layer_names"))
                #expect(list.strings == chunked && !list.isScalar)
                try root.writeStrings("weight_names", ["a", "b"], storage: .variableLength(.ascii))
                let array = try #require(try root.readChunkedStringsIfPresent("weight_names"))
                #expect(array.strings == ["a", "b"] && !array.isScalar)
                try root.writeString("backend", "tensorflow")
                let scalar = try #require(try root.readChunkedStringsIfPresent("backend"))
                #expect(scalar.strings == ["tensorflow"] && scalar.isScalar)
            }
        }
    }
}
