import Foundation
import Testing
import TestSupport

/// The reproducers the libFuzzer target found (`tools/fuzz`; fixtures/hostile/fuzz/README.md).
@Suite struct FuzzReproducerTests {
    static let directory = fixturesURL.appendingPathComponent("hostile/fuzz")

    /// Every file in fixtures/hostile/fuzz/libhdf5: a crash, hang or runaway allocation inside
    /// libhdf5 1.10.8 (not in Heft's code), so only the worker process can contain it.
    static let libhdf5Files: [String] = {
        let folder = directory.appendingPathComponent("libhdf5").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".h5") }.sorted().map { "\(folder)/\($0)" }
    }()

    /// Found in Heft's code (base 06e7ee8): a link table entry with an empty name trapped in
    /// `Group.absolutePath` ("empty HDF5 path"); `Group.links()` now refuses such a name. Read in
    /// this process, without the worker, so a trap would fail the test.
    @Test func emptyLinkNameIsAnErrorNotATrap() throws {
        let file = Self.directory.appendingPathComponent("heft/empty-link-name.h5").path
        let run = try heft("verify", "--no-isolation", file)
        #expect(run.code == 2)
        #expect(run.stderr == "heft: error: \(file): /layers/dense: cannot list links: a link named '': the group is damaged\n")
    }

    @Test func theLibhdf5ReproducersArePresent() {
        #expect(Self.libhdf5Files.count >= 10)
    }

    /// `heft verify` ends each with exit code 2 and one line naming the file, within its timeout.
    @Test(arguments: libhdf5Files)
    func libhdf5FindingsAreContained(_ file: String) throws {
        let run = try heft("verify", "--timeout", "5", file)
        #expect(run.code == 2, "\(file): \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.hasPrefix("heft: error: \(file): "), "\(run.stderr)")
    }
}
