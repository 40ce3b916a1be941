// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Heft",
    products: [
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .executable(name: "heft-walkthrough", targets: ["Walkthrough"]),
    ],
    targets: [
        // System libraries: Debian's libopenblas-dev and libhdf5-dev, found through pkg-config.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),

        .target(name: "NeuralNet", dependencies: ["CBLAS"]),

        .executableTarget(name: "Walkthrough", dependencies: ["NeuralNet"], path: "tools/walkthrough"),
        .executableTarget(name: "heft-bench", dependencies: ["NeuralNet"], path: "tools/heft-bench"),

        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"]),
    ],
    swiftLanguageModes: [.v6]
)
