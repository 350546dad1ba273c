import Foundation
import TestSupport
import Testing

/// Linux under QEMU as the judge of the device trees socmap writes.
enum QEMU {
    /// Boots Debian's arm64 kernel on `qemu-system-aarch64 -M virt` with `dtb` and returns the
    /// `/proc/iomem` the initramfs printed, without the children of System RAM (the kernel's
    /// own code, data and reservations move between boots).
    static func iomem(dtb: String, memory: String = "1G") throws -> String {
        let run = try ProcessRunner.run(
            "timeout",
            [
                "120", "qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57", "-m", memory, "-nographic", "-no-reboot",
                "-kernel", BootArtefacts.kernel, "-initrd", BootArtefacts.initrd,
                "-append", "console=ttyAMA0 rdinit=/init panic=-1", "-dtb", dtb,
            ])
        let lines = run.out.replacingOccurrences(of: "\r", with: "").split(separator: "\n", omittingEmptySubsequences: false)
        guard let begin = lines.firstIndex(of: "SOCMAP-IOMEM-BEGIN"), let end = lines.firstIndex(of: "SOCMAP-IOMEM-END"), begin < end else {
            return "no /proc/iomem (exit \(run.status)):\n" + lines.suffix(20).joined(separator: "\n")
        }
        var kept: [Substring] = []
        var inRAM = false
        for line in lines[(begin + 1)..<end] {
            if !line.hasPrefix(" ") { inRAM = line.hasSuffix(" : System RAM") }
            if inRAM && line.hasPrefix(" ") { continue }
            kept.append(line)
        }
        return kept.joined(separator: "\n")
    }

    /// QEMU's own device tree for `-M virt -cpu cortex-a57 -m 1G`, packed by dtc (the dump is
    /// padded to 1 MiB, and a kernel given that padded blob with -dtb never starts).
    static func ownDTB(into folder: URL) throws -> String {
        let padded = folder.appendingPathComponent("virt-padded.dtb").path
        let packed = folder.appendingPathComponent("virt.dtb").path
        try ProcessRunner.run("qemu-system-aarch64", ["-M", "virt,dumpdtb=\(padded)", "-cpu", "cortex-a57", "-m", "1G", "-nographic"])
        try ProcessRunner.run("dtc", ["-q", "-I", "dtb", "-O", "dtb", "-o", packed, padded])
        return packed
    }
}

@Suite("Linux boots on the device trees socmap writes", .serialized, .requiresBoot, .requiresDtc)
struct BootTests {
    /// (a) QEMU's own DTB, (b) its import → export, (c) the export of maps/qemu-virt.yaml: Linux
    /// boots on each and reports the same /proc/iomem.
    @Test func qemuVirtBootsTheSameOnEveryTree() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let own = try QEMU.ownDTB(into: folder)
        let yaml = folder.appendingPathComponent("virt.yaml").path
        let roundTrip = folder.appendingPathComponent("round-trip.dtb").path
        let bundled = folder.appendingPathComponent("qemu-virt.dtb").path
        #expect(try Tool.run(["import", own, "-o", yaml]).status == 0)
        #expect(try Tool.run(["export", yaml, "-o", roundTrip]).status == 0)
        #expect(try Tool.run(["export", "maps/qemu-virt.yaml", "-o", bundled]).status == 0)
        let a = try QEMU.iomem(dtb: own)
        #expect(a.contains("09000000-09000fff : pl011@9000000") && a.contains("40000000-7fffffff : System RAM"), "\(a)")
        #expect(a.contains("4010000000-401fffffff : PCI ECAM"), "\(a)")
        let b = try QEMU.iomem(dtb: roundTrip)
        #expect(b == a, "import → export:\n\(b)\nQEMU's:\n\(a)")
        let c = try QEMU.iomem(dtb: bundled)
        #expect(c == a, "maps/qemu-virt.yaml:\n\(c)\nQEMU's:\n\(a)")
        // Read back as a map, /proc/iomem's top level is a subset of what the map decodes: every
        // range Linux claimed is a span of the map (no `+`, no `~`); what it left alone (the GIC,
        // fw_cfg, the virtio transports without a device, flash) shows as `-`.
        let iomem = folder.appendingPathComponent("iomem").path
        try a.write(toFile: iomem, atomically: true, encoding: .utf8)
        let diff = try Tool.run(["diff", "maps/qemu-virt.yaml", iomem])
        #expect(diff.status == 1 && diff.out.contains("- /intc reg 0 (mmio)"), "\(diff.out)\(diff.err)")
        let unexpected = diff.out.split(separator: "\n").dropFirst(2).filter { !$0.hasPrefix("- ") }
        #expect(unexpected.isEmpty, "Linux claimed what maps/qemu-virt.yaml does not decode:\n\(diff.out)")
        print("boot: /proc/iomem of QEMU's DTB, its round trip and maps/qemu-virt.yaml:\n\(a)")
    }

    /// (d) The `vm` domain of maps/qemu-virt.yaml booted as a VM of its own (QEMU given the
    /// guest's RAM, the guest device tree from `socmap guest`): the top of its /proc/iomem is
    /// what `socmap show --domain vm --format iomem` predicts.
    @Test func guestBootsAsPredicted() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let dtb = folder.appendingPathComponent("vm.dtb").path
        #expect(try Tool.run(["guest", "maps/qemu-virt.yaml", "--domain", "vm", "-o", dtb]).status == 0)
        let predicted = try Tool.run(["show", "maps/qemu-virt.yaml", "--domain", "vm", "--format", "iomem"])
        #expect(predicted.status == 0)
        let booted = try QEMU.iomem(dtb: dtb, memory: "256M").split(separator: "\n").filter { !$0.hasPrefix(" ") }.joined(separator: "\n")
        #expect(booted == predicted.out.trimmingCharacters(in: .newlines), "Linux:\n\(booted)\npredicted:\n\(predicted.out)")
        #expect(booted.contains("40000000-4fffffff : System RAM") && booted.contains("09000000-09000fff : pl011@9000000"))
        print("boot: guest vm, /proc/iomem as predicted:\n\(booted)")
    }
}
