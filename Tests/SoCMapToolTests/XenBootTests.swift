import Foundation
import TestSupport
import Testing

/// Xen itself as the judge of the dom0less boots socmap writes.
enum XenQEMU {
    /// The machine Xen 4.17 boots on under software emulation.
    static let machine = ["-M", "virt,virtualization=on,gic-version=3", "-cpu", "cortex-a57", "-smp", "2", "-m", "2G", "-nographic"]

    /// Starts QEMU with `arguments` and returns its console once `domains` guests have printed
    /// their `/proc/iomem` end marker (Xen never powers the machine off), or at `timeout`.
    static func console(_ arguments: [String], domains: Int, timeout: TimeInterval = 150) throws -> (text: String, seconds: Double) {
        // The console goes to a file that is polled: QEMU keeps running after the guests stop.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("socmap-xen-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["qemu-system-aarch64"] + machine + arguments
        let output = try FileHandle(forWritingTo: log)
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let started = Date()
        try process.run()
        var text = ""
        while Date().timeIntervalSince(started) < timeout && process.isRunning {
            Thread.sleep(forTimeInterval: 0.5)
            text = read(log)
            if text.components(separatedBy: "SOCMAP-IOMEM-END").count > domains { break }
        }
        let seconds = Date().timeIntervalSince(started)
        // SIGKILL: a child of Foundation's Process may have SIGTERM blocked.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? output.close()
        text = read(log)
        return (text.replacingOccurrences(of: "\r", with: ""), seconds)
    }

    /// The console so far, invalid UTF-8 (the firmware's odd bytes) repaired.
    static func read(_ log: URL) -> String { String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self) }

    /// Domain `id`'s `/proc/iomem` from the console (its lines come prefixed `(XEN) DOMn: `).
    static func iomem(domain id: Int, in console: String) -> [String] {
        let prefix = "(XEN) DOM\(id): "
        let lines = console.split(separator: "\n").filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        guard let begin = lines.firstIndex(of: "SOCMAP-IOMEM-BEGIN"), let end = lines.firstIndex(of: "SOCMAP-IOMEM-END"), begin < end else {
            return []
        }
        return Array(lines[(begin + 1)..<end])
    }
}

@Suite("Xen boots the dom0less guests socmap writes", .serialized, .requiresXen, .requiresDtc)
struct XenBootTests {
    /// `socmap guest maps/qemu-virt-xen.yaml --xen-boot DIR`, booted by Xen under QEMU: each
    /// guest's /proc/iomem (the top level) is what `socmap show --domain D --format iomem`
    /// predicts, and the passed-through PL061 sits at the guest address the map gives it with
    /// its driver bound.
    @Test func bothDomainsBootAsPredicted() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let made = try Tool.run([
            "guest", "maps/qemu-virt-xen.yaml", "--xen-boot", folder.path, "--kernel", BootArtefacts.kernel, "--ramdisk",
            BootArtefacts.initrd, "--hypervisor", XenArtefacts.image,
        ])
        #expect(made.status == 0, "\(made.err)")
        let arguments = try String(contentsOf: folder.appendingPathComponent("qemu.args"), encoding: .utf8).split(separator: "\n").map(
            String.init)
        let boot = try XenQEMU.console(arguments, domains: 2)
        for (id, domain) in [(1, "domU1"), (2, "domU2")] {
            let booted = XenQEMU.iomem(domain: id, in: boot.text)
            let predicted = try Tool.run(["show", "maps/qemu-virt-xen.yaml", "--domain", domain, "--format", "iomem"])
            let top = booted.filter { !$0.hasPrefix(" ") }
            #expect(
                !top.isEmpty && top == predicted.out.split(separator: "\n").map(String.init),
                "\(domain): Xen's guest printed\n\(booted.joined(separator: "\n"))\nsocmap predicted\n\(predicted.out)\nconsole tail:\n\(boot.text.suffix(2000))"
            )
            print(
                "xen: \(domain) /proc/iomem as predicted, \(String(format: "%.1f", boot.seconds)) s from QEMU start to both guests' listings:"
            )
            print(booted.joined(separator: "\n"))
        }
        // The PL061 passed through at 0x0b03_0000 (host 0x0903_0000), its driver bound.
        #expect(XenQEMU.iomem(domain: 2, in: boot.text).contains("  0b030000-0b030fff : b030000.gpio gpio@b030000"))
        #expect(!XenQEMU.iomem(domain: 1, in: boot.text).contains { $0.contains("gpio") })
    }
}
