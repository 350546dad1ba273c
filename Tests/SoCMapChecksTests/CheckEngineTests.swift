import Foundation
import SoCMap
import SoCMapChecks
import TestSupport
import Testing

/// A map built in code on which every generic check fires once (the in-code twin of the
/// YAML fixture `broken.yaml`, with no file reader involved).
func brokenMap() -> AddressMap {
    var dangling = Region(
        name: "dangling", kind: .alias, range: AddressRange(base: 0xE400_0000, size: 0x1000)!, alias: AliasTarget(path: "/nowhere"))
    dangling.location = SourceLocation(file: "code", line: 7, column: 1)
    let loopA = Region(
        name: "loop-a", kind: .alias, range: AddressRange(base: 0xE500_0000, size: 0x1000)!, alias: AliasTarget(path: "/loop-b"))
    let loopB = Region(
        name: "loop-b", kind: .alias, range: AddressRange(base: 0xE600_0000, size: 0x1000)!, alias: AliasTarget(path: "/loop-a"))
    let pcie = Region.pcieHost(
        name: "pcie",
        ecam: AddressRange(base: 0x8000_0000, size: 16 << 20), firstBus: 0, lastBus: 255,
        windows: [
            PCIeWindow(space: .mem32, cpuRange: AddressRange(base: 0x8080_0000, size: 16 << 20)!, pciBase: 0)
        ])
    return AddressMap(
        name: "broken", addressBits: 32, initiators: [Initiator(name: "cpu")],
        switches: [
            Switch(name: "boot", values: ["rom", "ram"], defaultValue: "rom"),
            Switch(name: "unused", values: ["a", "b"], defaultValue: "a"),
        ],
        regions: [
            r("uart0", .mmio, 0xE000_0000, 0x1800),
            r("uart1", .mmio, 0xE000_1000, 0x1000),
            r("uart1", .mmio, 0xE100_0000, 0x1000),
            r("spy", .mmio, 0xE200_0000, 0x1000, seenBy: ["cpux"]),
            r("gated", .mmio, 0xE300_0000, 0x1000, when: "bot == rom || boot == flash"),
            dangling, loopA, loopB,
            r(
                "apb", .bus, 0xF000_0000, 1 << 20,
                children: [
                    r("inside", .mmio, 0x100, 0x100), r("straddler", .mmio, 0xFF00, 0x200), r("lost", .mmio, 0x20_0000, 0x100),
                ], translation: .windows([window(0, 0xF000_0000, 0x1_0000), window(0x10_0000, 0xF000_8000, 0x1_0000)])),
            r("small", .bus, 0xF100_0000, 0x1000, children: [r("spill", .mmio, 0xF100_0800, 0x1000)]),
            r("highmem", .dram, 0xFFFF_0000, 0x2_0000),
            r("fpga", .plWindow, 0x4100_0000, 256 << 20),
            r("nothing", .bus, 0x6000_0000, 1 << 20),
            pcie,
            r("hidden", .mmio, 0xE000_0100, 0x100, priority: -1),
            r("bank", .dram, 0x1000_0000, 16 << 20),
            Region(name: "periph", kind: .bus, children: [r("timer@10000100", .mmio, 0x1000_0000, 0x1000)]),
        ])
}

@Suite("Check engine on maps built in code")
struct CheckEngineTests {
    @Test(arguments: [
        ("sibling-overlap", "/uart1"), ("duplicate-name", "/uart1"), ("unknown-initiator", "/spy"), ("unknown-switch", "/gated"),
        ("alias-target", "/dangling"), ("alias-cycle", "/loop-a"), ("outside-window", "/apb/lost"), ("window-straddle", "/apb/straddler"),
        ("ranges-overlap", "/apb"), ("outside-parent", "/small/spill"), ("address-bits", "/highmem"), ("window-alignment", "/fpga"),
        ("empty-bus", "/nothing"), ("pcie-bus-range", "/pcie"), ("pcie-window-overlap", "/pcie"), ("shadowed", "/hidden"),
        ("unused-switch", ""), ("dram-hole", "/bank"), ("unit-address", "/periph/timer@10000100"),
    ])
    func genericCheckFires(id: String, path: String) {
        let found = CheckEngine().run(on: brokenMap()).filter { $0.checkID == id }
        #expect(found.contains { ($0.path ?? "") == path }, "\(id): \(found.map(\.description))")
    }

    @Test func everyGenericCheckIsCovered() {
        let fired = Set(CheckEngine().run(on: brokenMap()).map(\.checkID))
        // The device-tree checks run on maps read from device trees (dt-checks.dts covers them).
        #expect(Set(GenericChecks.all.map(\.id)).subtracting(fired).subtracting(deviceTreeCheckIDs).isEmpty)
    }

