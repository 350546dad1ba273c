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
    /// The host map.
    public let map: SoCMap
    /// Host-physical placements of the host regions (computed once).
    private let placements: [AddressRange?]

    /// Outputs for `router`'s domain of `map`.
    public init(map: SoCMap, router: GuestRouter) {
        self.map = map
        self.router = router
        placements = CheckContext(map: map).staticPlacements
    }

    private var tree: RegionTree { router.host.tree }

    /// Whether a host range lies inside one of the host's PCIe windows (a BAR: an E820 gap).
    func isPCIWindow(_ host: AddressRange) -> Bool {
        tree.nodes.contains { node in
            node.region.pcie?.windows.contains { $0.cpuRange.contains(host) } ?? false
        }
    }

    func isPersistent(_ m: GuestRouter.Mapping) -> Bool {
        m.hostRegion.map { tree.nodes[$0].region.compatible.contains("pmem-region") } ?? false
    }

    /// The E820 type of a mapping, `nil` for a gap (PCI space).
    func e820Type(_ m: GuestRouter.Mapping) -> UInt32? {
        if let t = m.entry.e820Type { return t }
        let kind = m.entry.kind ?? m.hostRegion.map { tree.nodes[$0].region.kind } ?? .mmio
        switch kind {
        case .dram: return m.entry.mode == .emulated && m.entry.kind != .dram ? 2 : (isPersistent(m) ? 7 : 1)
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
        entries.map { "BIOS-e820: [mem 0x\(paddedHex($0.address, width: 16))-0x\(paddedHex($0.address &+ $0.size &- 1, width: 16))] \($0.typeName)" }
            .joined(separator: "\n") + (entries.isEmpty ? "" : "\n")
    }

    /// The binary `struct e820entry` array (20 bytes each, little-endian, packed).
    public static func e820Binary(_ entries: [E820Entry]) -> [UInt8] {
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        return entries.flatMap { le($0.address) + le($0.size) + le($0.type) }
    }

    func cells64(_ v: UInt64) -> [UInt32] { cells(v, count: 2) }

    func nodeName(_ name: String, _ unit: UInt64) -> String { "\(DeviceTreeExport.nodeName(name))@\(String(unit, radix: 16))" }

    /// The guest device tree: memory nodes for guest RAM, persistent memory as `pmem-region`,
    /// host carve-outs inside guest RAM as `no-map` reserved memory, emulated devices at their
    /// guest addresses, and passed-through devices in Xen's `/passthrough` node with `xen,reg`
    /// and `xen,path`.
    public var deviceTree: DeviceTree {
        var root = DTNode(name: "")
        root.set("#address-cells", .cells([2]))
        root.set("#size-cells", .cells([2]))
        root.set("model", .strings(["\(map.model ?? map.name) guest \(router.domain.name)"]))
        root.set("compatible", .strings(["socmap,guest"]))
        var children: [DTNode] = []
        var reserved: [DTNode] = []
        var passthrough: [DTNode] = []
        let hostPaths = DeviceTreeExport.nodePaths(of: map)
        var used = Set<String>()
        func unique(_ name: String) -> String {
            var candidate = name, n = 1
            while used.contains(candidate) { candidate = name.replacing("@", with: "-\(n)@"); n += 1 }
            used.insert(candidate)
            return candidate
        }
        for m in router.mappings.sorted(by: { $0.guest.base < $1.guest.base }) {
            let reg = DTProperty.Value.cells(cells64(m.guest.base) + cells64(m.guest.sizeMinusOne &+ 1))
            let kind = m.entry.kind ?? m.hostRegion.map { tree.nodes[$0].region.kind } ?? .mmio
            let hostCompatible = m.hostRegion.map { tree.nodes[$0].region.compatible } ?? []
            switch (m.entry.mode, kind) {
            case (.direct, .dram), (.translated, .dram), (.emulated, .dram):
                if isPersistent(m) {
                    var node = DTNode(name: unique(nodeName("pmem", m.guest.base)))
                    node.set("compatible", .strings(["pmem-region"]))
                    node.set("reg", reg)
                    children.append(node)
                } else {
                    var node = DTNode(name: unique(nodeName("memory", m.guest.base)))
                    node.set("device_type", .strings(["memory"]))
                    node.set("reg", reg)
                    children.append(node)
                    reserved += carveOuts(inside: m)
                }
            case (.passthrough, _):
                guard let host = m.host else { continue }
                var node = DTNode(name: nodeName(m.entry.name, m.guest.base))
                if !hostCompatible.isEmpty { node.set("compatible", .strings(hostCompatible)) }
                node.set("reg", reg)
                node.set("xen,reg", .cells(cells64(host.base) + cells64(host.sizeMinusOne &+ 1) + cells64(m.guest.base)))
                if let id = m.hostRegion, let path = hostPaths[tree.nodes[id].path] { node.set("xen,path", .strings([path])) }
                passthrough.append(node)
            default:
                var node = DTNode(name: unique(nodeName(m.entry.name, m.guest.base)))
                let compatible = m.entry.mode == .emulated ? (m.entry.deviceModel.map { $0.contains(",") ? [$0] : [] } ?? []) : hostCompatible
                if !compatible.isEmpty { node.set("compatible", .strings(compatible)) }
                node.set("reg", reg)
                children.append(node)
            }
        }
        if !reserved.isEmpty {
            var node = DTNode(name: "reserved-memory")
            node.set("#address-cells", .cells([2]))
            node.set("#size-cells", .cells([2]))
            node.set("ranges", .empty)
            node.children = reserved
            children.append(node)
        }
        if !passthrough.isEmpty {
            var node = DTNode(name: "passthrough")
            node.set("compatible", .strings(["simple-bus"]))
            node.set("ranges", .empty)
            node.set("#address-cells", .cells([2]))
            node.set("#size-cells", .cells([2]))
            node.children = passthrough
            children.append(node)
        }
        root.children = children
        return DeviceTree(root: root)
    }

    /// Host reserved regions inside a RAM mapping's host range, at their guest addresses.
    func carveOuts(inside m: GuestRouter.Mapping) -> [DTNode] {
        guard let host = m.host else { return [] }
        return tree.nodes.indices.compactMap { id -> DTNode? in
            let region = tree.nodes[id].region
            guard region.kind == .reserved || region.hypervisorOnly, let placed = placements[id], let common = placed.intersection(host) else { return nil }
            let guestBase = m.guest.base &+ (common.base - host.base)
            var node = DTNode(name: nodeName(region.name, guestBase))
            node.set("reg", .cells(cells64(guestBase) + cells64(common.sizeMinusOne &+ 1)))
            node.set("no-map", .empty)
            return node
        }
    }

    /// The Xen dom0less node for the domain, `/chosen/NAME` (booting.txt): `compatible =
    /// "xen,domain"`, `memory` in KiB, `cpus`, `xen,static-mem`, `direct-map`, `vpl011`.
    public var xenDomainNode: DTNode {
        let d = router.domain
        var node = DTNode(name: DeviceTreeExport.nodeName(d.name))
        node.set("compatible", .strings(["xen,domain"]))
        let ram = router.mappings.filter { m in
            m.entry.mode != .emulated && (m.entry.kind ?? m.hostRegion.map { tree.nodes[$0].region.kind }) == .dram && !isPersistent(m)
        }
        let kib = ram.reduce(UInt64(0)) { $0 &+ (($1.guest.sizeMinusOne &+ 1) >> 10) }
        node.set("memory", .cells(cells64(kib)))
        node.set("cpus", .cells([UInt32(d.cpus ?? 1)]))
        if d.staticMemory {
            node.set("#xen,static-mem-address-cells", .cells([2]))
            node.set("#xen,static-mem-size-cells", .cells([2]))
            node.set("xen,static-mem", .cells(ram.flatMap { cells64($0.host?.base ?? 0) + cells64($0.guest.sizeMinusOne &+ 1) }))
        }
        if d.directMap { node.set("direct-map", .empty) }
        if router.mappings.contains(where: { $0.entry.deviceModel == "vpl011" }) { node.set("vpl011", .empty) }
        return node
    }

    /// A tree holding only `/chosen` with the domain's Xen node, to merge into the host DT.
    public var xenTree: DeviceTree {
        var chosen = DTNode(name: "chosen")
        chosen.children = [xenDomainNode]
        var root = DTNode(name: "")
        root.set("#address-cells", .cells([2]))
        root.set("#size-cells", .cells([2]))
        root.children = [chosen]
        return DeviceTree(root: root)
    }
}
