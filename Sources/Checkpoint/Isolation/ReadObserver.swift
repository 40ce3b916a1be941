#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Told which object of which file reading starts on, so that a worker that crashes or hangs can
/// be reported with the object it was reading. An isolated worker (see ``Isolation``) hands one to
/// its work in ``Isolation/Worker``; a ``WeightFile`` opened with it reports every object it opens.
public final class ReadObserver: Sendable {
    private let slot: ObjectSlot

    init(slot: ObjectSlot) {
        self.slot = slot
    }

    /// Notes that `object` of `file` is about to be read.
    package func reading(_ object: String, in file: String) {
        slot.store("\(file)\t\(object)")
    }
}

/// A page shared between `heft` and its worker, holding the object the worker is reading: the
/// worker writes it with a plain copy (no system call, however many objects a file has), the parent
/// reads it once the worker has ended.
///
/// `@unchecked Sendable`: only the worker writes, and the parent reads after `wait4` returned.
final class ObjectSlot: @unchecked Sendable {
    private static let size = 4096
    private let page: UnsafeMutableRawPointer

    init?() {
        guard let mapped = mmap(nil, Self.size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0),
              mapped != MAP_FAILED else { return nil }
        page = mapped
        page.storeBytes(of: 0, as: UInt32.self)
    }

    deinit { munmap(page, Self.size) }

    /// Stores `text` (cut to fit): its length last, so a torn write reads as the previous length's bytes.
    func store(_ text: String) {
        let bytes = Array(text.utf8.prefix(Self.size - 8))
        bytes.withUnsafeBytes { (page + 8).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        page.storeBytes(of: UInt32(bytes.count), as: UInt32.self)
    }

    /// What was stored last.
    var text: String {
        let count = min(Int(page.load(as: UInt32.self)), Self.size - 8)
        return String(decoding: UnsafeRawBufferPointer(start: page + 8, count: count), as: UTF8.self)
    }
}
