#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Text read from a child's pipe without blocking: its last complete line, or its first bytes.
struct PipeText {
    enum Keep { case lastLine, prefix(Int) }
    let keep: Keep
    private(set) var bytes: [UInt8] = []
    private(set) var lastLine = ""

    init(keep: Keep) { self.keep = keep }

    /// The first non-empty line, if any.
    var firstLine: String? {
        bytes.split(separator: UInt8(ascii: "\n")).lazy.map { String(decoding: $0, as: UTF8.self) }
            .first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// Reads what is available now.
    mutating func read(from descriptor: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 0) > 0 else { return }
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            guard count > 0 else { return }
            append(buffer[0..<count])
        }
    }

    private mutating func append(_ chunk: ArraySlice<UInt8>) {
        switch keep {
        case .prefix(let limit):
            bytes += chunk.prefix(max(0, limit - bytes.count))
        case .lastLine:
            bytes += chunk
            guard let newline = bytes.lastIndex(of: UInt8(ascii: "\n")) else { return }
            if let line = bytes[..<newline].split(separator: UInt8(ascii: "\n")).last {
                lastLine = String(decoding: line, as: UTF8.self)
            }
            bytes.removeSubrange(...newline)
        }
    }
}
