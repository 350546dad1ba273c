import Foundation
import TestSupport
import Testing

/// `socmap diff`: exactly the changed units, in any combination of maps and device trees.
@Suite("socmap diff", .serialized)
struct DiffTests {
    static let base = """
        name: t
        regions:
          - {name: ram, kind: dram, base: 0x8000_0000, size: 1G}
          - {name: uart0, kind: mmio, base: 0x1000_0000, size: 4K}
          - {name: gpio, kind: mmio, base: 0x1000_1000, size: 4K}
          - name: apb
            kind: bus
            base: 0x2000_0000
            size: 1M
            ranges: [{child: 0x0, parent: 0x2000_0000, size: 1M}]
            children:
              - {name: timer, kind: mmio, base: 0x0, size: 4K}
        """

    /// One edit of the base map and the one change it must give (text line prefix, JSON kind).
    static let cases: [(String, @Sendable (String) -> String, String, String)] = [
        ("same", { $0 }, "", ""),
        (
            "added", { $0 + "\n  - {name: spi, kind: mmio, base: 0x1000_2000, size: 4K}\n" },
            "+ /spi (mmio) [0x1000_2000, 0x1000_2fff]", "added"
        ),
        (
            "removed", { $0.replacingOccurrences(of: "  - {name: gpio, kind: mmio, base: 0x1000_1000, size: 4K}\n", with: "") },
            "- /gpio (mmio) [0x1000_1000, 0x1000_1fff]", "removed"
        ),
        ("renamed", { $0.replacingOccurrences(of: "name: gpio,", with: "name: gpio0,") }, "> /gpio -> /gpio0 (mmio)", "renamed"),
        (
            "moved", { $0.replacingOccurrences(of: "base: 0x1000_1000", with: "base: 0x1000_8000") },
            "~ /gpio moved: [0x1000_1000, 0x1000_1fff] -> [0x1000_8000, 0x1000_8fff]", "changed"
        ),
        (
            "resized", { $0.replacingOccurrences(of: "base: 0x1000_1000, size: 4K", with: "base: 0x1000_1000, size: 8K") },
            "~ /gpio resized: [0x1000_1000, 0x1000_1fff] -> [0x1000_1000, 0x1000_2fff]", "changed"
        ),
        (
            "kind", { $0.replacingOccurrences(of: "name: gpio, kind: mmio", with: "name: gpio, kind: sram") },
            "~ /gpio kind: kind mmio -> sram", "changed"
        ),
        (
            "status",
            { $0.replacingOccurrences(of: "base: 0x1000_1000, size: 4K}", with: "base: 0x1000_1000, size: 4K, status: disabled}") },
            "~ /gpio status: disabled", "changed"
        ),
        (
            "window-size", { $0.replacingOccurrences(of: "parent: 0x2000_0000, size: 1M}", with: "parent: 0x2000_0000, size: 512K}") },
            "~ /apb windows: windows [0x0, 0xf_ffff]->0x2000_0000 -> [0x0, 0x7_ffff]->0x2000_0000", "changed"
        ),
    ]

    @Test func exactlyTheChangedUnits() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let old = folder.appendingPathComponent("old.yaml")
        try Self.base.write(to: old, atomically: true, encoding: .utf8)
        for (name, edit, line, kind) in Self.cases {
            let new = folder.appendingPathComponent("\(name).yaml")
            try edit(Self.base).write(to: new, atomically: true, encoding: .utf8)
            let r = try Tool.run(["diff", old.path, new.path])
            if line.isEmpty {
                #expect(r.status == 0 && r.out.isEmpty, "\(name): \(r.out)\(r.err)")
                continue
            }
            let changes = r.out.split(separator: "\n").dropFirst(2)
            #expect(r.status == 1 && changes.count == 1 && changes.first?.hasPrefix(line) == true, "\(name): \(r.out)\(r.err)")
            let json = try Tool.run(["diff", old.path, new.path, "--json"])
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]])
            #expect(parsed.count == 1 && parsed[0]["change"] as? String == kind, "\(name): \(json.out)")
        }
        // Windows: the bus maps its children elsewhere; the children move with it.
        let windows = folder.appendingPathComponent("windows.yaml")
        try Self.base.replacingOccurrences(of: "parent: 0x2000_0000, size: 1M}", with: "parent: 0x2010_0000, size: 1M}").write(
            to: windows, atomically: true, encoding: .utf8)
        let w = try Tool.run(["diff", old.path, windows.path])
        #expect(w.status == 1 && w.out.contains("~ /apb windows:") && w.out.contains("~ /apb/timer moved:"), "\(w.out)")
        // A bad input is exit 2.
        #expect(try Tool.run(["diff", old.path, folder.appendingPathComponent("missing.yaml").path]).status == 2)
    }

    /// A DTB and the map imported from it are the same address map.
    @Test(.requiresDtc) func deviceTreeAgainstItsImport() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let dtb = "Tests/SoCMapFDTTests/Fixtures/qemu-virt-arm.dtb"
        let yaml = folder.appendingPathComponent("virt.yaml").path
        #expect(try Tool.run(["import", dtb, "-o", yaml]).status == 0)
        let r = try Tool.run(["diff", dtb, yaml])
        #expect(r.status == 0 && r.out.isEmpty, "\(r.out)")
        let other = try Tool.run(["diff", dtb, "Tests/SoCMapFDTTests/Fixtures/qemu-virt-aarch64-gicv3-4g.dtb"])
        #expect(other.status == 1 && other.out.hasPrefix("--- \(dtb)\n+++ "), "\(other.out)")
        #expect(other.out.contains("~ /intc@8000000 reg: reg [0x800_0000, 0x800_ffff] [0x801_0000, 0x801_ffff] -> "), "GICv2 → GICv3")
        #expect(
            other.out.contains("~ /memory@40000000 resized: [0x4000_0000, 0x7fff_ffff] -> [0x4000_0000, 0x1_3fff_ffff]"), "\(other.out)")
    }

    /// `--initiator`/`--set` compare one view: a change only the HP ports see is no change for
    /// the CPU; the same map under two OCM settings differs for nobody (both sides take the
    /// setting); an unknown initiator is bad input.
    @Test func oneViewOnly() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let edited = folder.appendingPathComponent("zynq.yaml").path
        let text = try String(contentsOfFile: "maps/zynq-7000.yaml", encoding: .utf8)
        let narrower = text.replacingOccurrences(of: "base: 0x8_0000\n    size: 512K", with: "base: 0x8_0000\n    size: 256K")
        #expect(narrower != text)
        try narrower.write(toFile: edited, atomically: true, encoding: .utf8)
        let line = "~ /ddr-masters-low resized: [0x8_0000, 0xf_ffff] -> [0x8_0000, 0xb_ffff]"
        #expect(try Tool.run(["diff", "maps/zynq-7000.yaml", edited]).out.contains(line))
        #expect(try Tool.run(["diff", "maps/zynq-7000.yaml", edited, "--initiator", "hp"]).out.contains(line))
        let cpu = try Tool.run(["diff", "maps/zynq-7000.yaml", edited, "--initiator", "cpu"])
        #expect(cpu.status == 0 && cpu.out.isEmpty, "\(cpu.out)")
        #expect(try Tool.run(["diff", "maps/zynq-7000.yaml", "maps/zynq-7000.yaml", "--set", "ocm0=low"]).status == 0)
        let unknown = try Tool.run(["diff", "maps/zynq-7000.yaml", edited, "--initiator", "dma"])
        #expect(unknown.status == 2 && unknown.err.contains("unknown initiator 'dma'"), "\(unknown.err)")
    }
}
