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

    /// Needs xmllint (libxml2-utils).
    public static var requiresXmllint: Self { requires("xmllint", package: "libxml2-utils") }

    /// Needs Chromium (headless rendering).
    public static var requiresChromium: Self { requires("chromium", package: "chromium") }

    /// Needs cpp (DTS with `#include`).
    public static var requiresCpp: Self { requires("cpp", package: "cpp") }
}

/// The cache of downloaded test artefacts: `$SOCMAP_CACHE`, else `.cache` in the package
/// (`scripts/fetch-artefacts` fills it; never committed).
public var artefactCache: URL {
    ProcessInfo.processInfo.environment["SOCMAP_CACHE"].map { URL(fileURLWithPath: $0) } ?? packageRoot.appendingPathComponent(".cache")
}

/// Debian's arm64 kernel device trees, in `<cache>/corpus/arm64`.
public enum KernelDTBs {
    /// The folder holding the DTBs by vendor (`xilinx/zynqmp-zcu102-rev1.0.dtb`).
    public static var folder: URL { artefactCache.appendingPathComponent("corpus/arm64") }

    /// Whether the corpus has been fetched.
    public static var isPresent: Bool { FileManager.default.fileExists(atPath: folder.appendingPathComponent("SOURCE").path) }

    /// The path of one DTB, `vendor/board.dtb`.
    public static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
}

/// The upstream Zynq-7000 boards, compiled from Debian's `linux-source` as Kbuild does, in
/// `<cache>/corpus/zynq-7000`.
public enum Zynq7000DTBs {
    public static var folder: URL { artefactCache.appendingPathComponent("corpus/zynq-7000") }
    public static var isPresent: Bool { FileManager.default.fileExists(atPath: folder.appendingPathComponent("SOURCE").path) }
    /// Every board's DTB path, sorted.
    public static var paths: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".dtb") }.sorted().map {
            folder.appendingPathComponent($0).path
        }
    }
}

/// Debian's Xen hypervisor image for arm64, in `<cache>/xen/xen`.
public enum XenArtefacts {
    public static var image: String { artefactCache.appendingPathComponent("xen/xen").path }
    public static var isPresent: Bool { FileManager.default.fileExists(atPath: image) }
}

/// Debian's arm64 kernel `Image` and a busybox initramfs whose `/init` prints `/proc/iomem`
/// between markers and powers off, in `<cache>/boot`.
public enum BootArtefacts {
    public static var folder: URL { artefactCache.appendingPathComponent("boot") }
    public static var kernel: String { folder.appendingPathComponent("Image").path }
    public static var initrd: String { folder.appendingPathComponent("initrd.gz").path }
    public static var isPresent: Bool {
        FileManager.default.fileExists(atPath: kernel) && FileManager.default.fileExists(atPath: initrd)
    }
}

extension Trait where Self == ConditionTrait {
    /// Needs the kernel DTB corpus (CI fetches it).
    public static var requiresKernelDTBs: Self {
        .enabled(if: KernelDTBs.isPresent, "no kernel DTB corpus: run scripts/fetch-artefacts (CI does)")
    }

    /// Needs the upstream Zynq-7000 boards compiled from linux-source (CI fetches them).
    public static var requiresZynq7000DTBs: Self {
        .enabled(if: Zynq7000DTBs.isPresent, "no Zynq-7000 boards from linux-source: run scripts/fetch-artefacts (CI does)")
    }

    /// Needs QEMU for arm64, the kernel and initramfs, and Xen (CI has them).
    public static var requiresXen: Self {
        .enabled(
            if: ProcessRunner.isInstalled("qemu-system-aarch64") && BootArtefacts.isPresent && XenArtefacts.isPresent,
            "needs qemu-system-aarch64 (Debian: qemu-system-arm), and the kernel, initramfs and Xen of scripts/fetch-artefacts")
    }

    /// Needs QEMU for arm64 and the kernel and initramfs to boot (CI has both).
    public static var requiresBoot: Self {
        .enabled(
            if: ProcessRunner.isInstalled("qemu-system-aarch64") && BootArtefacts.isPresent,
            "needs qemu-system-aarch64 (Debian: qemu-system-arm) and the boot artefacts of scripts/fetch-artefacts")
    }
}
