import SoCMap
import TestSupport
import Testing

/// A region with several named entries (`reg` + `reg-names`).
func unit(_ name: String, _ entries: [(String?, UInt64, UInt64)], children: [Region] = [], disabled: Bool = false) -> Region {
    var region = Region(
        name: name, kind: .mmio, entries: entries.map { Region.Entry(range: AddressRange(base: $0.1, size: $0.2)!, name: $0.0) },
        disabled: disabled, children: children)
    // As imported from a device tree: a node's reg is its own registers, not its children's space.
    if !children.isEmpty { region.clipsChildren = false }
    return region
}

/// `path#entry` for each claim, to compare claim lists.
func claimNames(_ router: Router, _ claims: [Router.Claim]) -> [String] {
    claims.map { "\(router[$0.unit].path)#\($0.entry)" }
}

@Suite("Units with several reg entries, overlap rules, claims and disabled units")
struct UnitEntryTests {
    /// Each entry is placed on its own; a route names the entry and the offset inside it.
    @Test func everyEntryDecodesWithItsIndex() throws {
        let host = unit("pcie", [("breg", 0xFD0E_0000, 0x1000), ("pcireg", 0xFD48_0000, 0x1000), ("cfg", 0x80_0000_0000, 0x1000_0000)])
        let map = AddressMap(name: "t", regions: [host])
        let router = try Router(map: map)
        let id = try #require(router.tree.nodes.first { $0.region.name == "pcie" }).id
        #expect(
            router.entryPlacements(of: id) == [
                AddressRange(base: 0xFD0E_0000, size: 0x1000), AddressRange(base: 0xFD48_0000, size: 0x1000),
                AddressRange(base: 0x80_0000_0000, size: 0x1000_0000),
            ])
        #expect(router.placement(of: id) == AddressRange(base: 0xFD0E_0000, size: 0x1000))
        let cfg = try #require(router.route(PhysicalAddress(0x80_0000_0010)))
        #expect(cfg.unit == id && cfg.entry == 2 && cfg.offset == 0x10)
        let breg = try #require(router.route(PhysicalAddress(0xFD0E_0FFF)))
        #expect(breg.entry == 0 && breg.offset == 0xFFF)
        #expect(router.route(PhysicalAddress(0xFD0E_1000)) == nil)
        #expect(router.segments.map(\.entry) == [0, 1, 2])
    }

    /// Behind a bus window every entry is translated on its own (the first window holding its
    /// start address, as `of_translate_address` does).
    @Test func entriesTranslateThroughWindowsOneByOne() throws {
        let dev = unit("dev", [(nil, 0x100, 0x100), (nil, 0x2_0000, 0x100)])
        let bus = r(
            "bus", .bus, 0x4000_0000, 0x2000_0000, children: [dev],
            translation: .windows([window(0, 0x4000_0000, 0x1_0000), window(0x2_0000, 0x5000_0000, 0x1_0000)]))
        let router = try Router(map: AddressMap(name: "t", regions: [bus]))
        let id = try #require(router.tree.nodes.first { $0.region.name == "dev" }).id
        #expect(
            router.entryPlacements(of: id) == [AddressRange(base: 0x4000_0100, size: 0x100), AddressRange(base: 0x5000_0000, size: 0x100)])
        let second = try #require(router.route(PhysicalAddress(0x5000_0004)))
        #expect(second.entry == 1 && second.offset == 4)
    }

    /// An interconnect whose second `reg` entry (its SYSCONFIG block) lies inside the device
    /// it contains: with device-tree rules the deeper device wins and the bus entry is a claim.
    @Test func deviceTreeRuleDeepestNodeWins() throws {
        let dev = unit("target@0", [(nil, 0x4A00_0000, 0x1000)])
        let interconnect = unit("interconnect@4a000000", [(nil, 0x4A10_0000, 0x100), ("sysc", 0x4A00_0100, 0x10)], children: [dev])
        var map = AddressMap(name: "t", regions: [interconnect])
        map.overlapRule = .deviceTree
        let router = try Router(map: map)
        let route = try #require(router.route(PhysicalAddress(0x4A00_0104)))
        #expect(router[route.unit].name == "target@0" && route.offset == 0x104)
        #expect(
            claimNames(router, router.claims(at: PhysicalAddress(0x4A00_0104))) == [
                "/interconnect@4a000000/target@0#0", "/interconnect@4a000000#1",
            ])
        // The bus's other entry still decodes to the bus.
        #expect(try #require(router.route(PhysicalAddress(0x4A10_0000))).entry == 0)
    }

    /// Siblings that share registers (Juno's eight LEDs at one address): the first in tree
    /// order decodes, the others are claims in tree order. With priorities the later sibling
    /// wins (QEMU) and the earlier one is the claim.
    @Test func sharedRegistersListEveryClaimant() throws {
        let leds = (0..<3).map { unit("led@8,\($0)", [(nil, 0x1C01_0008, 4)]) }
        let bus = r("apbregs", .bus, 0x1C01_0000, 0x1000, children: leds)
        var map = AddressMap(name: "t", regions: [bus])
        map.overlapRule = .deviceTree
        let dt = try Router(map: map)
        #expect(
            claimNames(dt, dt.claims(at: PhysicalAddress(0x1C01_0008))) == [
                "/apbregs/led@8,0#0", "/apbregs/led@8,1#0", "/apbregs/led@8,2#0",
            ])
        #expect(dt[try #require(dt.route(PhysicalAddress(0x1C01_000B))).unit].name == "led@8,0")
        map.overlapRule = .priority
        let qemu = try Router(map: map)
        #expect(qemu[try #require(qemu.route(PhysicalAddress(0x1C01_0008))).unit].name == "led@8,2")
        #expect(claimNames(qemu, qemu.claims(at: PhysicalAddress(0x1C01_0008))).first == "/apbregs/led@8,2#0")
        #expect(Set(claimNames(qemu, qemu.claims(at: PhysicalAddress(0x1C01_0008)))).isSuperset(of: ["/apbregs/led@8,0#0"]))
    }

    /// A disabled unit (or a unit in a disabled subtree) decodes nothing but is named where it
    /// would decode, deepest first, with the range it would have.
    @Test func disabledUnitsAreKeptAsideAndNamed() throws {
        let spi = unit("spi@700600", [(nil, 0xF270_0600, 0x50)], disabled: true)
        let offBus = r(
            "bus@f2800000", .bus, 0xF280_0000, 0x1000, children: [unit("i2c@100", [(nil, 0xF280_0100, 0x100)])], disabled: true)
        let uart = unit("serial@700000", [(nil, 0xF270_0000, 0x100)])
        let shadowed = unit("gpio@700000", [(nil, 0xF270_0000, 0x100)], disabled: true)
        let offNode = unit(
            "interconnect@f2900000", [(nil, 0xF290_0000, 0x1000)], children: [unit("i2c@100", [(nil, 0xF290_0100, 0x100)])], disabled: true)
        var map = AddressMap(name: "t", regions: [uart, shadowed, spi, offBus, offNode])
        map.overlapRule = .deviceTree
        let router = try Router(map: map)
        #expect(router.route(PhysicalAddress(0xF270_0600)) == nil)
        #expect(router.disabledClaims(at: PhysicalAddress(0xF270_0600)).map(\.range) == [AddressRange(base: 0xF270_0600, size: 0x50)])
        // A bus decodes nothing itself: only its unit is named.
        #expect(claimNames(router, router.disabledClaims(at: PhysicalAddress(0xF280_0180))) == ["/bus@f2800000/i2c@100#0"])
        #expect(
            claimNames(router, router.disabledClaims(at: PhysicalAddress(0xF290_0180))) == [
                "/interconnect@f2900000/i2c@100#0", "/interconnect@f2900000#0",
            ])
        let i2c = try #require(router.tree.nodes.first { $0.region.name == "i2c@100" }).id
        #expect(router.disabledPlacement(of: i2c) == AddressRange(base: 0xF280_0100, size: 0x100))
        #expect(router.placement(of: i2c) == nil)
        // An enabled unit decodes over a disabled one, which is still named.
        #expect(router[try #require(router.route(PhysicalAddress(0xF270_0010))).unit].name == "serial@700000")
        #expect(claimNames(router, router.disabledClaims(at: PhysicalAddress(0xF270_0010))) == ["/gpio@700000#0"])
        #expect(router.disabledClaims(at: PhysicalAddress(0xF270_0700)).isEmpty)
    }
}
