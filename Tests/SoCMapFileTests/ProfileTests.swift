import Foundation
import SoCMap
import SoCMapChecks
import SoCMapFile
import SoCMapViews
import TestSupport
import Testing

func profileFixture(_ name: String) throws -> AddressMap {
    try MapFile.parse(try fixture("profiles/\(name)"), file: name).map
}

@Suite("Layout profiles")
struct ProfileTests {
    /// Each profile rule fires on the profile's broken fixture and never on the bundled maps of
    /// that family (the clean fixtures), in every switch combination.
    @Test(arguments: [
        ("zynq-7000", ["zynq-7000.yaml", "zynq-7000-xen.yaml"]), ("zynqmp", ["zynqmp.yaml"]), ("juno", ["juno.yaml"]),
        ("qemu-virt", ["qemu-virt.yaml"]), ("x86-pc", ["x86-pc.yaml", "x86-nvram-domains.yaml"]),
    ])
    func everyRuleHasATriggeringAndACleanFixture(profile: String, clean: [String]) throws {
        let p = try #require(Profile.named(profile))
        let broken = try profileFixture("\(profile)-broken.yaml")
        #expect(Profile.for(broken)?.name == profile)
        let fired = Set(CheckEngine(profile: p).run(on: broken).map(\.checkID))
        // Rules about device-tree nodes fire on DTS fixtures (SoCMapFDTTests).
        let deviceTreeOnly: Set<String> = ["zynq-ps-overlap"]
        for rule in p.checks where !deviceTreeOnly.contains(rule.id) {
            #expect(fired.contains(rule.id), "\(rule.id) does not fire on \(profile)-broken.yaml")
        }
        for name in clean {
            var engine = CheckEngine(profile: p)
            engine.allSwitches = true
            let findings = engine.run(on: try bundledMap(name))
            #expect(findings.isEmpty, "\(name): \(findings.map(\.description))")
        }
    }

    @Test func zynqAcceptanceMapGivesExactlyThreeLocatedFindings() throws {
        let map = try profileFixture("zynq-7000-three.yaml")
        let found = CheckEngine(profile: Profile.for(map)).run(on: map)
        #expect(found.map(\.checkID) == ["zynq-ddr-window", "zynq-pl-window", "zynq-hp-reach"])
        #expect(found.map { $0.location?.line ?? 0 } == [8, 9, 10])
        #expect(found.map(\.path) == ["/ddr", "/axi_gpio_0", "/uart0"])
        #expect(found[1].message.contains("straddles M_AXI_GP0 and M_AXI_GP1"))
        #expect(found[2].view == "initiator hp")
    }

    /// `--all-switches`: a Zynq map whose SCU filter does not win over low OCM fails only in the
    /// combinations with the filter at 0 and some OCM block low, and the findings name them.
    @Test func allSwitchesNamesTheFailingCombinations() throws {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("maps/zynq-7000.yaml"), encoding: .utf8)
        let broken = text.replacingOccurrences(of: "    priority: 2  # the SCU sends", with: "    priority: 0  # the SCU sends")
        #expect(broken != text)
        let map = try MapFile.parse(broken, file: "zynq-broken-scu.yaml").map
        var engine = CheckEngine(profile: Profile.named("zynq-7000"))
        #expect(engine.run(on: map).isEmpty)  // the default setting (OCM high) is fine
        engine.allSwitches = true
        let found = engine.run(on: map)
        #expect(Set(found.map(\.checkID)) == ["zynq-ocm-scu"])
        let views = found.flatMap { ($0.view ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) } }
        #expect(!views.isEmpty)
        for v in views {
            #expect(v.contains("scu-filter-start=0") && v.contains("initiator cpu"), "\(v)")
            #expect(v.contains("=low"), "\(v)")
        }
        // Block 0 low fails in 8 of the 16 OCM settings (bits 1-3 free), with the filter at 0,
        // and with either bitstream setting: 16 views.
        let block0 = try #require(found.first { $0.path == "/ocm/block0" })
        #expect(block0.view?.split(separator: ";").count == 16)
    }

    @Test func prerequisitesAreReportedNotSilent() throws {
        let map = try MapFile.parse(try fixture("broken.yaml"), file: "broken.yaml").map
        let found = CheckEngine().run(on: map)
        #expect(found.contains { $0.checkID == "decode-conflict" && $0.message.contains("prerequisite 'alias-cycle'") })
    }

    @Test func overridesChangeSeverities() throws {
        let map = try profileFixture("zynq-7000-three.yaml")
        var engine = CheckEngine(profile: Profile.for(map))
        engine.overrides["zynq-hp-reach"] = .some(.warning)
        engine.overrides["zynq-ddr-window"] = .some(nil)
        let found = engine.run(on: map)
        #expect(found.map(\.checkID) == ["zynq-pl-window", "zynq-hp-reach"])
        #expect(found.last?.severity == .warning)
    }

    @Test func decodeConflictAfterTranslation() throws {
        let text = """
            name: t
            regions:
              - name: a
                kind: bus
                ranges: [{child: 0x0, parent: 0x1000_0000, size: 1M}]
                children: [{name: uart, kind: mmio, base: 0x1000, size: 4K}]
              - name: b
                kind: bus
                ranges: [{child: 0x0, parent: 0x2000_0000, size: 1M}, {child: 0x20_0000, parent: 0x1000_0000, size: 8K}]
                children: [{name: timer, kind: mmio, base: 0x20_1000, size: 256}]
            """
        let found = CheckEngine().run(on: try MapFile.parse(text, file: "t.yaml").map).filter { $0.checkID == "decode-conflict" }
        #expect(found.count == 1 && found[0].path == "/b/timer" && found[0].message.contains("/a/uart"))
    }
}
