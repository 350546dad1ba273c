import Foundation
import SoCMap
import SoCMapChecks
import SoCMapFile
import SoCMapViews
import TestSupport
import Testing

@Suite("Bundled maps")
struct BundledMapTests {
    @Test(arguments: bundledMapNames)
    func checkIsClean(name: String) throws {
        let diagnostics = CheckEngine().run(on: try bundledMap(name))
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description).joined(separator: "\n"))")
    }

    @Test(arguments: bundledMapNames)
    func formatIsCanonicalAndIdempotent(name: String) throws {
        let path = packageRoot.appendingPathComponent("maps/\(name)").path
        let file = try MapFile.load(path: path, layout: true)
        let once = MapWriter.format(file)
        #expect(once == file.text, "maps/\(name) is not in canonical form: run socmap fmt")
        let twice = MapWriter.format(try MapFile.parse(once, file: path))
        #expect(twice == once)
        #expect(try MapFile.parse(once, file: path).map.withoutLocations() == file.map.withoutLocations())
    }

    /// The annotated example of docs/map-format.md loads, checks clean and decodes as the text says.
    @Test func documentationExampleWorks() throws {
        let doc = try String(contentsOf: packageRoot.appendingPathComponent("docs/map-format.md"), encoding: .utf8)
        let section = try #require(doc.components(separatedBy: "## A complete annotated example").last)
        let yaml = try #require(section.components(separatedBy: "```yaml\n").dropFirst().first?.components(separatedBy: "```").first)
        let map = try MapFile.parse(yaml, file: "docs/map-format.md").map
        #expect(CheckEngine().run(on: map).isEmpty)
        let router = try Router(map: map)
        let route = try #require(router.route(PhysicalAddress(0xE000_1004)))
        #expect(router[route.unit].path == "/apb/uart1" && route.offset == 4)
        #expect(try Router(map: map, initiator: "dma").route(PhysicalAddress(0xE000_1004)) == nil)
    }

    /// Every range of QEMU's own flat view (cpu-memory-0, `-M virt -m 1G`) decodes in the map to
    /// one unit with exactly the same bounds, and the map has no other segment.
    @Test func qemuVirtFlatViewMatchesQEMU() throws {
        let router = try Router(map: try bundledMap("qemu-virt.yaml"))
        var expected: [(UInt64, UInt64, String)] = []
        for line in try fixture("qemu-virt-mtree-f.txt").split(separator: "\n") where !line.hasPrefix("#") {
            let t = line.trimmingCharacters(in: .whitespaces)
            let bounds = t.prefix(33).split(separator: "-")
            let name = t.split(separator: ": ", maxSplits: 1)[1].split(separator: " ")[0]
            expected.append((UInt64(bounds[0], radix: 16)!, UInt64(bounds[1], radix: 16)!, String(name)))
        }
        #expect(expected.count == 48)
        let segments = router.segments
        #expect(segments.count == expected.count)
        for (base, last, qemuName) in expected {
            let route = try #require(router.route(PhysicalAddress(base)), "\(qemuName) at \(hex(base)) is unassigned")
            let segment = router.segment(route.segment)
            #expect(
                segment.range.base == base && segment.range.last == last, "\(qemuName): \(segment.range) vs [\(hex(base)), \(hex(last))]")
            let ourName = router[route.unit].name
            let expectedName =
                [
                    "gpex_mmio_window": "pcie", "gpex_ioport_window": "pcie", "pcie-mmcfg-mmio": "pcie", "virtio-mmio": "virtio-mmio-",
                    "virt.flash0": "flash", "virt.flash1": "flash", "gic_dist": "intc", "gic_cpu": "intc", "gicv2m": "v2m",
                ][qemuName] ?? qemuName
            #expect(ourName.hasPrefix(expectedName), "\(hex(base)): \(ourName) vs \(qemuName)")
        }
    }

    /// soc-maps.md §1.3–1.4: what each master sees at the bottom of the Zynq-7000 map and in the
    /// OCM high slots, for all 16 OCM_CFG settings and both SCU filter starts.
    @Test func zynqLowAddressesFollowOCMConfigAndSCUFiltering() throws {
        let map = try bundledMap("zynq-7000.yaml")
        let resolved = ResolvedMap(map)
        var combinations = 0
        for setting in SwitchSetting.all(for: map, switches: ["ocm0", "ocm1", "ocm2", "ocm3", "scu-filter-start"]) {
            combinations += 1
            let filtered = setting["scu-filter-start"] == "0"
            for initiator in ["cpu", "hp", "other"] {
                let router = try Router(resolved, initiator: initiator, setting: setting)
                func unit(_ a: UInt64) -> String? { router.route(PhysicalAddress(a)).map { router[$0.unit].path } }
                func offset(_ a: UInt64) -> UInt64? { router.route(PhysicalAddress(a))?.offset }
                for block in 0..<4 {
                    let low = UInt64(block) << 16
                    let isLow = setting["ocm\(block)"] == "low"
                    let expectedLow: String?
                    if initiator == "cpu" && filtered {
                        expectedLow = "/ddr"  // the SCU sends CPU/ACP addresses to DDR from 0
                    } else {
                        expectedLow = isLow ? "/ocm/block\(block)" : nil
                    }
                    #expect(unit(low + 0x10) == expectedLow, "\(initiator) \(setting) at \(hex(low + 0x10))")
                    #expect(offset(low + 0x10) == (expectedLow == nil ? nil : expectedLow == "/ddr" ? low + 0x10 : 0x10))
                    let high = 0xFFFC_0000 + low
                    #expect(unit(high) == (isLow ? nil : "/ocm/block\(block)"), "\(initiator) \(setting) at \(hex(high))")
                }
                // 0x4_0000-0x7_FFFF: CPU-only DDR, and only when SCU-filtered.
                #expect(unit(0x4_0000) == (initiator == "cpu" && filtered ? "/ddr" : nil))
                // 0x8_0000-0xF_FFFF: DDR for non-CPU masters always, for CPUs when filtered.
                #expect(unit(0x8_0000) == (initiator != "cpu" || filtered ? "/ddr" : nil))
                #expect(unit(0x10_0000) == "/ddr" && offset(0x10_0000) == 0x10_0000)
                #expect(unit(0x3FFF_FFFF) == "/ddr")
            }
        }
        #expect(combinations == 32)
    }

    @Test func zynqPLPeripheralIsReachedThroughMAxiGP0ButNotFromHP() throws {
        let map = try bundledMap("zynq-7000.yaml")
        let cpu = try Router(map: map, initiator: "cpu")
        let route = try #require(cpu.route(PhysicalAddress(0x4120_0000)))
        #expect(cpu[route.unit].path == "/m-axi-gp0/axi-interconnect/axi_gpio_0")
        #expect(cpu.hops(for: route).first.map { cpu[$0.hop.region].path } == "/m-axi-gp0")
        #expect(try Router(map: map, initiator: "hp").route(PhysicalAddress(0x4120_0000)) == nil)
        // Without a bitstream the window decodes itself.
        let bare = try #require(
            try Router(map: map, initiator: "cpu", switches: ["bitstream": "absent"]).route(PhysicalAddress(0x4120_0000)))
        #expect(cpu[bare.unit].path == "/m-axi-gp0" && bare.offset == 0x120_0000)
    }
}
