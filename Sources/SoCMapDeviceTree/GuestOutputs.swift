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

    static func nodeName(_ name: String, _ unit: UInt64) -> String { ExportBuilder.name(DeviceTreeExport.nodeName(name), unit: unit) }

    /// A `reg` of two 2-cell numbers.
    static func reg(_ base: UInt64, _ size: UInt64) -> DeviceTree.Value {
        var bytes: [UInt8] = []
        BigEndian.appendNumber(base, cells: 2, to: &bytes)
        BigEndian.appendNumber(size, cells: 2, to: &bytes)
        return .bytes(bytes)
    }

    /// The guest device tree: memory nodes for guest RAM, persistent memory as `pmem-region`,
    /// host carve-outs inside guest RAM as `no-map` reserved memory, emulated devices at their
    /// guest addresses, and passed-through devices in Xen's `/passthrough` node with `xen,reg`
    /// and `xen,path`.
    public var deviceTree: DeviceTree {
        var out = DeviceTree.Builder()
        out.beginNode("")
        out.setProperty("#address-cells", .cells([2]))
        out.setProperty("#size-cells", .cells([2]))
        out.setProperty("model", .strings(["\(resolved.map.model ?? resolved.map.name) guest \(router.domain.name)"]))
        out.setProperty("compatible", .strings(["socmap,guest"]))
        var reserved: [(name: String, reg: DeviceTree.Value)] = []
        var passthrough: [Stage2Mapping] = []
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
            let reg = Self.reg(m.guest.base, m.guest.sizeMinusOne &+ 1)
            let kind = m.entry.kind ?? m.hostRegion.map { tree[$0].kind } ?? .mmio
            let hostCompatible = m.hostRegion.map { tree[$0].region.compatible } ?? []
            switch (m.entry.mode, kind) {
            case (.direct, .dram), (.translated, .dram), (.emulated, .dram):
                if Self.isPersistent(m, tree) {
                    out.node(unique(Self.nodeName("pmem", m.guest.base))) { node in
                        node.setProperty("compatible", .strings(["pmem-region"]))
                        node.setProperty("reg", reg)
                    }
                } else {
                    out.node(unique(Self.nodeName("memory", m.guest.base))) { node in
                        node.setProperty("device_type", .strings(["memory"]))
                        node.setProperty("reg", reg)
                    }
                    reserved += carveOuts(inside: m)
                }
            case (.passthrough, _):
                if m.host != nil { passthrough.append(m) }
            default:
                out.node(unique(Self.nodeName(m.entry.name, m.guest.base))) { node in
                    let compatible =
                        m.entry.mode == .emulated ? (m.entry.deviceModel.map { $0.contains(",") ? [$0] : [] } ?? []) : hostCompatible
                    if !compatible.isEmpty { node.setProperty("compatible", .strings(compatible)) }
                    node.setProperty("reg", reg)
                }
            }
        }
        if !reserved.isEmpty {
            out.node("reserved-memory") { node in
                node.setProperty("#address-cells", .cells([2]))
                node.setProperty("#size-cells", .cells([2]))
                node.setProperty("ranges", .empty)
                for r in reserved {
                    node.node(r.name) { child in
                        child.setProperty("reg", r.reg)
                        child.setProperty("no-map", .empty)
                    }
                }
            }
        }
        if !passthrough.isEmpty {
            let hostPaths = DeviceTreeExport.nodePaths(of: resolved)
            out.node("passthrough") { node in
                node.setProperty("compatible", .strings(["simple-bus"]))
                node.setProperty("ranges", .empty)
                node.setProperty("#address-cells", .cells([2]))
                node.setProperty("#size-cells", .cells([2]))
                for m in passthrough {
                    guard let host = m.host else { continue }
                    node.node(Self.nodeName(m.entry.name, m.guest.base)) { device in
                        let compatible = m.hostRegion.map { tree[$0].region.compatible } ?? []
                        if !compatible.isEmpty { device.setProperty("compatible", .strings(compatible)) }
                        device.setProperty("reg", Self.reg(m.guest.base, m.guest.sizeMinusOne &+ 1))
                        var xenReg: [UInt8] = []
                        for n in [host.base, host.sizeMinusOne &+ 1, m.guest.base] { BigEndian.appendNumber(n, cells: 2, to: &xenReg) }
                        device.setProperty("xen,reg", .bytes(xenReg))
                        if let id = m.hostRegion, let path = hostPaths[tree[id].path] { device.setProperty("xen,path", .strings([path])) }
                    }
                }
            }
        }
        out.endNode()
        return out.tree()
    }

    /// Host reserved regions inside a RAM mapping's host range, at their guest addresses.
    func carveOuts(inside m: Stage2Mapping) -> [(name: String, reg: DeviceTree.Value)] {
        guard let host = m.host else { return [] }
        return tree.nodes.compactMap { node in
            guard node.kind == .reserved || node.region.hypervisorOnly, let placed = resolved.placement(of: node.id),
                let common = placed.intersection(host)
            else { return nil }
            let guestBase = m.guest.base &+ (common.base - host.base)
            return (Self.nodeName(node.name, guestBase), Self.reg(guestBase, common.sizeMinusOne &+ 1))
        }
    }

    /// Writes the Xen dom0less node of `domain`, `/chosen/NAME` (booting.txt): `compatible =
    /// "xen,domain"`, `memory` in KiB, `cpus`, `xen,static-mem`, `direct-map`, `vpl011`.
    public static func writeXenDomainNode(_ domain: ResolvedDomain, of map: ResolvedMap, into out: inout DeviceTree.Builder) {
        let d = domain.domain
        let tree = map.tree
        out.node(DeviceTreeExport.nodeName(d.name)) { node in
            node.setProperty("compatible", .strings(["xen,domain"]))
            let ram = domain.mappings.filter { m in
                m.entry.mode != .emulated && (m.entry.kind ?? m.hostRegion.map { tree[$0].kind }) == .dram && !isPersistent(m, tree)
            }
            let kib = ram.reduce(UInt64(0)) { $0 &+ (($1.guest.sizeMinusOne &+ 1) >> 10) }
            node.numbers(node.name("memory"), [(kib, 2)])
            node.setProperty("cpus", .cells([UInt32(d.cpus ?? 1)]))
            if d.staticMemory {
                node.setProperty("#xen,static-mem-address-cells", .cells([2]))
                node.setProperty("#xen,static-mem-size-cells", .cells([2]))
                node.numbers(node.name("xen,static-mem"), ram.flatMap { [($0.host?.base ?? 0, 2), ($0.guest.sizeMinusOne &+ 1, 2)] })
            }
            if d.directMap { node.setProperty("direct-map", .empty) }
            if domain.mappings.contains(where: { $0.entry.deviceModel == "vpl011" }) { node.setProperty("vpl011", .empty) }
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
