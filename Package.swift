// swift-tools-version: 6.0
import PackageDescription

let strictness: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "socmap",
    products: [
        .library(name: "SoCMap", targets: ["SoCMap"]),
        .library(name: "SoCMapFile", targets: ["SoCMapFile"]),
        .library(name: "SoCMapFDT", targets: ["SoCMapFDT"]),
        .executable(name: "socmap", targets: ["SoCMapTool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // The core: model, address arithmetic, router, checks, views. Standard library only.
        .target(name: "SoCMap", swiftSettings: strictness),
        // Map files (YAML / JSON) with source positions; the only module that imports Yams.
        .target(
            name: "SoCMapFile",
            dependencies: ["SoCMap", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictness
        ),
        // libfdt (Debian libfdt-dev; no pkg-config file, so no pkgConfig here).
        .systemLibrary(name: "CLibFDT", providers: [.apt(["libfdt-dev"])]),
        // DTB read/write through libfdt, device-tree export and import; the only module that imports C.
        .target(name: "SoCMapFDT", dependencies: ["SoCMap", "CLibFDT"], swiftSettings: strictness),
        // The `socmap` command-line tool.
        .executableTarget(
            name: "SoCMapTool",
            dependencies: [
                "SoCMap", "SoCMapFile", "SoCMapFDT",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictness
        ),
        .testTarget(name: "SoCMapTests", dependencies: ["SoCMap"], swiftSettings: strictness),
        .testTarget(
            name: "SoCMapFileTests",
            dependencies: ["SoCMap", "SoCMapFile"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictness
        ),
        .testTarget(
            name: "SoCMapFDTTests",
            dependencies: ["SoCMap", "SoCMapFile", "SoCMapFDT"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictness
        ),
        .testTarget(
            name: "SoCMapToolTests",
            dependencies: ["SoCMap", "SoCMapFile"],
            resources: [.copy("Golden")],
            swiftSettings: strictness
        ),
    ]
)
