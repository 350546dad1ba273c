public import SoCMap

/// One E820 entry (`struct e820entry`: 64-bit address and size, 32-bit type).
public struct E820Entry: Hashable, Sendable {
    /// First address.
    public var address: UInt64
    /// Length in bytes.
    public var size: UInt64
    /// 1 usable, 2 reserved, 3 ACPI data, 4 ACPI NVS, 5 unusable, 7 persistent, 12 persistent (legacy).
    public var type: UInt32

    /// Linux's name for the type, as `BIOS-e820:` lines print it.
    public var typeName: String {
        switch type {
        case 1: return "usable"
        case 2: return "reserved"
        case 3: return "ACPI data"
        case 4: return "ACPI NVS"
        case 5: return "unusable"
        case 7, 12: return "persistent (type \(type))"
        default: return "type \(type)"
        }
    }
}

/// What a guest needs from its domain: an E820 table, a device tree, Xen dom0less nodes.
public struct GuestOutputs: Sendable {
    /// The guest view.
    public let router: GuestRouter

    /// Outputs for `router`'s domain.
    public init(router: GuestRouter) {
        self.router = router
    }

    private var resolved: ResolvedMap { router.host.map }
    private var tree: RegionTree { router.host.tree }

    /// Whether a host range lies inside one of the host's PCIe windows (a BAR: an E820 gap).
    func isPCIWindow(_ host: AddressRange) -> Bool {
        tree.nodes.contains { node in
            node.region.pcie?.windows.contains { $0.cpuRange.contains(host) } ?? false
        }
    }

    static func isPersistent(_ m: Stage2Mapping, _ tree: RegionTree) -> Bool {
        m.hostRegion.map { tree[$0].region.compatible.contains("pmem-region") } ?? false
    }

    /// The E820 type of a mapping, `nil` for a gap (PCI space).
    func e820Type(_ m: Stage2Mapping) -> UInt32? {
        if let t = m.entry.e820Type { return t }
        let kind = m.entry.kind ?? m.hostRegion.map { tree[$0].kind } ?? .mmio
        switch kind {
        case .dram: return m.entry.mode == .emulated && m.entry.kind != .dram ? 2 : (Self.isPersistent(m, tree) ? 7 : 1)
        case .sram: return 1
        case .pcie: return 2  // MMCONFIG
        case .mmio, .plWindow, .bus, .alias:
            if m.entry.mode != .emulated, let host = m.host, isPCIWindow(host) { return nil }
            return 2  // fixed chipset MMIO and trapped windows stay reserved
        case .rom, .reserved: return 2
        }
    }

    /// The guest's E820 table: sorted, merged only within one type, PCI space left as gaps.
    public var e820: [E820Entry] {
        var entries: [E820Entry] = []
        for i in 0..<router.segmentCount {
            let (range, index) = router.segment(i)
            guard let type = e820Type(router.mappings[index]) else { continue }
            if var last = entries.last, last.type == type, last.address &+ last.size == range.base {
                last.size &+= range.sizeMinusOne &+ 1
                entries[entries.count - 1] = last
            } else {
                entries.append(E820Entry(address: range.base, size: range.sizeMinusOne &+ 1, type: type))
            }
        }
        return entries
    }

    /// `BIOS-e820: [mem 0x%016llx-0x%016llx] type` lines, inclusive ends, as Linux prints them.
    public static func e820Text(_ entries: [E820Entry]) -> String {
        entries.map {
            "BIOS-e820: [mem 0x\(paddedHex($0.address, width: 16))-0x\(paddedHex($0.address &+ $0.size &- 1, width: 16))] \($0.typeName)"
        }
        .joined(separator: "\n") + (entries.isEmpty ? "" : "\n")
    }

    /// The binary `struct e820entry` array (20 bytes each, little-endian, packed).
    public static func e820Binary(_ entries: [E820Entry]) -> [UInt8] {
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        return entries.flatMap { le($0.address) + le($0.size) + le($0.type) }
    }

    static func nodeName(_ name: String, _ unit: UInt64) -> String { Names.nodeName(name, unit: unit) }

    /// The guest device tree: memory nodes for guest RAM, persistent memory as `pmem-region`,
    /// host carve-outs inside guest RAM as `no-map` reserved memory, emulated devices at their
    /// guest addresses (with the host unit's properties when they model one), passed-through
    /// devices in Xen's `/passthrough` node with their properties, `xen,reg` and `xen,path`,
    /// and the host description nodes the domain names (`nodes`). References are resolved as in
    /// any export; a property whose reference names nothing the guest has is left out.
    public var deviceTree: DeviceTree { DeviceTreeExport.tree(of: deviceTreeMap, annotations: false) }

