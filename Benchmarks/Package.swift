// swift-tools-version: 6.0
import PackageDescription

// socmap's benchmarks: the router, DTB import and export measured beside a C floor and dtc in
// one run. `./run` builds everything in release mode and prints one table of ratios.
let package = Package(
    name: "socmap-benchmarks",
    dependencies: [
        .package(name: "socmap", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The C floor: branch-free and Eytzinger searches, a libfdt walk and writer, and a
        // malloc counter that interposes the C library's allocator.
        .target(
            name: "Floor",
            cSettings: [.unsafeFlags(["-O2"])],
            linkerSettings: [.linkedLibrary("fdt")]
        ),
        // The start-up floor of a Swift command line like socmap's: a static binary that only
        // parses `import FILE -o OUT` with swift-argument-parser and does nothing.
        .executableTarget(
            name: "argument-parser-floor",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "socmap-bench",
            dependencies: [
                "Floor",
                .product(name: "SoCMap", package: "socmap"),
                .product(name: "SoCMapDeviceTree", package: "socmap"),
                .product(name: "SoCMapFDT", package: "socmap"),
            ]
        ),
    ]
)
