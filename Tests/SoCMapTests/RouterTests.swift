import SoCMap
import TestSupport
import Testing

/// `[unit-name base-last]` for every segment, to compare whole flat views.
func layout(_ router: Router) -> [String] {
    router.segments.map { "\(router[$0.unit].name) \(hex($0.range.base))-\(hex($0.range.last))" }
}

@Suite("Router: QEMU priority rules, translation, views")
struct RouterTests {
    /// docs/devel/memory.rst: A 0x8000 at prio 0; C MMIO 0-0x6000 prio 1; B container at 0x2000
    /// size 0x4000 prio 2 holding D at 0 and E at 0x2000 (0x1000 each).
    func memoryRstExample(bIsMMIO: Bool) -> AddressMap {
        let b = r(
            "B", bIsMMIO ? .plWindow : .bus, 0x2000, 0x4000, priority: 2,
            children: [r("D", .mmio, 0, 0x1000), r("E", .mmio, 0x2000, 0x1000)],
            translation: .windows([window(0, 0x2000, 0x4000)]))
        return AddressMap(name: "memory-rst", regions: [r("A", .dram, 0, 0x8000), r("C", .mmio, 0, 0x6000, priority: 1), b])
    }

    /// A switch set to its default is the same setting as one left at it (equality and hash
    /// follow the effective values), so the sweep's default is found among `all`.
    @Test func settingsCompareByEffectiveValues() throws {
        var map = AddressMap(name: "t")
        map.switches = [
            Switch(name: "a", values: ["x", "y"], defaultValue: "x"), Switch(name: "b", values: ["1", "2"], defaultValue: "2"),
        ]
        let defaults = SwitchSetting(defaultsOf: map)
        let explicit = try SwitchSetting(["a": "x", "b": "2"], for: map)
        #expect(defaults == explicit && defaults.hashValue == explicit.hashValue)
        #expect(SwitchSetting.all(for: map).filter { $0 == defaults }.count == 1)
        #expect(try SwitchSetting(["a": "y"], for: map) != defaults)
    }

