import NeuralNet

/// Release-built timing harness for Heft's workloads, driven by `tools/bench`.
///
/// `heft-bench forward [--batch N] [--width N] [--repeats N]` times `Dense(width → width)` on a batch
/// and prints one JSON line: `{"workload": "forward", "seconds": [...]}` (one entry per repeat,
/// after warm-up), so the script can report median and spread beside numpy's.
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
        default:
            print("heft-bench: unknown workload '\(workload)'")
        }
    }

    static func parseOptions(_ arguments: [String]) -> [String: Int] {
        var options: [String: Int] = [:]
        for pair in stride(from: 0, to: arguments.count - 1, by: 2) where arguments[pair].hasPrefix("--") {
            options[String(arguments[pair].dropFirst(2))] = Int(arguments[pair + 1])
        }
        return options
    }

    /// `x · W + b` through ``Dense`` (linear activation), the same work as numpy's `x @ W + b`.
    static func forward(batch: Int, width: Int, repeats: Int) {
        let layer = Dense(width, biasInitializer: .randomUniform(seed: 2), inputShape: [width])
        let x = Tensor.randomUniform([batch, width], seed: 1)
        var checksum: Float = 0
        for _ in 0..<5 { checksum += layer(x).scalars[0] }
        let clock = ContinuousClock()
        var seconds: [Double] = []
        for _ in 0..<repeats {
            let start = clock.now
            let y = layer(x)
            let elapsed = clock.now - start
            checksum += y.scalars[0]
            seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        print("{\"workload\": \"forward\", \"batch\": \(batch), \"width\": \(width), \"checksum\": \(checksum.isFinite), \"seconds\": \(seconds)}")
    }
}
