#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
internal import CHDF5

/// Forks the process while this thread holds libhdf5's global API lock, and closes the child's
/// inherited descriptors before any other thread may call libhdf5 again.
///
/// The thread-safe libhdf5 serialises every call with one recursive lock. A plain `fork` taken
/// while another thread is inside libhdf5 copies that lock held by a thread the child does not
/// have, and the child's first HDF5 call waits forever. Forking from inside a libhdf5 callback
/// (a property-list class's create callback, which runs under the lock) guarantees that no other
/// thread is inside the library, and the child, whose only thread is the lock's owner, can keep
/// calling it.
///
/// HDF5 holds an `flock` on every file it opens, and a forked child shares those locks until it
/// closes its copies of the descriptors: the parent keeps the lock until the child has done so,
/// so no thread of the parent ever finds its own file locked by the child.
package enum LibraryFork {
    /// Forks; the child closes every inherited descriptor except stdin, stdout, stderr and
    /// `keeping`, then runs `child`, which must end the process (`_exit`). The parent gets the
    /// child's process id.
    ///
    /// The corresponding C functions are `H5Pcreate_class`, `H5Pcreate` and `fork`.
    /// - Throws: ``HDF5Error`` if libhdf5 cannot run the callback or `fork` fails.
    package static func fork(keeping: [Int32], runningInChild child: () -> Never) throws -> Int32 {
        try Library.initialize()
        let location = Location(file: "", object: "")
        var ready: [Int32] = [-1, -1]
        guard pipe(&ready) == 0 else { throw location.error("fork", "pipe failed: \(String(cString: strerror(errno)))") }
        defer { close(ready[0]) }
        // Not inherited by processes other threads spawn meanwhile: one holding the write end would
        // keep the parent waiting (under the library lock) until it exits.
        for descriptor in ready { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        return try withoutActuallyEscaping(child) { child in
            let context = ForkContext(child: child, keeping: keeping, ready: (ready[0], ready[1]))
            let forkClass = try check(
                H5Pcreate_class(chdf5_root_class(), "heft.fork", { _, pointer in
                    guard let pointer else { return -1 }
                    Unmanaged<ForkContext>.fromOpaque(pointer).takeUnretainedValue().forkUnderLock()
                    return 0
                }, Unmanaged.passUnretained(context).toOpaque(), nil, nil, nil, nil),
                "create the fork property class", location)
            defer { H5Pclose_class(forkClass) }
            let list = try withExtendedLifetime(context) {
                try check(H5Pcreate(forkClass), "fork under the library lock", location)
            }
            H5Pclose(list)
            guard context.pid > 0 else {
                throw location.error("fork", "fork failed: \(String(cString: strerror(context.errorNumber)))")
            }
            return context.pid
        }
    }
}

/// The child's work and the fork's result; the C callback cannot capture context.
private final class ForkContext {
    let child: () -> Never
    let keeping: [Int32]
    let ready: (read: Int32, write: Int32)
    var pid: Int32 = -1
    var errorNumber: Int32 = 0

    init(child: @escaping () -> Never, keeping: [Int32], ready: (read: Int32, write: Int32)) {
        self.child = child
        self.keeping = keeping
        self.ready = ready
    }

    /// Runs inside libhdf5's lock: forks, and in the parent waits until the child has closed its
    /// inherited descriptors (it closes the pipe's write end last, which ends the parent's read).
    func forkUnderLock() {
        pid = Glibc.fork()
        if pid == 0 {
            closeInheritedDescriptors(keeping: keeping + [ready.write])
            close(ready.write)
            child()
        }
        errorNumber = errno
        close(ready.write)
        var byte: UInt8 = 0
        while read(ready.read, &byte, 1) < 0 && errno == EINTR {}
    }

    /// Closes every descriptor above stderr except `kept`.
    private func closeInheritedDescriptors(keeping kept: [Int32]) {
        guard let directory = opendir("/proc/self/fd") else { return }
        var open: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let descriptor = Int32(name) { open.append(descriptor) }
        }
        let listing = dirfd(directory)
        closedir(directory)
        for descriptor in open where descriptor > STDERR_FILENO && descriptor != listing && !kept.contains(descriptor) {
            close(descriptor)
        }
    }
}