    /// The guest device tree as a map of its own, written verbatim.
    public var deviceTreeMap: AddressMap {
        let host = resolved.map
        var map = AddressMap(
            name: "\(host.name)-\(router.domain.name)", model: "\(host.model ?? host.name) guest \(router.domain.name)",
            compatible: ["socmap,guest"])
        map.deviceTree.verbatim = true
        let cells2 = [
            Region.Property(name: "#address-cells", value: .cells([2])), Region.Property(name: "#size-cells", value: .cells([2])),
        ]
        map.deviceTree.properties = cells2 + host.deviceTree.properties.filter { !["#address-cells", "#size-cells"].contains($0.name) }
        var reserved: [Region] = []
        var passthrough: [Region] = []
        var used = Set<String>()
        func unique(_ name: String) -> String {
            var candidate = name
            var n = 1
            while used.contains(candidate) {
                candidate = name.replacing("@", with: "-\(n)@")
                n += 1
            }
            used.insert(candidate)
            return candidate
        }
        for m in router.mappings.sorted(by: { $0.guest.base < $1.guest.base }) {
            let kind = m.entry.kind ?? m.hostRegion.map { tree[$0].kind } ?? .mmio
            switch (m.entry.mode, kind) {
            case (.direct, .dram), (.translated, .dram), (.emulated, .dram):
                if Self.isPersistent(m, tree) {
                    map.regions.append(
                        Region(name: unique(Self.nodeName("pmem", m.guest.base)), kind: .dram, range: m.guest, compatible: ["pmem-region"]))
                } else {
                    var ram = Region(name: unique(Self.nodeName("memory", m.guest.base)), kind: .dram, range: m.guest)
                    ram.properties = [Region.Property(name: "device_type", value: .string("memory"))]
                    map.regions.append(ram)
                    reserved += carveOuts(inside: m).map { c in
                        Region(
                            name: c.name, kind: .reserved, range: c.range, properties: [Region.Property(name: "no-map", value: .empty)])
                    }
                }
            case (.passthrough, _):
                guard let hostRange = m.host else { continue }
                var device = guestDevice(m, name: Self.nodeName(m.entry.name, m.guest.base))
                var xenReg: [UInt32] = []
                for n in [hostRange.base, hostRange.sizeMinusOne &+ 1, m.guest.base] {
                    xenReg += [UInt32(n >> 32), UInt32(truncatingIfNeeded: n)]
                }
                device.properties.append(Region.Property(name: "xen,reg", value: .cells(xenReg)))
                if let id = m.hostRegion, let path = hostPaths[tree[id].path] {
                    device.properties.append(Region.Property(name: "xen,path", value: .string(path)))
                }
                passthrough.append(device)
            default:
                map.regions.append(guestDevice(m, name: unique(Self.nodeName(m.entry.name, m.guest.base))))
            }
        }
        func bus(_ name: String, _ children: [Region], compatible: [String]) -> Region {
            var r = Region(name: name, kind: .bus, compatible: compatible, translation: .identity, children: children)
            r.properties = cells2
            return r
        }
        if !reserved.isEmpty { map.regions.append(bus("reserved-memory", reserved, compatible: [])) }
        if !passthrough.isEmpty { map.regions.append(bus("passthrough", passthrough, compatible: ["simple-bus"])) }
        map.deviceTree.nodes = router.domain.nodes.compactMap { path in
            Self.descriptionNode(at: path, in: host).map { AttachedNode(node: $0) }
        }
        return Self.withoutDanglingReferences(map)
    }

    /// Device-tree paths of the host's regions, by map path.
    var hostPaths: [String: String] { DeviceTreeExport.nodePaths(of: resolved) }

    /// The node of a guest device: its guest range (every `reg` entry of the host unit it stands
    /// for, moved as its first one is), and the host unit's compatible, label and properties
    /// (an emulated device without a host unit gets its device model as compatible, when that
    /// reads as one).
    func guestDevice(_ m: Stage2Mapping, name: String) -> Region {
        guard let id = m.hostRegion, m.entry.slice == nil else {
            var r = Region(name: name, kind: .mmio, range: m.guest)
            if m.entry.mode == .emulated, let model = m.entry.deviceModel, model.contains(",") { r.compatible = [model] }
            return r
        }
        let unit = tree[id].region
        let placed = resolved.entryPlacements(of: id)
        let shift = Displacement(from: m.host?.base ?? m.guest.base, to: m.guest.base)
        // The guest sees the unit's registers only: a bus or host bridge becomes a plain device.
        let kind: RegionKind = [.pcie, .bus, .plWindow, .alias].contains(unit.kind) ? .mmio : unit.kind
        var r = Region(name: name, kind: kind, compatible: unit.compatible)
        r.entries = zip(unit.entries, placed).compactMap { e, at in
            at.flatMap { shift.apply($0) }.map { Region.Entry(range: $0, name: e.name) }
        }
        if r.entries.isEmpty { r.range = m.guest }
        r.label = unit.label
        let structural: Set<String> = ["reg", "reg-names", "ranges", "status", "#address-cells", "#size-cells", "dma-ranges"]
        r.properties = unit.properties.filter { !structural.contains($0.name) }
        // Without the host unit's children, an interrupt controller's address cells only serve
        // interrupt-map lookups: none.
        if r.properties.contains(where: { $0.name == "interrupt-controller" }) {
            r.properties.append(Region.Property(name: "#address-cells", value: .cells([0])))
        }
        return r
    }

