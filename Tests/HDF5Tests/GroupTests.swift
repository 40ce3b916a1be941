import HDF5
import Testing

extension HDF5Tests {
    @Suite("Groups and links")
    struct GroupTests {
        @Test(
            "creates intermediate groups; opens groups by relative or absolute path"
        )
        func intermediateGroups() throws {
            try withTemporaryDirectory { directory in
                let root = try File.create(directory + "/a.h5", overwrite: false).root
                let deep = try root.createGroup("a/b/c")
                #expect(deep.path == "/a/b/c")
                #expect(try root.group("a").group("b").path == "/a/b")
                #expect(try root.group("a").group("/a/b/c").path == "/a/b/c")
                #expect(try root.objectKind(at: "a/b") == .group)
                #expect(try root.group("a").links().map(\.name) == ["b"])
                #expect(try root.group("a").links().map(\.kind) == [.hard])
            }
        }

        @Test("opening a missing dataset names its object path")
        func missingDataset() throws {
            try withTemporaryDirectory { directory in
                let path = directory + "/a.h5"
                let dense = try File.create(path, overwrite: false).root.createGroup("dense")
                let error = try #require(throws: HDF5Error.self) {
                    try dense.dataset("dense/kernel:0")
                }
                #expect(error.object == "/dense/dense/kernel:0")
                #expect(error.operation == "open dataset")
                #expect(
                    error.description.hasPrefix(
                        "\(path): /dense/dense/kernel:0: cannot open dataset: ")
                )
                #expect(throws: HDF5Error.self) { try dense.group("nope") }
            }
        }

        @Test("hard links to one dataset report the same object address")
        func hardLinks() throws {
            try withTemporaryDirectory { directory in
                let root = try File.create(directory + "/a.h5", overwrite: false).root
                let original = try root.createDataset("a/kernel", type: .float32, shape: [2])
                let other = try root.createDataset("a/bias", type: .float32, shape: [2])
                try root.createHardLink("b/shared", to: "/a/kernel")
                let alias = try root.dataset("b/shared")
                #expect(try alias.objectAddress == original.objectAddress)
                #expect(try other.objectAddress != original.objectAddress)
                try alias.write([Float(3), 4])
                #expect(try original.read(as: Float.self) == [3, 4])
            }
        }

        @Test("links() reports hard, soft and external links without following them")
        func linkKinds() throws {
            try withTemporaryDirectory { directory in
                let root = try File.create(directory + "/a.h5", overwrite: false).root
                _ = try root.createDataset("data", type: .int32, shape: [1])
                _ = try root.createGroup("group")
                try root.createSoftLink("soft", to: "/data")
                try root.createSoftLink("dangling", to: "/nowhere")
                try root.createExternalLink("external", file: "other.h5", path: "/x/y")
                let links = try root.links()
                #expect(
                    links.map { Link(name: $0.name, kind: $0.kind) } == [
                        Link(name: "dangling", kind: .soft(target: "/nowhere")),
                        Link(name: "data", kind: .hard),
                        Link(name: "external", kind: .external(file: "other.h5", path: "/x/y")),
                        Link(name: "group", kind: .hard),
                        Link(name: "soft", kind: .soft(target: "/data")),
                    ])
                // Hard links carry the object's address (the dataset's own), the others none.
                #expect(links.map { $0.objectAddress != nil } == [false, true, false, true, false])
                #expect(links[1].objectAddress == (try root.dataset("data").objectAddress))
                #expect(try root.objectKind(at: "data") == .dataset)
                #expect(try root.objectKind(at: "soft") == .dataset)
                #expect(try root.objectKind(at: "group") == .group)
                #expect(try root.objectKind(at: "external") == .other)
                #expect(throws: HDF5Error.self) { try root.objectKind(at: "dangling") }
                #expect(throws: HDF5Error.self) { try root.objectKind(at: "missing") }
            }
        }

        @Test("linkExists checks every component of a path")
        func linkExists() throws {
            try withTemporaryDirectory { directory in
                let root = try File.create(directory + "/a.h5", overwrite: false).root
                _ = try root.createDataset("dense/dense/kernel:0", type: .float32, shape: [4, 3])
                #expect(try root.linkExists("dense/dense/kernel:0"))
                #expect(try root.linkExists("/dense/dense"))
                #expect(try root.group("dense").linkExists("dense/kernel:0"))
                #expect(try !root.linkExists("dense/dense/bias:0"))
                #expect(try !root.linkExists("missing/dense/kernel:0"))
                #expect(try !root.linkExists("dense/dense/kernel:0/below"))
            }
        }
    }
}