    @Test func memoryRstContainerLetsLowerSiblingsShowThrough() throws {
        let router = try Router(map: memoryRstExample(bIsMMIO: false))
        #expect(
            layout(router) == [
                "C 0x0-0x1fff", "D 0x2000-0x2fff", "C 0x3000-0x3fff", "E 0x4000-0x4fff", "C 0x5000-0x5fff", "A 0x6000-0x7fff",
            ])
    }

    @Test func memoryRstBackgroundRegionFillsItsHoles() throws {
        let router = try Router(map: memoryRstExample(bIsMMIO: true))
        #expect(
            layout(router) == [
                "C 0x0-0x1fff", "D 0x2000-0x2fff", "B 0x3000-0x3fff", "E 0x4000-0x4fff", "B 0x5000-0x5fff", "A 0x6000-0x7fff",
            ])
        let route = try Router(map: memoryRstExample(bIsMMIO: true)).route(PhysicalAddress(0x3004))!
        #expect(route.offset == 0x1004)
    }

    @Test func equalPriorityLaterDeclaredWins() throws {
        let map = AddressMap(name: "t", regions: [r("first", .mmio, 0x1000, 0x2000), r("second", .mmio, 0x2000, 0x2000)])
        #expect(layout(try Router(map: map)) == ["first 0x1000-0x1fff", "second 0x2000-0x3fff"])
        let swapped = AddressMap(name: "t", regions: [r("second", .mmio, 0x2000, 0x2000), r("first", .mmio, 0x1000, 0x2000)])
        #expect(layout(try Router(map: swapped)) == ["first 0x1000-0x2fff", "second 0x3000-0x3fff"])
    }

    @Test func prioritiesCompareOnlyAmongSiblings() throws {
        // `low` (prio 0) holds a child at prio 100; `high` (prio 1) is a sibling of `low`.
        // The child's priority does not lift it above `high`.
        let low = r("low", .bus, 0x0, 0x10000, children: [r("child", .mmio, 0x1000, 0x1000, priority: 100)])
        let high = r("high", .mmio, 0x0, 0x2000, priority: 1)
        let map = AddressMap(name: "t", regions: [low, high])
        #expect(layout(try Router(map: map)) == ["high 0x0-0x1fff"])
        // Nested containers: a higher-priority container's holes let a lower one show through.
        let outer = r(
            "outer", .bus, 0, 0x10000, priority: 5,
            children: [
                r("inner", .bus, 0, 0x10000, children: [r("deep", .mmio, 0x4000, 0x1000)])
            ])
        let map2 = AddressMap(name: "t", regions: [r("ram", .dram, 0, 0x10000), outer])
        #expect(layout(try Router(map: map2)) == ["ram 0x0-0x3fff", "deep 0x4000-0x4fff", "ram 0x5000-0xffff"])
    }

    @Test func childrenAreClippedToTheirParent() throws {
        let parent = r("win", .plWindow, 0x1000, 0x1000, children: [r("big", .mmio, 0x1800, 0x1000)])
        let router = try Router(map: AddressMap(name: "t", regions: [parent]))
        #expect(layout(router) == ["win 0x1000-0x17ff", "big 0x1800-0x1fff"])
    }

    @Test func disabledOrFalseConditionRemovesTheSubtree() throws {
        let map = AddressMap(
            name: "t", switches: [Switch(name: "s", values: ["on", "off"], defaultValue: "on")],
            regions: [
                r("bus", .bus, 0, 0x10000, children: [r("a", .mmio, 0, 0x1000)], disabled: true),
                r("gated", .bus, 0x10000, 0x10000, children: [r("b", .mmio, 0x10000, 0x1000)], when: "s == on"),
            ])
        #expect(layout(try Router(map: map)) == ["b 0x1_0000-0x1_0fff"])
        #expect(try Router(map: map, switches: ["s": "off"]).segmentCount == 0)
    }

    @Test func translationFollowsTheFirstWindowHoldingTheStart() throws {
        // Two windows cover child 0x0-0xfff; the first match wins. A child starting in no window
        // is unreachable; one straddling a window edge is translated whole (Linux).
        let bus = r(
            "bus", .bus, 0x4000_0000, 0x1000_0000,
            children: [
                r("a", .mmio, 0x100, 0x100),
                r("straddle", .mmio, 0x1F00, 0x200),
                r("lost", .mmio, 0x9000, 0x100),
            ], translation: .windows([window(0, 0x4000_0000, 0x1000), window(0, 0x4800_0000, 0x1000), window(0x1000, 0x4000_1000, 0x1000)]))
        let router = try Router(map: AddressMap(name: "t", regions: [bus]))
        #expect(layout(router) == ["a 0x4000_0100-0x4000_01ff", "straddle 0x4000_1f00-0x4000_20ff"])
        let route = try #require(router.route(PhysicalAddress(0x4000_0104)))
        #expect(route.offset == 4)
        let hops = router.hops(for: route)
        #expect(hops.count == 1)
        #expect(hops[0].before == 0x4000_0104 && hops[0].after == 0x104)
        #expect(hops[0].hop.kind == .window(0))
    }

    @Test func nestedTranslationComposes() throws {
        // Three levels, each with a non-identity window.
        let leaf = r("dev", .mmio, 0x30, 0x10)
        let level2 = r("l2", .bus, 0x200, 0x100, children: [leaf], translation: .windows([window(0, 0x200, 0x100)]))
        let level1 = r("l1", .bus, 0x1000, 0x1000, children: [level2], translation: .windows([window(0, 0x1000, 0x1000)]))
        let top = r("top", .bus, 0x8000_0000, 0x10_0000, children: [level1], translation: .windows([window(0, 0x8000_0000, 0x10_0000)]))
        let router = try Router(map: AddressMap(name: "t", regions: [top]))
        let route = try #require(router.route(PhysicalAddress(0x8000_1234)))
        #expect(router[route.unit].name == "dev")
        #expect(route.offset == 4)
        #expect(router.hops(for: route).map(\.after) == [0x1234, 0x234, 0x34])
    }

    @Test func aliasesShowTheirTargetAtAnOffset() throws {
        let map = AddressMap(
            name: "t",
            regions: [
                Region(name: "ram", kind: .dram, range: AddressRange(base: 0x4000_0000, size: 0x1000_0000)!, seenBy: []),
                Region(
                    name: "low", kind: .alias, range: AddressRange(base: 0, size: 0x1000)!, alias: AliasTarget(path: "/ram", offset: 0x800)),
            ])
        let router = try Router(map: map)
        #expect(layout(router) == ["ram 0x0-0xfff"])
        let route = try #require(router.route(PhysicalAddress(0x10)))
        #expect(route.offset == 0x810)
        #expect(router.hops(for: route).first?.after == 0x4000_0810)
    }

    @Test func aliasCyclesAndDanglingTargetsMakeTheMapUnroutable() throws {
        let map = AddressMap(
            name: "t",
            regions: [
                Region(name: "a", kind: .alias, range: AddressRange(base: 0, size: 0x1000)!, alias: AliasTarget(path: "/b")),
                Region(name: "b", kind: .alias, range: AddressRange(base: 0x1000, size: 0x1000)!, alias: AliasTarget(path: "/a")),
                Region(name: "c", kind: .alias, range: AddressRange(base: 0x2000, size: 0x1000)!, alias: AliasTarget(path: "/nowhere")),
            ])
        let resolved = ResolvedMap(map)
        #expect(resolved.problems.map(\.kind) == [.aliasTarget, .aliasCycle, .aliasCycle])
        #expect(resolved.problems.map(\.path) == ["/c", "/a", "/b"])
        #expect(resolved.problems[1].message == "alias reaches itself: /a -> /b -> /a")
        #expect(throws: RouterError.unroutableMap(resolved.problems)) { try Router(resolved) }
        // Checks still see the view: the broken aliases show nothing.
        #expect(Router(unchecked: resolved, initiator: nil, setting: SwitchSetting(defaultsOf: map)).segmentCount == 0)
    }

    @Test func perInitiatorViews() throws {
        let map = AddressMap(
            name: "t", initiators: [Initiator(name: "cpu"), Initiator(name: "dma")],
            regions: [
                r("ram", .dram, 0, 0x1000),
                r("regs", .mmio, 0x1000, 0x1000, seenBy: ["cpu"]),
            ])
        #expect(try Router(map: map).route(PhysicalAddress(0x1000)) != nil)  // default: first initiator
        #expect(try Router(map: map, initiator: "dma").route(PhysicalAddress(0x1000)) == nil)
        #expect(try Router(map: map, initiator: "dma").route(PhysicalAddress(0xFFF)) != nil)
    }

    @Test func topOfTheAddressSpaceRoutes() throws {
        let map = AddressMap(name: "t", regions: [r("top", .mmio, 0xFFFF_FFFF_FFFF_F000, 0x1000), r("zero", .mmio, 0, 1)])
        let router = try Router(map: map)
        let route = try #require(router.route(PhysicalAddress(.max)))
        #expect(route.offset == 0xFFF)
        #expect(router.route(PhysicalAddress(1)) == nil)
        let n = router.neighbours(of: PhysicalAddress(0x8000))
        #expect(n.below?.range.base == 0 && n.above?.range.last == .max)
        #expect(try Router(map: AddressMap(name: "empty")).route(PhysicalAddress(0)) == nil)
    }

    @Test func pcieWindowsTranslateToBusAddresses() throws {
        let host = Region.pcieHost(
            name: "pcie", ecam: AddressRange(base: 0x40_1000_0000, size: 0x1000_0000),
            windows: [
                PCIeWindow(space: .io, cpuRange: AddressRange(base: 0x3EFF_0000, size: 0x1_0000)!, pciBase: 0),
                PCIeWindow(space: .mem32, cpuRange: AddressRange(base: 0x1000_0000, size: 0x2EFF_0000)!, pciBase: 0x1000_0000),
            ])
        let map = AddressMap(name: "t", regions: [host])
        let router = try Router(map: map)
        let io = try #require(router.route(PhysicalAddress(0x3EFF_0010)))
        #expect(io.target == .pcieWindow(0) && io.offset == 0x10 && io.busAddress == 0x10)
        let mem = try #require(router.route(PhysicalAddress(0x1000_0040)))
        #expect(mem.target == .pcieWindow(1) && mem.offset == 0x40 && mem.busAddress == 0x1000_0040)
        let cfg = try #require(router.route(PhysicalAddress(0x40_1010_8000)))
        #expect(cfg.target == .pcieConfig && cfg.offset == 0x10_8000 && cfg.busAddress == nil)
    }
}

