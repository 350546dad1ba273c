import SoCMap
import SoCMapDeviceTree
import TestSupport
import Testing

/// Exports a map to a tree value and imports it back (no blob, no YAML).
func throughTree(_ map: AddressMap) throws -> AddressMap {
    DeviceTreeImport(tree: DeviceTreeExport.tree(of: map), source: "tree").map
}

@Suite("Maps survive the device-tree value")
struct RoundTripTests {
    /// Random maps (nested buses with windows, PCIe hosts, aliases, priorities, switches,
    /// initiators) decode the same in every view after export and import, and a second round
    /// changes nothing.
    @Test(arguments: Array(UInt64(1)...UInt64(200)))
    func everyViewSurvives(seed: UInt64) throws {
        let map = randomMap(seed: seed)
        let back = try throughTree(map)
        let before = try views(map)
        let after = try views(back)
        #expect(before.count == after.count)
        for (a, b) in zip(before, after) { #expect(decodeTable(a) == decodeTable(b), "seed \(seed)") }
        #expect(try throughTree(back).withoutLocations() == back.withoutLocations(), "seed \(seed): not a fixed point")
    }

    /// A domain, its entries and the Xen node survive too.
    @Test func domainsSurvive() throws {
        var map = AddressMap(
            name: "xen", model: "Xen host", addressBits: 32,
            regions: [r("ram", .dram, 0x4000_0000, 1 << 30), r("uart", .mmio, 0x0900_0000, 0x1000)])
        map.domains = [
            Domain(
                name: "domU1", staticMemory: true, cpus: 2,
                entries: [
                    DomainEntry(name: "ram", mode: .translated, host: "/ram", slice: (0, 256 << 20), guestBase: 0x4000_0000),
                    DomainEntry(name: "uart", mode: .passthrough, host: "/uart", guestBase: 0x2200_0000),
                    DomainEntry(name: "vuart", mode: .emulated, guestBase: 0x2200_1000, size: 0x1000, deviceModel: "vpl011"),
                ])
        ]
        let tree = DeviceTreeExport.tree(of: map)
        let node = try #require(tree.node(at: "/chosen/domU1"))
        #expect(tree.property("compatible", of: node)?.strings == ["xen,domain"])
        #expect(tree.property("memory", of: node)?.number(at: 0, count: 2) == 256 << 10)
        #expect(tree.property("xen,static-mem", of: node)?.cells == [0, 0x4000_0000, 0, 0x1000_0000])
        #expect(tree.property("vpl011", of: node)?.count == 0 && tree.property("cpus", of: node)?.u32 == 2)
        #expect(try throughTree(map).withoutLocations() == map.withoutLocations())
    }
}
