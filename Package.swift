// swift-tools-version: 6.0
import PackageDescription

let strictness: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

// Dependencies point one way: the tool → map files and the libfdt bridge → checks, views and
// device trees → the router library, which depends on nothing but the standard library.
let package = Package(
    name: "socmap",
    // Static libraries: `swift build --product SoCMap` then compiles that product's targets
    // alone (SwiftPM builds every target for an automatic library product).
    products: [
        // The router library: address types, the map model, lowering, host and guest routers.
        .library(name: "SoCMap", type: .static, targets: ["SoCMap"]),
        .library(name: "SoCMapViews", type: .static, targets: ["SoCMapViews"]),
        .library(name: "SoCMapChecks", type: .static, targets: ["SoCMapChecks"]),
        .library(name: "SoCMapDeviceTree", type: .static, targets: ["SoCMapDeviceTree"]),
        .library(name: "SoCMapFile", type: .static, targets: ["SoCMapFile"]),
        .library(name: "SoCMapFDT", type: .static, targets: ["SoCMapFDT"]),
        .library(name: "SoCMapRunning", type: .static, targets: ["SoCMapRunning"]),
        .executable(name: "socmap", targets: ["SoCMapTool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // Address arithmetic, the map model, its resolution, the router and guest routers.
        .target(name: "SoCMap", swiftSettings: strictness),
        // Decode answers and views as text and JSON.
        .target(name: "SoCMapViews", dependencies: ["SoCMap"], swiftSettings: strictness),
        // Layout checks and SoC profiles.
        .target(name: "SoCMapChecks", dependencies: ["SoCMap"], swiftSettings: strictness),
        // The device-tree value, DTS text, export, import and guest outputs.
        .target(name: "SoCMapDeviceTree", dependencies: ["SoCMap"], swiftSettings: strictness),
        // What running systems decode: QEMU's `info mtree -f` and Linux's /proc/iomem read as maps.
        .target(name: "SoCMapRunning", dependencies: ["SoCMap"], swiftSettings: strictness),
        // libyaml (Debian libyaml-dev).
        .systemLibrary(name: "CLibYAML", providers: [.apt(["libyaml-dev"])]),
        // Map files (YAML / JSON) with source positions, and `fmt`; the only module that imports libyaml.
        .target(name: "SoCMapFile", dependencies: ["SoCMap", "CLibYAML"], swiftSettings: strictness),
        // libfdt (Debian libfdt-dev; no pkg-config file, so no pkgConfig here).
        .systemLibrary(name: "CLibFDT", providers: [.apt(["libfdt-dev"])]),
        // DTB read/write through libfdt, DTS through dtc; the only module that imports libfdt.
        .target(name: "SoCMapFDT", dependencies: ["SoCMapDeviceTree", "CLibFDT"], swiftSettings: strictness),
        // The `socmap` command-line tool.
        .executableTarget(
            name: "SoCMapTool",
            dependencies: [
                "SoCMap", "SoCMapViews", "SoCMapChecks", "SoCMapDeviceTree", "SoCMapFile", "SoCMapFDT", "SoCMapRunning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictness
        ),
        // Helpers shared by the test targets (a seeded generator, a process runner, paths, map
        // shorthands); it depends on the router library only.
        .target(name: "TestSupport", dependencies: ["SoCMap"], path: "Tests/TestSupport", swiftSettings: strictness),
        // Uses only the router library product.
        .testTarget(name: "SoCMapTests", dependencies: ["SoCMap", "TestSupport"], swiftSettings: strictness),
        .testTarget(name: "SoCMapViewsTests", dependencies: ["SoCMapViews", "TestSupport"], swiftSettings: strictness),
        .testTarget(name: "SoCMapRunningTests", dependencies: ["SoCMapRunning", "SoCMapViews", "TestSupport"], swiftSettings: strictness),
        .testTarget(name: "SoCMapChecksTests", dependencies: ["SoCMapChecks", "TestSupport"], swiftSettings: strictness),
        .testTarget(name: "SoCMapDeviceTreeTests", dependencies: ["SoCMapDeviceTree", "TestSupport"], swiftSettings: strictness),
        .testTarget(
            name: "SoCMapFileTests",
            dependencies: ["SoCMapFile", "SoCMapChecks", "SoCMapViews", "TestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: strictness
        ),
        .testTarget(
            name: "SoCMapFDTTests",
            dependencies: ["SoCMapFDT", "SoCMapFile", "SoCMapChecks", "SoCMapViews", "TestSupport"],
            exclude: ["Fixtures", "Corpus"],
            swiftSettings: strictness
        ),
        .testTarget(
            name: "SoCMapToolTests",
            dependencies: ["TestSupport"],
            exclude: ["Golden"],
            swiftSettings: strictness
        ),
    ]
)
