import Checkpoint
import Inspection
import Foundation
import HDF5
import NeuralNet

/// Release-built timing harness for Heft's workloads, driven by `tools/bench`.
///
/// - `heft-bench forward [--batch N] [--width N] [--repeats N]` times `Dense(width → width)` on a
///   batch and prints one JSON line: `{"workload": "forward", "seconds": [...]}` (one entry per
///   repeat, after warm-up), so the script can report median and spread beside numpy's.
/// - `heft-bench layer conv2d|lstm|mha [--repeats N] [--quick]` times one layer's forward pass (see
///   ``LayerWorkloads``) and prints one JSON line of seconds.
/// - `heft-bench make DIR [--layers N] [--width N]` writes `DIR/a.weights.h5`, a Sequential of N
///   Dense(width → width) with random float32 weights, and `DIR/b.weights.h5` with one element of
///   every fourth kernel changed, holding one copy of the model (the scale workload).
/// - `heft-bench pair DIR [--layers N] [--width N]` writes `DIR/a.h5`, a Sequential of N
///   Dense(width → width) layers with random float32 weights, and two copies of it: `DIR/b.h5` with
///   a few elements changed and `DIR/c.h5` with every element scaled by 1 + 1e-5 (the diff workloads).
/// - `heft-bench weights FILE [--layers N] [--width N]` saves a Sequential of N Dense(width → width)
///   with random float32 weights to FILE, in the format its name says.
/// - `heft-bench first FILE [--repeats N]` times opening FILE and getting its first layer's kernel:
///   mapped and checked, mapped unchecked, and read (see ``firstTensor(of:repeats:)``).
/// - `heft-bench persist DIR [--layers N] [--width N] [--repeats N]` times, for a Sequential of N
///   Dense(width → width) layers: writing and reading the raw bytes of its weights (`write(2)` with
///   and without `fsync`, and with each tensor hashed on a second thread; `read(2)`: the physical limit), and `saveWeights` / `loadWeights` in both
///   layouts (loads with and without checking the stored checksums), the libhdf5 floor (open, read, close per dataset, no checks) and the floor with the libhdf5 calls of the checks (``readWithCheckCalls(_:from:into:)``);
///   `--only ROW[,ROW…]` runs just those rows (for profiling; the files of earlier runs stay in DIR). Prints one JSON
///   line of seconds lists and the bytes per run.
@main
struct HeftBench {
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard let workload = arguments.first else {
            print("usage: heft-bench forward [--batch N] [--width N] [--repeats N]")
            return
        }
        arguments.removeFirst()
        let options = parseOptions(arguments)
        switch workload {
        case "forward":
            forward(batch: options["batch"] ?? 256, width: options["width"] ?? 1024, repeats: options["repeats"] ?? 50)
        case "persist" where !arguments.isEmpty:
            orExit {
                try persist(directory: arguments[0], layers: options["layers"] ?? 16, width: options["width"] ?? 4096,
                            repeats: options["repeats"] ?? 5, only: onlyRows(arguments))
            }
        case "load" where !arguments.isEmpty:
            orExit {
                try load(files: Array(arguments.prefix(while: { !$0.hasPrefix("--") })), layers: options["layers"] ?? 16,
                         width: options["width"] ?? 4096, repeats: options["repeats"] ?? 5)
            }
        case "make" where !arguments.isEmpty:
            orExit {
                try make(directory: arguments[0], layers: options["layers"] ?? 16, width: options["width"] ?? 4096)
            }
        case "pair" where !arguments.isEmpty:
            orExit {
                try pair(directory: arguments[0], layers: options["layers"] ?? 16, width: options["width"] ?? 4096)
            }
        case "weights" where !arguments.isEmpty:
            orExit {
                try weights(to: arguments[0], layers: options["layers"] ?? 16, width: options["width"] ?? 4096)
            }
        case "first" where !arguments.isEmpty:
            orExit {
                try firstTensor(of: arguments[0], repeats: options["repeats"] ?? 5)
            }
        case "verify" where !arguments.isEmpty:
            orExit { try verifyInProcess(arguments[0]) }
        case "layer" where !arguments.isEmpty:
            guard let line = LayerWorkloads.run(arguments[0], repeats: options["repeats"] ?? 10, quick: arguments.contains("--quick")) else {
                print("heft-bench: unknown layer workload '\(arguments[0])' (conv2d, lstm, mha)")
                exit(2)
            }
            print(line)
        default:
            print("heft-bench: unknown workload '\(workload)'")
        }
    }

    /// `verify FILE`: what `heft verify FILE` does, in this process (the CLI forks an isolated
    /// worker), so heap profilers that do not follow a fork see the work.
    static func verifyInProcess(_ path: String) throws {
        let file = try WeightFile(path: path, options: OpenOptions(prefetch: Prefetch(budget: 0, digests: true)))
        let report = try Verification.verify(file, options: Verification.Options())
        print("verify \(path): \(report.ok ? "ok" : "FAIL")")
    }

    /// Runs `body`; on an error prints it and exits with status 2.
    static func orExit(_ body: () throws -> Void) {
        do {
            try body()
        } catch {
            print("heft-bench: \(error)")
            exit(2)
        }
    }

    /// `--only NAME[,NAME…]`: the persist rows to run (all when absent), for profiling one of them.
    static func onlyRows(_ arguments: [String]) -> Set<String>? {
        guard let flag = arguments.firstIndex(of: "--only"), flag + 1 < arguments.count else { return nil }
        return Set(arguments[flag + 1].split(separator: ",").map(String.init))
    }

    /// Keras's automatic name of the `index`-th Dense layer (`dense`, `dense_1`, …), so the files
    /// record their layers' class and `heft convert` can move them to the other layout.
    static func automaticName(_ index: Int) -> String {
        index == 0 ? "dense" : "dense_\(index)"
    }

    static func parseOptions(_ arguments: [String]) -> [String: Int] {
        var options: [String: Int] = [:]
        for index in arguments.indices.dropLast() where arguments[index].hasPrefix("--") {
            options[String(arguments[index].dropFirst(2))] = Int(arguments[index + 1])
        }
        return options
    }

    /// The save/load workload (see the type's documentation).
    static func persist(directory: String, layers: Int, width: Int, repeats: Int, only: Set<String>?) throws {
        let model = try Sequential((0..<layers).map { Dense(width, inputShape: $0 == 0 ? [width] : nil, name: automaticName($0)) })
        try model.setWeights(model.weights.enumerated().map { .randomUniform($1.shape, minval: -1, maxval: 1, seed: UInt64($0)) })
        let tensors = model.getWeights()
        let bytes = tensors.reduce(0) { $0 + $1.byteCount }
        let raw = "\(directory)/raw.bin"
        var results: [String: [Double]] = [:]
        func time(_ name: String, _ body: () throws -> Void) rethrows {
            guard only?.contains(name) ?? true else { return }
            try body()   // warm-up
            for _ in 0..<repeats {
                let start = ContinuousClock.now
                try body()
                let elapsed = ContinuousClock.now - start
                results[name, default: []].append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            }
        }
        time("raw_write") { writeRaw(tensors, to: raw, sync: false) }
        time("raw_write_fsync") { writeRaw(tensors, to: raw, sync: true) }
        var buffers = tensors   // preallocated and touched: the reads below only copy
        time("raw_read") { readRaw(into: &buffers, from: raw) }
        // Beside the saves it bounds, so both meet the same state of the disk and page cache.
        time("raw_write_fsync_checksum") { writeRaw(tensors, to: raw, sync: true, hashing: true) }
        try time("save_legacy") { try model.saveWeights(to: "\(directory)/heft.h5") }
        try time("save_v3") { try model.saveWeights(to: "\(directory)/heft.weights.h5") }
        try time("save_safetensors") { try model.saveWeights(to: "\(directory)/heft.safetensors") }
        let shardBytes = max(bytes / 4, tensors.map(\.byteCount).max() ?? 1)   // about four shards
        try time("save_sharded") { try model.saveWeights(to: "\(directory)/heft.weights.json", maxShardSize: shardBytes) }
        try time("load_legacy") { try model.loadWeights(from: "\(directory)/heft.h5") }
        try time("load_safetensors") { try model.loadWeights(from: "\(directory)/heft.safetensors") }
        try time("load_sharded") { try model.loadWeights(from: "\(directory)/heft.weights.json") }
        try time("load_v3") { try model.loadWeights(from: "\(directory)/heft.weights.h5") }
        var unchecked = LoadOptions()
        unchecked.verifyIntegrity = false
        try time("load_legacy_unchecked") { try model.loadWeights(from: "\(directory)/heft.h5", options: unchecked) }
        try time("load_v3_unchecked") { try model.loadWeights(from: "\(directory)/heft.weights.h5", options: unchecked) }
        try time("load_safetensors_unchecked") { try model.loadWeights(from: "\(directory)/heft.safetensors", options: unchecked) }
        let paths = model.layers.flatMap { layer in layer.weights.map { "\(layer.name)/\($0.kerasName)" } }
        var targets = tensors
        try time("hdf5_floor") { try readWithoutChecks(paths, from: "\(directory)/heft.h5", into: &targets) }
        try time("hdf5_check_calls") { try readWithCheckCalls(paths, from: "\(directory)/heft.h5", into: &targets) }
        let lists = results.keys.sorted().map { "\"\($0)\": \(results[$0]!)" }.joined(separator: ", ")
        print("{\"workload\": \"persist\", \"bytes\": \(bytes), \(lists)}")
    }

    /// `load FILE… [--layers N] [--width N] [--repeats N]`: the default, checked `loadWeights` of each
    /// file into the persist workload's model, the files taken in rounds (one load of each per
    /// round, after a warm-up round) so the machine's slow phases fall on all alike. Prints one JSON
    /// line: seconds per file.
    static func load(files: [String], layers: Int, width: Int, repeats: Int) throws {
        let model = try Sequential((0..<layers).map { Dense(width, inputShape: $0 == 0 ? [width] : nil, name: automaticName($0)) })
        var results: [String: [Double]] = [:]
        for round in 0...repeats {
            for file in files {
                let start = ContinuousClock.now
                try model.loadWeights(from: file)
                let elapsed = ContinuousClock.now - start
                if round > 0 {
                    results[file, default: []].append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
                }
            }
        }
        let lists = files.map { "\"\($0)\": \(results[$0]!)" }.joined(separator: ", ")
        print("{\(lists)}")
    }

    /// The least libhdf5 work a loader can do: open the file, then open, read and close each dataset
    /// by its path, with no checks at all (the floor under any HDF5 loader, h5py's included).
    static func readWithoutChecks(_ paths: [String], from path: String, into tensors: inout [Tensor]) throws {
        let root = try File.open(path).root
        for (index, datasetPath) in paths.enumerated() {
            try readValues(of: root.dataset(datasetPath), into: &tensors[index])
        }
    }

    /// Reads a float32 or float64 dataset into `tensor`, whose shape and dtype it has.
    static func readValues(of dataset: Dataset, into tensor: inout Tensor) throws {
        let type = tensor.dtype == .float32 ? ElementType.float32 : ElementType.float64
        try tensor.withUnsafeMutableBytes { try dataset.read(into: $0, as: type) }
    }

    /// The libhdf5 calls a checked load of a legacy `.h5` makes and nothing else (no matching, no
    /// bookkeeping, no digest checked): `layer_names`, each group on the way opened and its links
    /// listed once (as the index checks every link), each layer's `weight_names`, each dataset
    /// opened once with its offset, type, extent, stored size and digest attribute read, then its
    /// values. What the checks cost in libhdf5 alone: the floor under a checked load.
    static func readWithCheckCalls(_ paths: [String], from path: String, into tensors: inout [Tensor]) throws {
        let root = try File.open(path).root
        _ = (try root.links(), try root.readStrings("layer_names"))
        var groups: [String: Group] = [:]
        for (index, datasetPath) in paths.enumerated() {
            let parts = datasetPath.split(separator: "/").map(String.init)
            var group = root, prefix = ""
            for (depth, part) in parts.dropLast().enumerated() {
                prefix += "/" + part
                if let open = groups[prefix] { group = open; continue }
                group = try group.group(part)
                _ = try group.links()
                if depth == 0 { _ = try group.readStrings("weight_names") }
                groups[prefix] = group
            }
            let dataset = try group.dataset(parts.last!)
            _ = (dataset.fileOffset, try dataset.elementLayout, try dataset.extent, try dataset.storageSize)
            _ = try dataset.readString(Integrity.digestAttribute)
            try readValues(of: dataset, into: &tensors[index])
        }
    }

    /// Writes the tensors' bytes one after another with `write(2)`, optionally followed by `fsync`;
    /// with `hashing`, each tensor's default checksum (XXH3-128) is computed on a second thread while it is written, as
    /// Heft's writer does (tensors under 1 MiB inline): what a save that stores digests cannot beat.
    static func writeRaw(_ tensors: [Tensor], to path: String, sync: Bool, hashing: Bool = false) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(descriptor >= 0, "heft-bench: cannot create \(path)")
        for tensor in tensors {
            tensor.withUnsafeBytes { bytes in
                let hashed = DispatchSemaphore(value: 0)
                if hashing && bytes.count < 1 << 20 {   // as Heft's writer: small tensors are hashed inline
                    checksum(bytes)
                    hashed.signal()
                } else if hashing {
                    nonisolated(unsafe) let shared = bytes   // read-only, alive until `hashed` is signalled
                    Thread.detachNewThread {
                        checksum(shared)
                        hashed.signal()
                    }
                }
                defer { if hashing { hashed.wait() } }
                var offset = 0
                while offset < bytes.count {
                    let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    precondition(written > 0, "heft-bench: write failed")
                    offset += written
                }
            }
        }
        if sync { fsync(descriptor) }
        close(descriptor)
    }

    /// Hashes `bytes` as Heft's writer does by default (XXH3-128 over the whole buffer).
    static func checksum(_ bytes: UnsafeRawBufferPointer) {
        _ = Integrity.digest(bytes, .xxh3)
    }

    /// Reads the bytes back into existing tensors of the same shapes with `read(2)`.
    static func readRaw(into tensors: inout [Tensor], from path: String) {
        let descriptor = open(path, O_RDONLY)
        precondition(descriptor >= 0, "heft-bench: cannot open \(path)")
        for index in tensors.indices {
            tensors[index].withUnsafeMutableBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let count = read(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    precondition(count > 0, "heft-bench: read failed")
                    offset += count
                }
            }
        }
        close(descriptor)
    }

    /// The diff workload files (see the type's documentation).
    static func make(directory: String, layers: Int, width: Int) throws {
        let model = try Sequential((0..<layers).map { Dense(width, inputShape: $0 == 0 ? [width] : nil, name: automaticName($0)) })
        for (index, weight) in model.weights.enumerated() {
            try weight.assign(.randomUniform(weight.shape, minval: -1, maxval: 1, seed: UInt64(index)))
        }
        try model.saveWeights(to: "\(directory)/a.weights.h5")
        for layer in stride(from: 0, to: layers, by: max(1, layers / 4)) {
            let kernel = model.weights[2 * layer]
            var values = kernel.value.scalars
            values[values.count / 2] += 0.25
            try kernel.assign(Tensor(shape: kernel.shape, scalars: values))
        }
        try model.saveWeights(to: "\(directory)/b.weights.h5")
    }

    /// `weights FILE [--layers N] [--width N]`: one Sequential of N Dense(width → width) with random
    /// float32 weights, saved to FILE in the format its name says (the time-to-first-tensor files).
    static func weights(to path: String, layers: Int, width: Int) throws {
        let model = try Sequential((0..<layers).map { Dense(width, inputShape: $0 == 0 ? [width] : nil, name: automaticName($0)) })
        for (index, weight) in model.weights.enumerated() {
            try weight.assign(.randomUniform(weight.shape, minval: -1, maxval: 1, seed: UInt64(index)))
        }
        try model.saveWeights(to: path)
    }

    /// `first FILE [--repeats N]`: time to the first tensor's values from a cold start of the
    /// reader (the page cache warm): open the file, then the largest tensor of the first layer
    /// mapped and checked against its stored digest (`mapped`), mapped without the check
    /// (`mapped_unchecked`), and read into memory (`read`). Prints one JSON line of seconds lists.
    static func firstTensor(of path: String, repeats: Int) throws {
        var results: [String: [Double]] = [:]
        func time(_ name: String, _ body: () throws -> Int) rethrows {
            for round in 0...repeats {
                let start = ContinuousClock.now
                let touched = try body()
                let elapsed = ContinuousClock.now - start
                precondition(touched > 0)
                if round > 0 {
                    results[name, default: []].append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
                }
            }
        }
        func first(_ file: WeightFile) -> WeightEntry {
            file.layers.first { !$0.weights.isEmpty }!.weights.max { $0.storageSize < $1.storageSize }!
        }
        try time("mapped") {
            let file = try WeightFile(path: path)
            return try file.mapped(first(file)).withUnsafeBytes { $0.count }
        }
        try time("mapped_unchecked") {
            let file = try WeightFile(path: path)
            return try file.mapped(first(file), verifying: false).withUnsafeBytes { $0.count }
        }
        try time("read") {
            let file = try WeightFile(path: path)
            return try file.read(first(file)).byteCount
        }
        let file = try WeightFile(path: path)
        let weight = first(file)
        let lists = results.keys.sorted().map { "\"\($0)\": \(results[$0]!)" }.joined(separator: ", ")
        print("{\"workload\": \"first\", \"tensor\": \"\(weight.path)\", \"tensor_bytes\": \(weight.storageSize), \(lists)}")
    }

    static func pair(directory: String, layers: Int, width: Int) throws {
        let model = try Sequential((0..<layers).map { Dense(width, inputShape: $0 == 0 ? [width] : nil, name: automaticName($0)) })
        try model.setWeights(model.weights.enumerated().map { .randomUniform($1.shape, minval: -1, maxval: 1, seed: UInt64($0)) })
        try model.saveWeights(to: "\(directory)/a.h5")
        let original = model.getWeights()
        var changed = original
        for layer in stride(from: 0, to: layers, by: max(1, layers / 4)) {
            var values = changed[2 * layer].scalars
            values[values.count / 2] += 0.25
            changed[2 * layer] = Tensor(shape: changed[2 * layer].shape, scalars: values)
        }
        try model.setWeights(changed)
        try model.saveWeights(to: "\(directory)/b.h5")
        try model.setWeights(original.map { Tensor(shape: $0.shape, scalars: $0.scalars.map { $0 * (1 + 1e-5) }) })
        try model.saveWeights(to: "\(directory)/c.h5")
    }

    /// `x · W + b` through ``Dense`` (linear activation), the same work as numpy's `x @ W + b`.
    static func forward(batch: Int, width: Int, repeats: Int) {
        let layer = Dense(width, biasInitializer: .randomUniform(seed: 2), inputShape: [width])
        let x = Tensor.randomUniform([batch, width], seed: 1)
        let (seconds, finite) = timed(repeats: repeats, warmUp: 5) { layer(x) }
        print("{\"workload\": \"forward\", \"batch\": \(batch), \"width\": \(width), \"checksum\": \(finite), \"seconds\": \(seconds)}")
    }

    /// Runs `body` `warmUp` times, then `repeats` times timed; returns the timed seconds and whether
    /// every output's first value was finite (so the work cannot be optimized away unnoticed).
    static func timed(repeats: Int, warmUp: Int, _ body: () -> Tensor) -> (seconds: [Double], finite: Bool) {
        var checksum: Float = 0
        for _ in 0..<warmUp { checksum += body().scalars[0] }
        let clock = ContinuousClock()
        var seconds: [Double] = []
        for _ in 0..<repeats {
            let start = clock.now
            let output = body()
            let elapsed = clock.now - start
            checksum += output.scalars[0]
            seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        return (seconds, checksum.isFinite)
    }
}
