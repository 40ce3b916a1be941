import HDF5
import Testing

extension HDF5Tests {
    @Suite("Attributes")
    struct AttributeTests {
        @Test("variable-length ASCII strings are written as tf-keras writes layer_names")
        func variableLengthASCII() throws {
            try withTemporaryDirectory { directory in
                let path = directory + "/a.h5"
                do {
                    let root = try File.create(path, overwrite: false).root
                    try root.writeStrings(
                        "layer_names", ["dense", "dense_1"], storage: .variableLength(.ascii))
                    try root.writeString("backend", "tensorflow")
                }
                let dump = try h5dump("-A", "-a", "/layer_names", path)
                #expect(dump.contains("STRSIZE H5T_VARIABLE;"))
                #expect(dump.contains("STRPAD H5T_STR_NULLTERM;"))
                #expect(dump.contains("CSET H5T_CSET_ASCII;"))
                #expect(dump.contains("SIMPLE { ( 2 ) / ( 2 ) }"))
                let root = try File.open(path).root
                #expect(try root.readStrings("layer_names") == ["dense", "dense_1"])
                #expect(try root.readString("backend") == "tensorflow")
                #expect(try root.readStrings("backend") == ["tensorflow"])
                let info = try root.attributeInfo("layer_names")
                #expect(info.kind == .string)
                #expect(info.shape == [2])
                #expect(info.isVariableLengthString)
                #expect(info.encoding == .ascii)
                #expect(try root.attributeInfo("backend").shape == [])
                #expect(try root.attributeNames() == ["backend", "layer_names"])
            }
        }

        @Test("variable-length UTF-8 strings round-trip non-ASCII text")
        func variableLengthUTF8() throws {
            try withTemporaryDirectory { directory in
                let path = directory + "/a.h5"
                let text = "Größe – 重み ✓"
                do {
                    let group = try File.create(path, overwrite: false).root.createGroup("g")
                    try group.writeString("name", text, encoding: .utf8)
                    try group.writeStrings(
                        "names", [text, "", "plain"], storage: .variableLength(.utf8))
                }
                #expect(try h5dump("-A", "-a", "/g/name", path).contains("CSET H5T_CSET_UTF8;"))
                let group = try File.open(path).root.group("g")
                #expect(try group.readString("name") == text)
                #expect(try group.readStrings("names") == [text, "", "plain"])
                #expect(try group.attributeInfo("name").encoding == .utf8)
            }
        }

        @Test("fixed-length NULLPAD strings are sized to the longest value")
        func fixedLength() throws {
            try withTemporaryDirectory { directory in
                let path = directory + "/a.h5"
                do {
                    let root = try File.create(path, overwrite: false).root
                    try root.writeStrings("weight_names", ["ab", "cde"], storage: .fixedLength)
                    try root.writeStrings("blank", [""], storage: .fixedLength)
                }
                let dump = try h5dump("-A", path)
                #expect(dump.contains("STRSIZE 3;"))
                #expect(dump.contains("STRSIZE 1;"))
                #expect(dump.contains("STRPAD H5T_STR_NULLPAD;"))
                let root = try File.open(path).root
                #expect(try root.readStrings("weight_names") == ["ab", "cde"])
                #expect(try root.readStrings("blank") == [""])
                let info = try root.attributeInfo("weight_names")
                #expect(!info.isVariableLengthString)
                #expect(info.elementSize == 3)
            }
        }

        @Test("an empty float64[0] attribute, as Keras writes weight_names, reads as no strings")
        func emptyArray() throws {
            try withTemporaryDirectory { directory in
                let path = directory + "/a.h5"
                do {
                    let group = try File.create(path, overwrite: false).root.createGroup(
                        "input_layer")
                    try group.writeEmptyFloat64Array("weight_names")
                }
                let dump = try h5dump("-A", path)
                #expect(dump.contains("DATATYPE  H5T_IEEE_F64LE"))
                #expect(dump.contains("DATASPACE  SIMPLE { ( 0 ) / ( 0 ) }"))
                let group = try File.open(path).root.group("input_layer")
                #expect(try group.readStrings("weight_names") == [])
                #expect(try group.readScalars("weight_names", as: Double.self) == [])
                let info = try group.attributeInfo("weight_names")
                #expect(info.kind == .float)
                #expect(info.shape == [0])
            }
        }

        @Test("numeric attributes round-trip with conversion, on groups and datasets")
        func scalars() throws {
            try withTemporaryDirectory { directory in
                let root = try File.create(directory + "/a.h5", overwrite: false).root
                let dataset = try root.createDataset("w", type: .float32, shape: [1])
                try dataset.writeScalars("grid", [1, 2, 3, 4, 5, 6] as [Int32], shape: [2, 3])
                try root.writeScalars("epoch", [Int64(12)], shape: [])
                #expect(try dataset.readScalars("grid", as: Double.self) == [1, 2, 3, 4, 5, 6])
                #expect(try dataset.attributeInfo("grid").kind == .integer)
                #expect(try dataset.attributeInfo("grid").shape == [2, 3])
                #expect(try root.readScalars("epoch", as: Int64.self) == [12])
                #expect(throws: HDF5Error.self) { try root.readStrings("epoch") }
            }
        }

        @Test("writing replaces an existing attribute")
        func replace() throws {
            try withTemporaryDirectory { directory in
                let root = try File.create(directory + "/a.h5", overwrite: false).root
                try root.writeStrings("names", ["a", "b"], storage: .fixedLength)
                try root.writeString("names", "c", encoding: .utf8)
                #expect(try root.readStrings("names") == ["c"])
                #expect(try root.attributeInfo("names").isVariableLengthString)
                #expect(try root.hasAttribute("names"))
                #expect(try !root.hasAttribute("other"))
            }
        }

        @Test("errors name the object and the attribute")
        func errors() throws {
            try withTemporaryDirectory { directory in
                let path = directory + "/a.h5"
                let group = try File.create(path, overwrite: false).root.createGroup("dense")
                try group.writeStrings("pair", ["a", "b"], storage: .variableLength(.ascii))
                let missing = try #require(throws: HDF5Error.self) { try group.readStrings("nope") }
                #expect(missing.object == "/dense")
                #expect(
                    missing.description.hasPrefix("\(path): /dense: cannot open attribute 'nope': ")
                )
                let count = try #require(throws: HDF5Error.self) { try group.readString("pair") }
                #expect(count.description.hasSuffix("expected 1 string, found 2"))
            }
        }
    }
}
