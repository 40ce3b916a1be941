import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint
#if canImport(Glibc)
import Glibc
#endif

/// What `convert` (and every save) may replace: a regular file or a new path; a symbolic link is
/// followed and the file it names replaced, the link kept; anything else is refused untouched.
@Suite struct TargetTests {
    let source = fixturesURL.appendingPathComponent("keras/tfkeras_seed_mlp.h5").path

    func mode(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode : 0
    }

    @Test func aFIFOIsRefusedAndLeftAlone() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let fifo = "\(dir)/pipe.h5"
            #expect(mkfifo(fifo, 0o644) == 0)
            let run = try heft("convert", source, fifo)
            #expect(run.code == 2 && run.stderr.contains("not a regular file (a FIFO, device or socket): refusing to replace it"), "\(run.stderr)")
            #expect(mode(fifo) & S_IFMT == S_IFIFO)
        }
    }

    @Test(.enabled(if: getuid() == 0, "mknod of a device needs root"))
    func aDeviceIsRefusedAndLeftAlone() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let device = "\(dir)/null.h5"
            #expect(mknod(device, S_IFCHR | 0o666, (1 << 8) | 3) == 0)   // 1:3 is /dev/null
            let run = try heft("convert", source, device)
            #expect(run.code == 2 && run.stderr.contains("not a regular file"), "\(run.stderr)")
            #expect(mode(device) & S_IFMT == S_IFCHR)
        }
    }

    /// `latest.h5 → ckpt-42.h5`: the checkpoint it names is replaced, the link stays a link; a link
    /// to a file not yet there creates it.
    @Test func aSymbolicLinkIsFollowedAndKept() throws {
        try withTemporaryDirectory { (dir: String) throws in
            try Data("old".utf8).write(to: URL(fileURLWithPath: "\(dir)/ckpt-42.h5"))
            #expect(symlink("ckpt-42.h5", "\(dir)/latest.h5") == 0)
            #expect(try heft("convert", source, "\(dir)/latest.h5").code == 0)
            #expect(mode("\(dir)/latest.h5") & S_IFMT == S_IFLNK)
            #expect(try heft("diff", "\(dir)/ckpt-42.h5", source).code == 0)
            #expect(symlink("missing.h5", "\(dir)/dangling.h5") == 0)
            #expect(try heft("convert", source, "\(dir)/dangling.h5").code == 0)
            #expect(mode("\(dir)/dangling.h5") & S_IFMT == S_IFLNK && mode("\(dir)/missing.h5") & S_IFMT == S_IFREG)
        }
    }

    @Test func aReplacedFileKeepsItsModeAndOwner() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let target = "\(dir)/w.h5"
            try Data("old".utf8).write(to: URL(fileURLWithPath: target))
            #expect(chmod(target, 0o640) == 0)
            let owner: (uid_t, gid_t) = getuid() == 0 ? (1234, 2345) : (getuid(), getgid())
            #expect(chown(target, owner.0, owner.1) == 0)
            #expect(try heft("convert", source, target).code == 0)
            var info = stat()
            #expect(stat(target, &info) == 0 && info.st_mode & 0o7777 == 0o640 && info.st_uid == owner.0 && info.st_gid == owner.1)
        }
    }

    /// The temporary file's name fits NAME_MAX (255 bytes) however long the target's name is.
    @Test func aLongTargetNameWorks() throws {
        try withTemporaryDirectory { (dir: String) throws in
            let name = String(repeating: "w", count: 240) + ".weights.h5"   // 251 bytes
            #expect(try heft("convert", source, "\(dir)/\(name)").code == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [name])
        }
    }
}
