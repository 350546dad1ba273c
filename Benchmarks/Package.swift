// swift-tools-version: 6.0
import PackageDescription

// socmap's benchmarks: the router, DTB import and export measured beside a C floor and dtc in
// one run. `./run` builds everything in release mode and prints one table of ratios.
let package = Package(
    name: "socmap-benchmarks",
    dependencies: [
        .package(name: "socmap", path: "..")
    ],
    targets: [
        // The C floor: branch-free and Eytzinger searches, a libfdt walk and writer, and a
        // malloc counter that interposes the C library's allocator.
        .target(
            name: "Floor",
            cSettings: [.unsafeFlags(["-O2"])],
            linkerSettings: [.linkedLibrary("fdt")]
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