@Suite("Router search agrees with a plain binary search")
struct RouterSearchTests {
    /// The Eytzinger search gives exactly the binary search's answer, on random maps of many
    /// sizes and on addresses at, around and between every segment edge.
    @Test(arguments: [0, 1, 2, 3, 7, 8, 9, 16, 80, 81, 100, 1000, 4097, 9000])
    func eytzingerMatchesBinarySearch(n: Int) throws {
        var rng = SeededGenerator(seed: 0x1234_5678 &+ UInt64(n))
        var regions: [Region] = []
        var base: UInt64 = rng.below(0x1000)
        for i in 0..<n {
            let size = 1 + rng.below(0x800)
            regions.append(Region(name: "r\(i)", kind: .mmio, range: AddressRange(base: base, size: size)!))
            base += size + rng.below(0x400)  // gaps, sometimes none
        }
        if n > 0 { regions.append(Region(name: "top", kind: .mmio, range: AddressRange(base: .max - 0xFFF, size: 0x1000)!)) }
        if n == 3 { regions = [Region(name: "max", kind: .mmio, range: AddressRange(base: .max, size: 1)!)] }
        let router = try Router(map: AddressMap(name: "t", regions: regions))
        var probes: [UInt64] = [0, 1, .max, .max - 1]
        for s in router.segments {
            probes += [s.range.base, s.range.last, s.range.base &- 1, s.range.last &+ 1]
        }
        for _ in 0..<2000 { probes.append(rng.below(base + 0x1000)) }
        for p in probes {
            #expect(router.segmentIndex(of: PhysicalAddress(p)) == router.segmentIndexByBinarySearch(of: PhysicalAddress(p)), "\(hex(p))")
        }
    }
}
