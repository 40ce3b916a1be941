// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Heft",
    products: [
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "HDF5", targets: ["HDF5"]),
        .library(name: "Checkpoint", targets: ["Checkpoint"]),
        .library(name: "Inspection", targets: ["Inspection"]),
        .library(name: "Cluster", targets: ["Cluster"]),
        .executable(name: "heft", targets: ["heft"]),
        .executable(name: "heft-walkthrough", targets: ["Walkthrough"]),
    ],
    traits: [
        .trait(name: "MPI", description: "Build on Open MPI (tools/setup --mpi): processes started by mpirun form one Communicator."),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // System libraries: Debian's libopenblas-dev and libhdf5-dev, found through pkg-config.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // Serial HDF5 by name: installing Debian's parallel HDF5 (tools/setup --mpi) points the
        // generic `hdf5` pkg-config entry at the MPI build.
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial", providers: [.apt(["libhdf5-dev"])]),
        // Debian's Open MPI (libopenmpi-dev), for builds with the MPI trait only.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        // Debian's libxxhash-dev: XXH3, the per-tensor checksum checked on every load.
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),

        // Vectorizable C loops for comparing and summarising tensor blocks (see README, "Design").
        .target(name: "CKernels"),
        // prctl(PR_SET_PDEATHSIG), which Swift cannot call (it is variadic), for isolated workers.
        .target(name: "CProcessControl"),
        .target(name: "NeuralNet", dependencies: ["CBLAS"]),
        // A read-only HDF5 file driver over a byte range of a file (an uncompressed entry of a zip).
        .target(name: "CHDF5Window", dependencies: ["CHDF5"]),
        .target(name: "HDF5", dependencies: ["CHDF5", "CHDF5Window"]),
        // Processes started together (mpirun): ranks, gathers and broadcasts with deadlines. A
        // single process in builds without the MPI trait.
        .target(name: "Cluster", dependencies: [.target(name: "CMPI", condition: .when(traits: ["MPI"]))]),
        .target(name: "Checkpoint", dependencies: ["NeuralNet", "HDF5", "CProcessControl", "CXXHash", "Cluster",
                                                   .product(name: "Crypto", package: "swift-crypto"),
                                                   .product(name: "SystemPackage", package: "swift-system"),
                                                   .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .target(name: "Inspection", dependencies: ["Checkpoint", "NeuralNet", "CKernels", .product(name: "Crypto", package: "swift-crypto")]),

        .executableTarget(name: "heft", dependencies: ["Checkpoint", "Inspection", "NeuralNet", "Cluster",
                                                     .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "tools/heft"),
        .executableTarget(name: "Walkthrough", dependencies: ["NeuralNet", "Checkpoint", "TestSupport"], path: "tools/dev/walkthrough"),
        .executableTarget(name: "heft-bench", dependencies: ["NeuralNet", "Checkpoint", "Inspection", "HDF5"],
                          path: "tools/dev/heft-bench"),
        .executableTarget(name: "heft-fuzz", dependencies: ["Checkpoint", "Inspection", "NeuralNet", "HDF5"], path: "tools/dev/heft-fuzz",
                          exclude: ["hdf5.dict", "lsan.supp"]),

        .executableTarget(name: "heft-mpi-check", dependencies: ["Cluster", "Checkpoint", "NeuralNet"], path: "tools/dev/heft-mpi-check"),

        .testTarget(name: "ClusterTests", dependencies: ["Cluster", "TestSupport"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "TestSupport"]),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "TestSupport"]),
        .target(name: "TestSupport", dependencies: ["Checkpoint", "NeuralNet"], path: "Tests/Support"),
        .testTarget(name: "InspectionTests", dependencies: ["Inspection", "Checkpoint", "NeuralNet", "HDF5", "TestSupport"]),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint", "NeuralNet", "HDF5", "TestSupport"]),
        .testTarget(name: "InteropTests", dependencies: ["Checkpoint", "NeuralNet", "TestSupport"]),
        .testTarget(name: "HeftTests", dependencies: ["Checkpoint", "Inspection", "NeuralNet", "HDF5", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
