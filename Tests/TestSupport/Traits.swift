public import Foundation
public import Testing

extension Trait where Self == ConditionTrait {
    /// Runs the test only where `tool` is installed; elsewhere it is skipped with a message
    /// naming the Debian package. CI installs every tool, so CI runs every such test.
    public static func requires(_ tool: String, package: String) -> Self {
        .enabled(if: ProcessRunner.isInstalled(tool), "needs \(tool) (Debian: \(package)), which is not installed here")
    }

    /// Needs dtc (DTS input, and the decompile oracle).
    public static var requiresDtc: Self { requires("dtc", package: "device-tree-compiler") }

    /// Needs dt-validate (dt-schema).
    public static var requiresDtValidate: Self { requires("dt-validate", package: "dt-schema") }

    /// Needs cpp (DTS with `#include`).
    public static var requiresCpp: Self { requires("cpp", package: "cpp") }
}

/// Debian's arm64 kernel device trees, fetched by `scripts/fetch-corpus` into
/// `.cache/corpus/arm64` (or `$SOCMAP_CORPUS/arm64`); never committed.
public enum KernelDTBs {
    /// The folder holding the DTBs by vendor (`xilinx/zynqmp-zcu102-rev1.0.dtb`).
    public static var folder: URL {
        let base = ProcessInfo.processInfo.environment["SOCMAP_CORPUS"].map { URL(fileURLWithPath: $0) }
        return (base ?? packageRoot.appendingPathComponent(".cache/corpus")).appendingPathComponent("arm64")
    }

    /// Whether the corpus has been fetched.
    public static var isPresent: Bool { FileManager.default.fileExists(atPath: folder.appendingPathComponent("SOURCE").path) }

    /// The path of one DTB, `vendor/board.dtb`.
    public static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
}

extension Trait where Self == ConditionTrait {
    /// Needs the kernel DTB corpus (CI fetches it).
    public static var requiresKernelDTBs: Self {
        .enabled(if: KernelDTBs.isPresent, "no kernel DTB corpus: run scripts/fetch-corpus (CI does)")
    }
}