    /// The description node at `path` of `map` (an attached node, or a child of one).
    static func descriptionNode(at path: String, in map: AddressMap) -> DescriptionNode? {
        for a in map.deviceTree.nodes {
            var prefix = ReferencePlan.join(a.parent, a.node.name)
            guard path == prefix || path.hasPrefix(prefix + "/") else { continue }
            var node = a.node
            for part in path.dropFirst(prefix.count).split(separator: "/") {
                guard let child = node.children.first(where: { $0.name == part }) else { return nil }
                node = child
                prefix += "/" + part
            }
            return node
        }
        return nil
    }

    /// `map` without the properties whose references name a node it does not have.
    static func withoutDanglingReferences(_ map: AddressMap) -> AddressMap {
        var labels = Set<String>()
        var paths = Set<String>()
        func note(_ r: Region, _ parent: String) {
            let path = ReferencePlan.join(parent, r.name)
            paths.insert(path)
            if let l = r.label { labels.insert(l) }
            for c in r.children { note(c, path) }
        }
        func note(_ n: DescriptionNode, _ parent: String) {
            let path = ReferencePlan.join(parent, n.name)
            paths.insert(path)
            if let l = n.label { labels.insert(l) }
            for c in n.children { note(c, path) }
        }
        for r in map.regions { note(r, "/") }
        for a in map.deviceTree.nodes { note(a.node, a.parent) }
        func resolves(_ r: NodeReference) -> Bool {
            switch r {
            case .label(let l): return labels.contains(l)
            case .path(let p): return paths.contains(p)
            }
        }
        func keep(_ p: Region.Property) -> Bool {
            switch p.value {
            case .references(let cells): return cells.allSatisfy { $0.reference.map(resolves) ?? true }
            case .pathOf(let r): return resolves(r)
            default: return true
            }
        }
        func clean(_ r: Region) -> Region {
            var r = r
            r.properties = r.properties.filter(keep)
            r.children = r.children.map(clean)
            return r
        }
        func clean(_ n: DescriptionNode) -> DescriptionNode {
            var n = n
            n.properties = n.properties.filter(keep)
            n.children = n.children.map(clean)
            return n
        }
        var result = map
        result.regions = map.regions.map(clean)
        result.deviceTree.properties = map.deviceTree.properties.filter(keep)
        result.deviceTree.nodes = map.deviceTree.nodes.map {
            var a = $0
            a.node = clean(a.node)
            return a
        }
        return result
    }

    /// Host reserved regions inside a RAM mapping's host range, at their guest addresses.
    func carveOuts(inside m: Stage2Mapping) -> [(name: String, range: AddressRange)] {
        guard let host = m.host else { return [] }
        return tree.nodes.compactMap { node in
            guard node.kind == .reserved || node.region.hypervisorOnly, let placed = resolved.placement(of: node.id),
                let common = placed.intersection(host)
            else { return nil }
            let guestBase = m.guest.base &+ (common.base - host.base)
            return AddressRange(base: guestBase, last: guestBase &+ common.sizeMinusOne).map { (Self.nodeName(node.name, guestBase), $0) }
        }
    }

    /// Writes the Xen dom0less node of `domain`, `/chosen/NAME` (booting.txt): `compatible =
    /// "xen,domain"`, `memory` in KiB, `cpus`, `xen,static-mem`, `direct-map`, `vpl011`.
    public static func writeXenDomainNode(_ domain: ResolvedDomain, of map: ResolvedMap, into out: inout DeviceTree.Builder) {
        out.node(DeviceTreeExport.nodeName(domain.domain.name)) { node in
            for p in XenDomainNode.properties(domain, map) {
                switch p.value {
                case .empty: node.setProperty(p.name, .empty)
                case .strings(let list): node.setProperty(p.name, .strings(list))
                case .cells(let cells): node.setProperty(p.name, .cells(cells))
                default: break  // the domain node holds no other kinds
                }
            }
        }
    }

    /// A tree holding only `/chosen` with the domain's Xen node, to merge into the host DT.
    public var xenTree: DeviceTree {
        var out = DeviceTree.Builder()
        out.node("") { root in
            root.setProperty("#address-cells", .cells([2]))
            root.setProperty("#size-cells", .cells([2]))
            root.node("chosen") { chosen in Self.writeXenDomainNode(router.resolved, of: resolved, into: &chosen) }
        }
        return out.tree()
    }
}
