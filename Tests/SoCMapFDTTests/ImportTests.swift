import Foundation
import SoCMap
import SoCMapChecks
import SoCMapDeviceTree
import SoCMapFDT
import SoCMapFile
import SoCMapViews
import TestSupport
import Testing

@Suite("Device-tree import: Linux translation on real artefacts")
struct ImportTests {
    /// QEMU's own DTB decodes like QEMU's memory map (qemu-virt-mtree.txt), PCIe windows included.
    @Test func qemuVirtDTBDecodesLikeQEMU() throws {
        let map = try DeviceTreeFiles.importMap(path: fixtureURL("qemu-virt-aarch64-1g.dtb").path).map
        let router = try Router(map: map)
        func answer(_ a: UInt64) -> DecodeAnswer { DecodeAnswer(address: PhysicalAddress(a), router: router) }
        #expect(answer(0x3EFF_0010).text.hasPrefix("0x3eff_0010: /pcie@10000000 (pcie) I/O space, bus address 0x10"))
        let io = try #require(router.route(PhysicalAddress(0x3EFF_0000)))
        #expect(io.target == .pcieWindow(0) && io.offset == 0 && io.busAddress == 0)
        #expect(router.segment(io.segment).range == AddressRange(base: 0x3EFF_0000, last: 0x3EFF_FFFF))
        let mem32 = try #require(router.route(PhysicalAddress(0x1000_0000)))
        #expect(
            mem32.busAddress == 0x1000_0000 && mem32.offset == 0
                && router.segment(mem32.segment).range == AddressRange(base: 0x1000_0000, last: 0x3EFE_FFFF))
        let mem64 = try #require(router.route(PhysicalAddress(0x80_0000_0000)))
        #expect(mem64.busAddress == 0x80_0000_0000 && router.segment(mem64.segment).range.last == 0xFF_FFFF_FFFF)
        let ecam = try #require(router.route(PhysicalAddress(0x40_1000_0000)))
        #expect(
            ecam.target == .pcieConfig && router.segment(ecam.segment).range == AddressRange(base: 0x40_1000_0000, last: 0x40_1FFF_FFFF))
        #expect(router[try #require(router.route(PhysicalAddress(0x0900_0000))).unit].path == "/pl011@9000000")
        #expect(router[try #require(router.route(PhysicalAddress(0x4000_0000))).unit].kind == .dram)
        #expect(router.route(PhysicalAddress(0x8000_0000)) == nil)
    }

    /// Every `reg` entry of the hand-written DTS fixtures lands where the hand-computed table
    /// (Linux of_translate_address rules) says, or is untranslatable where it says so.
    @Test(
        .requiresDtc,
        arguments: [
            "zynq-like", "nested-ranges", "pcie-host", "default-cells", "odd/intc-address-cells-0", "odd/reg-trailing-cells",
            "odd/size-cells-0-bus",
        ])
    func translationMatchesTheHandComputedTable(name: String) throws {
        let imported = try DeviceTreeFiles.importMap(path: fixtureURL("\(name).dts").path)
        let resolved = ResolvedMap(imported.map)
        var regionByPath: [String: RegionID] = [:]
        for node in resolved.tree.nodes { regionByPath[node.path] = node.id }
        var seen: [String: Int] = [:]
        let lines = try String(contentsOf: fixtureURL("\(name).expected.txt"), encoding: .utf8).split(separator: "\n").filter {
            !$0.hasPrefix("#") && !$0.isEmpty
        }
        #expect(!lines.isEmpty)
        for line in lines {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let path = fields[0]
            // Line k of a path is its node's reg entry k: one region holds them all.
            let index = seen[path, default: 0]
            seen[path] = index + 1
            let placements = regionByPath[path].map { resolved.entryPlacements(of: $0) } ?? []
            let placed = index < placements.count ? placements[index] : nil
            if fields[1] == "untranslatable" {
                #expect(placed == nil, "\(name): \(fields[0]) should be untranslatable, got \(placed.map(\.description) ?? "-")")
            } else {
                let expected = AddressRange(
                    base: UInt64(fields[1].dropFirst(2), radix: 16)!, last: UInt64(fields[2].dropFirst(2), radix: 16)!)
                #expect(
                    placed == expected,
                    "\(name): \(fields[0]) expected \(expected.map(\.description) ?? "?") got \(placed.map(\.description) ?? "untranslatable")"
                )
            }
        }
    }

    @Test(.requiresDtc, .requiresCpp) func dtsWithIncludeGoesThroughCpp() throws {
        let map = try DeviceTreeFiles.importMap(path: fixtureURL("include-board.dts").path).map
        let router = try Router(map: map)
        let uart = try #require(router.route(PhysicalAddress(0xE000_0004)))
        #expect(router[uart.unit].path == "/soc/serial@e0000000" && uart.offset == 4)
        #expect(router.route(PhysicalAddress(0x100)).map { router[$0.unit].kind } == .dram)
    }

    @Test(.requiresDtc) func defaultCellsWarnLikeDtc() throws {
        let imported = try DeviceTreeFiles.importMap(path: fixtureURL("default-cells.dts").path)
        #expect(imported.warnings.contains { $0.checkID == "avoid_default_addr_size" })
    }

    /// Structural corruption (what `fdt_check_full` and the layout checks catch) refuses the
    /// blob with one line naming the libfdt code and the offset.
    @Test(arguments: [
        "truncated.dtb", "bad-magic.dtb", "bad-version.dtb", "totalsize-too-large.dtb", "struct-misaligned.dtb", "blocks-overlap.dtb",
        "unbalanced-nodes.dtb", "deep-nesting.dtb",
    ])
    func structurallyCorruptDTBsAreRefused(name: String) throws {
        let path = fixtureURL("bad/\(name)").path
        do {
            let imported = try DeviceTreeFiles.importMap(path: path)
            Issue.record("\(name) was accepted: \(imported.map.regions.count) regions")
        } catch {
            #expect(error.diagnostics.count == 1)
            let text = error.diagnostics[0].description
            #expect(!text.contains("\n") && text.contains(name))
            let message = try #require(text.components(separatedBy: "error: ").last)
            #expect(message.range(of: #"failed at offset 0x[0-9a-f]+"#, options: .regularExpression) != nil, "\(text)")
        }
    }

    /// A semantic oddity is a warning on the odd node (with its check id); the rest of the tree
    /// imports as it does from the intact control.
    @Test(arguments: [
        ("address-cells-0.dtb", ["/amba": "cells"]), ("address-cells-5.dtb", ["/amba": "cells"]),
        ("reg-odd-length.dtb", ["/amba/serial@e0001000": "reg-format"]),
        (
            "reg-vs-size-cells.dtb",
            ["/amba/i2c@e0004000/eeprom@50": "reg-format", "/amba/i2c@e0004000/temperature-sensor@48": "reg-format"]
        ),
        (
            "ranges-bad-length.dtb",
            [
                "/amba_pl@40000000": "ranges-format", "/amba_pl@40000000/gpio@41200000": "reg-format",
                "/amba_pl@40000000/timer@42800000": "reg-format",
            ]
        ),
    ])
    func semanticOdditiesAreWarningsOnTheirNodes(name: String, warnings: [String: String]) throws {
        let imported = try DeviceTreeFiles.importMap(path: fixtureURL("bad/\(name)").path)
        #expect(imported.warnings.count == warnings.count, "\(imported.warnings.map(\.description))")
        for w in imported.warnings { #expect(warnings[w.path ?? ""] == w.checkID, "\(w)") }
        // The DDR and the nodes outside the odd subtree are untouched.
        let control = try Router(map: try DeviceTreeFiles.importMap(path: fixtureURL("bad/base.dtb").path).map)
        let router = try Router(map: imported.map)
        let odd = Set(warnings.keys)
        for s in control.segments where !odd.contains(where: { control[s.unit].path.hasPrefix($0) }) {
            #expect(router.route(PhysicalAddress(s.range.base)).map { router[$0.unit].path } == control[s.unit].path, "\(name): \(s.range)")
        }
    }

    /// The odd-node DTS fixtures (each beside a hand-computed table of every entry, checked in
    /// `translationMatchesTheHandComputedTable`): one warning on each odd node, none elsewhere.
    @Test(
        .requiresDtc,
        arguments: [
            ("intc-address-cells-0", ["/soc/interrupt-controller@f8f02000": "cells"]),
            ("reg-trailing-cells", ["/soc/serial@e0001000": "reg-format", "/soc/dma@f8003000": "reg-format"]),
            ("size-cells-0-bus", ["/soc/bus@40000000": "cells"]),
        ])
    func oddNodesWarnOnceEach(name: String, warnings: [String: String]) throws {
        let imported = try DeviceTreeFiles.importMap(path: fixtureURL("odd/\(name).dts").path)
        #expect(imported.warnings.count == warnings.count, "\(imported.warnings.map(\.description))")
        for w in imported.warnings { #expect(warnings[w.path ?? ""] == w.checkID, "\(w)") }
        let router = try Router(map: imported.map)
        // Whole entries keep their reg-names; the unit decodes as usual.
        if name == "reg-trailing-cells" {
            let ns = try #require(router.route(PhysicalAddress(0xF800_4010)))
            #expect(router[ns.unit].path == "/soc/dma@f8003000" && ns.entry == 1 && ns.offset == 0x10)
            #expect(DecodeAnswer(address: PhysicalAddress(0xF800_4010), router: router).text.contains(#"reg 1 "ns""#))
        }
    }

    @Test func baseOfTheCorpusIsValid() throws {
        _ = try DeviceTreeFiles.importMap(path: fixtureURL("bad/base.dtb").path)
    }
}

@Suite("Checks on imported device trees")
struct DeviceTreeCheckTests {
    func check(_ name: String, profile: String? = nil) throws -> [Diagnostic] {
        let map = try DeviceTreeFiles.importMap(path: fixtureURL(name).path).map
        return CheckEngine(profile: profile.flatMap(Profile.named) ?? Profile.for(map)).run(on: map)
    }

    /// dtc compiles it silently; socmap finds the two devices that share a CPU address.
    @Test(.requiresDtc) func overlapBehindDifferentRangesIsFound() throws {
        let dtc = try run("dtc", ["-I", "dts", "-O", "dtb", "-o", "/dev/null", fixtureURL("overlap-behind-ranges.dts").path])
        #expect(dtc.status == 0 && dtc.err.isEmpty && dtc.out.isEmpty)
        let found = try check("overlap-behind-ranges.dts")
        #expect(
            found.contains {
                $0.checkID == "reg-overlap" && $0.group == ["/bus@10000000/serial@1000", "/bus@20000000/timer@201000"]
                    && $0.range == AddressRange(base: 0x1000_1000, size: 0x100)
            }, "\(found.map(\.description))")
    }

    /// Each device-tree check on its case, one diagnostic per group, none an error.
    @Test(.requiresDtc) func deviceTreeChecksFireOnTheirCases() throws {
        let found = try check("dt-checks.dts")
        let expected: [(String, String, Severity)] = [
            ("shared-registers", "/soc/led-a@60000008", .note), ("reg-overlap", "/soc/uart@60001000", .warning),
            ("offset-reg", "/soc/slcr@f8000000", .warning), ("memory-over-device", "/memory@0", .warning),
            ("reserved-outside-memory", "/reserved-memory/fw@50000000", .warning),
        ]
        #expect(found.count == expected.count, "\(found.map(\.description))")
        for (id, path, severity) in expected {
            #expect(found.contains { $0.checkID == id && $0.path == path && $0.severity == severity }, "\(id)")
        }
        #expect(Set(found.map(\.checkID)) == deviceTreeCheckIDs)
        let offsets = try #require(found.first { $0.checkID == "offset-reg" })
        #expect(offsets.message.contains("ranges = <0x0 0xf8000000 0x1000>") && offsets.message.contains("inside /memory@0"))
        #expect(offsets.group == ["/soc/slcr@f8000000/clkc@100", "/soc/slcr@f8000000/rstc@200"])
    }

    /// A Zynq-7000 board in the kernel's shape with three layout defects: each is an error of
    /// the profile picked from the root compatible, the kernel's SLCR idiom one warning.
    @Test(.requiresDtc) func zynqLayoutDefectsAreErrors() throws {
        let found = try check("zynq-layout-defects.dts")
        let errors = found.filter { $0.severity == .error }
        #expect(errors.map(\.checkID) == ["zynq-ddr-window", "zynq-pl-window", "zynq-ps-overlap"], "\(found.map(\.description))")
        #expect(errors.map(\.path) == ["/memory@0", "/amba_pl/gpio@c1200000", "/axi/slcr@f8000000"])
        let overlap = try #require(errors.last)
        #expect(overlap.group == ["/axi/slcr@f8000000", "/axi/gpio@f8000800"])
        #expect(overlap.range == AddressRange(base: 0xF800_0800, size: 0x100) && overlap.message.contains("inside the SLCR"))
        #expect(found.filter { $0.severity != .error }.map(\.checkID) == ["offset-reg"])
        // Without the profile, nothing is an error: the generic checks see only the idiom.
        let generic = CheckEngine(profile: nil).run(on: try DeviceTreeFiles.importMap(path: fixtureURL("zynq-layout-defects.dts").path).map)
        #expect(!generic.contains { $0.severity == .error }, "\(generic.map(\.description))")
    }

    /// The zynq-7000 rules run on a board DTS and name node paths.
    @Test(.requiresDtc) func zynqProfileOnADTB() throws {
        let found = try check("zynq-bad-board.dts", profile: "zynq-7000")
        #expect(found.contains { $0.checkID == "zynq-ddr-window" && $0.path == "/memory@0" })
        #expect(found.contains { $0.checkID == "zynq-pl-window" && $0.path == "/amba_pl-bus@40000000/dma@7fff8000" })
        #expect(found.allSatisfy { $0.location?.file.hasSuffix("zynq-bad-board.dts") ?? false })
        // Chosen from the root compatible when no --profile is given.
        #expect(try check("zynq-bad-board.dts").contains { $0.checkID == "zynq-pl-window" })
        // The well-formed Zynq-like board and QEMU's own DTBs are clean under their profiles.
        #expect(try check("zynq-like.dts", profile: "zynq-7000").isEmpty)
        for dtb in ["qemu-virt-aarch64-1g.dtb", "qemu-virt-aarch64-gicv3-4g.dtb", "qemu-virt-arm.dtb"] {
            let findings = try check(dtb, profile: "qemu-virt")
            #expect(findings.isEmpty, "\(dtb): \(findings.map(\.description))")
        }
    }
}
