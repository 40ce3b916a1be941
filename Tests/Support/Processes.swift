import Foundation

/// The standard output of running `executable` with `arguments` (and `environment`, when given),
/// read to its end before the process is waited for, so a large output cannot block it.
public func standardOutput(
    of executable: String, _ arguments: [String], environment: [String: String]? = nil
) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}
