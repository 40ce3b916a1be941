// The libFuzzer target for Heft's model-free reader.
//
// Each input is written to one temp file per process (libhdf5 needs a path) and run through what
// `heft verify` does: `WeightFile(path:)`, then `Verification.verify` with default options, plus a
// whole-tensor `read(_:)` of every weight and the name helpers `dump` and `diff` use. Thrown errors
// are the expected outcome for bad input; a trap, crash, hang, leak or over-limit allocation is a
// finding.
//
// Two builds of this one file:
// - `tools/fuzz` builds it with `-sanitize=fuzzer,address -D HEFT_FUZZ`: no `main` here, libFuzzer
//   supplies it and calls `LLVMFuzzerTestOneInput`.
// - A plain `swift build` makes `heft-fuzz FILE…`, which replays inputs (crash reproducers) through
//   the same function without sanitizers and prints each outcome.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Checkpoint
import Inspection
import HDF5
import NeuralNet

/// What one input did.
enum Outcome {
    case rejected(String)
    case verified(weights: Int, problems: Int, ok: Bool)
}

/// The per-process scratch file, in `$HEFT_FUZZ_DIR` (`tools/fuzz` makes one per run and removes
/// it: libFuzzer's fork mode kills jobs, so their exit handlers do not run), else `/dev/shm`
/// (memory) when it exists, else `$TMPDIR` or `/tmp`.
let scratchPath: String = {
    let environment = { (name: String) in getenv(name).map { String(cString: $0) } }
    let directory = environment("HEFT_FUZZ_DIR")
        ?? (access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (environment("TMPDIR") ?? "/tmp"))
    return "\(directory)/heft-fuzz-\(getpid()).h5"
}()

/// Removes the scratch file when the process exits normally.
let removeScratchAtExit: Void = { atexit { unlink(scratchPath) } }()

/// Rewrites the scratch file with `bytes` (same path and inode every time: libhdf5 closed the
/// previous input, checked by ``requireNoOpenHDF5Objects()``).
func writeScratch(_ bytes: UnsafeRawBufferPointer) {
    _ = removeScratchAtExit
    let descriptor = open(scratchPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard descriptor >= 0 else { fatalError("heft-fuzz: cannot create \(scratchPath): \(String(cString: strerror(errno)))") }
    defer { close(descriptor) }
    var written = 0
    while written < bytes.count {
        let result = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
        guard result > 0 else { fatalError("heft-fuzz: cannot write \(scratchPath): \(String(cString: strerror(errno)))") }
        written += result
    }
}

/// Runs the reader over the file at `path`, as `heft verify` does.
func exercise(_ path: String) -> Outcome {
    do {
        let file = try WeightFile(path: path)
        for weight in file.weights + file.topLevelWeights {
            _ = file.identity(of: weight)
            _ = file.hasVerifiedExtent(weight)
            // An unreadable tensor is a thrown error, as in `verify`: keep going with the next one.
            _ = try? file.read(weight)
        }
        let report = try Verification.verify(file, options: Verification.Options())
        return .verified(weights: report.tensors, problems: report.problems.count, ok: report.ok)
    } catch {
        return .rejected("\(error)")
    }
}

/// Traps if any HDF5 file or object is still open once the reader's values are gone: a leaked
/// handle would keep the previous input open under the reused path (and is a bug in itself).
func requireNoOpenHDF5Objects() {
    let open = File.openObjectCount
    if open != 0 { fatalError("heft-fuzz: \(open) HDF5 object(s) left open after the input was processed") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    writeScratch(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
    _ = exercise(scratchPath)
    requireNoOpenHDF5Objects()
    return 0
}

#if HEFT_FUZZ
/// libFuzzer's driver (in the `-sanitize=fuzzer` runtime), declared here because SwiftPM links a
/// test-enabled package's executables with `--defsym main=heft_fuzz_main`: this module must define
/// that entry point, and it hands control to libFuzzer as libFuzzer's own `main` would.
@_extern(c, "LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

@_cdecl("heft_fuzz_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
}
#else
/// `heft-fuzz FILE…`: replays inputs through the fuzz target's reader, without sanitizers.
@main
struct HeftFuzzReplay {
    static func main() {
        let paths = CommandLine.arguments.dropFirst()
        guard !paths.isEmpty else {
            print("usage: heft-fuzz FILE…   (replays fuzz inputs; tools/fuzz builds the libFuzzer binary)")
            exit(2)
        }
        for path in paths {
            let outcome = exercise(path)
            requireNoOpenHDF5Objects()
            switch outcome {
            case .rejected(let reason): print("\(path): rejected: \(reason)")
            case let .verified(weights, problems, ok):
                print("\(path): \(weights) weights, \(problems) problem(s), \(ok ? "verified" : "verification failed")")
            }
        }
    }
}
#endif
