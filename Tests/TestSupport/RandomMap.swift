public import SoCMap

/// Builds a random but well-formed map: nested buses with windows or identity, PCIe hosts,
/// aliases, priorities, switches and initiators.
public func randomMap(seed: UInt64) -> AddressMap {
    var rng = SeededGenerator(seed: seed)
    var map = AddressMap(name: "random-\(seed)", compatible: ["socmap,random"], addressBits: rng.chance(50) ? 32 : 48)
    map.initiators = rng.chance(50) ? [Initiator(name: "cpu"), Initiator(name: "dma")] : []
    map.switches = rng.chance(50) ? [Switch(name: "mode", values: ["a", "b"], defaultValue: "a")] : []
    let limit: UInt64 = map.addressBits == 32 ? 0x1_0000_0000 : 0x1_0000_0000_0000
    var leafNames: [String] = []

    func leaf(_ name: String, base: UInt64, rng: inout SeededGenerator) -> Region {
        let size = UInt64(0x1000) << rng.below(8)
        let kinds: [RegionKind] = [.mmio, .mmio, .rom, .sram, .reserved]
        var r = Region(name: name, kind: kinds[Int(rng.below(UInt64(kinds.count)))], range: AddressRange(base: base, size: size)!)
        if rng.chance(20) { r.priority = Int(rng.below(5)) - 2 }
        if !map.switches.isEmpty && rng.chance(20) { r.condition = .equals("mode", rng.chance(50) ? "a" : "b") }
        if !map.initiators.isEmpty && rng.chance(20) { r.seenBy = ["cpu"] }
        if rng.chance(10) { r.disabled = true }
        if rng.chance(20) { r.compatible = ["vendor,dev\(rng.below(9))"] }
        if rng.chance(20) { r.properties = [Region.Property(name: "interrupts", value: .cells([0, UInt32(rng.below(64)), 4]))] }
        if rng.chance(20) {
            // A second, named register block (a device-tree node with two reg entries).
            r.entries[0].name = "regs"
            r.entries.append(Region.Entry(range: AddressRange(base: base + 0x8_0000, size: 0x100)!, name: "cfg"))
        }
        return r
    }

    var regions: [Region] = []
    var cursor: UInt64 = 0x1000_0000
    for i in 0..<Int(rng.below(8) + 2) {
        let base = cursor
        cursor += 0x0100_0000
        guard cursor < limit else { break }
        switch rng.below(4) {
        case 0:
            // A bus with a non-identity window and a nested identity bus.
            var children = (0..<Int(rng.below(4) + 1)).map { j in leaf("dev\(i)-\(j)", base: UInt64(j) * 0x10_0000, rng: &rng) }
            children.append(
                Region(
                    name: "inner\(i)", kind: .bus, translation: .identity,
                    children: [leaf("deep\(i)", base: 0x80_0000, rng: &rng)]))
            regions.append(
                Region(
                    name: "bus\(i)", kind: .bus,
                    translation: .windows([TranslationWindow(childBase: 0, parentBase: base, size: 0x100_0000)!]), children: children))
        case 1:
            let windows = [
                PCIeWindow(space: .io, cpuRange: AddressRange(base: base + 0x10_0000, size: 0x1_0000)!, pciBase: 0),
                PCIeWindow(
                    space: .mem32, prefetchable: rng.chance(50), cpuRange: AddressRange(base: base + 0x80_0000, size: 0x80_0000)!,
                    pciBase: 0x4000_0000),
            ]
            let ecam = AddressRange(base: base, size: 0x10_0000)!
            if rng.chance(50) {
                regions.append(.pcieHost(name: "pci\(i)", ecam: ecam, firstBus: 0, lastBus: 0, windows: windows))
            } else {
                // A DesignWare-style host: a register block before its named configuration space.
                let dbi = Region.Entry(range: AddressRange(base: base + 0x20_0000, size: 0x1000)!, name: "dbi")
                regions.append(
                    Region(
                        name: "pci\(i)", kind: .pcie, entries: [dbi, Region.Entry(range: ecam, name: "config")],
                        pcie: PCIeHost(ecamEntry: 1, firstBus: 0, lastBus: 0, windows: windows)))
            }
        case 2:
            let r = leaf("leaf\(i)", base: base, rng: &rng)
            leafNames.append("/" + r.name)
            regions.append(r)
        default:
            var window = Region(name: "pl\(i)", kind: .plWindow, range: AddressRange(base: base, size: 0x100_0000)!)
            window.children = [leaf("ip\(i)", base: base + 0x1_0000, rng: &rng)]
            regions.append(window)
        }
    }
    if let target = leafNames.first {
        regions.append(
            Region(
                name: "alias", kind: .alias, range: AddressRange(base: 0x1000, size: 0x1000)!, priority: 1,
                alias: AliasTarget(path: target, offset: 0)))
    }
    if map.addressBits == 48 {
        regions.append(Region(name: "dram", kind: .dram, range: AddressRange(base: 0x8000_0000_0000 >> 4, size: 0x1_0000_0000)!))
    } else {
        regions.append(Region(name: "dram", kind: .dram, range: AddressRange(base: 0x8000_0000, size: 0x4000_0000)!))
    }
    map.regions = regions
    if rng.chance(30) { map.overlapRule = .deviceTree }
    return map
}