    /// `check --list` and the docs give every check a reason; no reason is left for a check
    /// that is gone.
    @Test func everyCheckHasARationale() {
        let all = GenericChecks.all + DomainChecks.all + Profile.all.flatMap(\.checks)
        for check in all { #expect(!check.rationale.isEmpty, "\(check.id)") }
        #expect(Set(Check.rationales.keys) == Set(all.map(\.id)))
        #expect(Set(all.map(\.id)).count == all.count, "ids are unique")
        // docs/map-format.md lists each with its severity and reason.
        let docs = (try? String(contentsOf: packageRoot.appendingPathComponent("docs/map-format.md"), encoding: .utf8)) ?? ""
        for check in GenericChecks.all + DomainChecks.all {
            #expect(docs.contains("| `\(check.id)` | \(check.severity.rawValue) |") && docs.contains(check.rationale), "\(check.id)")
        }
        for check in Profile.all.flatMap(\.checks) {
            #expect(docs.contains("`\(check.id)` (\(check.severity.rawValue))") && docs.contains(check.rationale), "\(check.id)")
        }
    }

    /// Two checks naming the same units over the same range are one problem: the more severe
    /// one stays.
    @Test func oneDiagnosticPerGroup() {
        var low = Diagnostic(.warning, "reg-overlap", "a and b overlap")
        low.group = ["/a", "/b"]
        low.range = AddressRange(base: 0x1000, size: 0x100)
        var high = Diagnostic(.error, "zynq-ps-overlap", "a and b overlap in the SLCR")
        high.group = ["/b", "/a"]
        high.range = low.range
        var elsewhere = low
        elsewhere.range = AddressRange(base: 0x2000, size: 0x100)
        let kept = CheckEngine.oneForEachGroup([low, Diagnostic(.note, "x", "ungrouped"), elsewhere, high])
        #expect(kept.map(\.checkID) == ["x", "reg-overlap", "zynq-ps-overlap"])
        #expect(kept[1].range == elsewhere.range)
    }

    @Test func structuralChecksReportWhatResolutionFound() {
        let resolved = ResolvedMap(brokenMap())
        let structural = CheckEngine(checks: [
            GenericChecks.duplicateName, GenericChecks.unknownInitiator, GenericChecks.unknownSwitch, GenericChecks.aliasTarget,
            GenericChecks.aliasCycle,
        ])
        let found = structural.run(on: resolved)
        #expect(found.map(\.checkID) == resolved.problems.map(\.kind.rawValue))
        #expect(found.map(\.message) == resolved.problems.map(\.message))
        // The location written in code travels into the diagnostic.
        #expect(
            found.first { $0.checkID == "alias-target" }?.description
                == "code:7:1: error: /dangling: alias target: no region '/nowhere' [alias-target]")
    }

    @Test func prerequisitesRunFirstAndBlockWhenTheyFail() {
        let engine = CheckEngine(checks: [GenericChecks.decodeConflict, GenericChecks.emptyBus, GenericChecks.aliasCycle])
        #expect(engine.runOrder.map(\.id) == ["alias-cycle", "decode-conflict", "empty-bus"])
        let found = engine.run(on: brokenMap())
        let blocked = found.first { $0.checkID == "decode-conflict" }
        #expect(
            blocked?.severity == .warning && blocked?.message == "not run: its prerequisite 'alias-cycle' reported errors; fix those first")
    }

    @Test func overridesChangeOrSilenceAnyCheck() {
        var engine = CheckEngine()
        engine.overrides["sibling-overlap"] = .some(nil)
        engine.overrides["empty-bus"] = .some(.error)
        let found = engine.run(on: brokenMap())
        #expect(!found.contains { $0.checkID == "sibling-overlap" })
        #expect(found.first { $0.checkID == "empty-bus" }?.severity == .error)
    }

    /// A finding that holds in several views is reported once, naming every view.
    @Test func findingsMergeAcrossViews() {
        let map = AddressMap(
            name: "t", initiators: [Initiator(name: "cpu"), Initiator(name: "dma")],
            regions: [
                r("bank", .dram, 0, 0x10_0000), r("regs", .mmio, 0x1000, 0x1000, priority: 1),
            ])
        let holes = CheckEngine(checks: [GenericChecks.dramHole]).run(on: map)
        #expect(holes.count == 1)
        #expect(holes.first?.view == "initiator cpu; initiator dma")
    }

    /// The context is an immutable `Sendable` value: checks run on it from many tasks at once
    /// give what one thread gives.
    @Test func checksRunConcurrentlyOnOneContext() async {
        let context = CheckContext(ResolvedMap(brokenMap()), allSwitches: true)
        let engine = CheckEngine()
        let sequential = engine.checks.map { CheckEngine(checks: [$0]).run(in: context).map(\.description) }
        let concurrent = await withTaskGroup(of: (Int, [String]).self) { group in
            for (i, check) in engine.checks.enumerated() {
                group.addTask { (i, CheckEngine(checks: [check]).run(in: context).map(\.description)) }
            }
            var results = [[String]](repeating: [], count: engine.checks.count)
            for await (i, lines) in group { results[i] = lines }
            return results
        }
        #expect(concurrent == sequential)
    }
}
