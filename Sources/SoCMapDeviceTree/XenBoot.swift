public import SoCMap

/// Everything Xen needs to boot a map's domains as dom0less guests (Xen's
/// `docs/misc/arm/device-tree/booting.txt` and `passthrough.txt`): the host device tree with
/// `/chosen` holding `xen,xen-bootargs` and one `xen,domain` node per domain, each domain's
/// partial device tree when it has passed-through devices, and where every boot module goes in
/// host RAM, chosen from the map.
public struct XenBoot: Sendable {
    /// A file to load: its name in the output and its size.
    public struct Image: Sendable {
        public var file: String
        public var size: UInt64
        /// Creates an image description.
        public init(file: String, size: UInt64) {
            self.file = file
            self.size = size
        }
    }

    /// One boot module placed in host RAM.
    public struct Module: Sendable {
        /// The domain it is for.
        public var domain: String
        /// `kernel`, `ramdisk` or `device-tree` (the multiboot module kind).
        public var kind: String
        /// The file loaded there.
        public var file: String
        /// Where it goes (exactly the file's size).
        public var range: AddressRange
    }

    /// What to boot with.
    public struct Request: Sendable {
        public var kernel: Image
        public var ramdisk: Image?
        /// The guests' kernel command line.
        public var bootargs: String
        /// Xen's command line (default: its console on the host's `stdout-path` UART).
        public var xenBootargs: String?
        /// Place the modules one after another from here instead of in free RAM.
        public var loadAddress: UInt64?
        /// The name the partial device tree of domain `D` is written under.
        public var passthroughFile: @Sendable (String) -> String
        /// The size a device tree takes as a DTB (the writer lives with libfdt).
        public var blobSize: @Sendable (DeviceTree) -> UInt64

        /// Creates a request.
        public init(
            kernel: Image, ramdisk: Image?, bootargs: String, xenBootargs: String? = nil, loadAddress: UInt64? = nil,
            passthroughFile: @escaping @Sendable (String) -> String = { "\($0)-passthrough.dtb" },
            blobSize: @escaping @Sendable (DeviceTree) -> UInt64
        ) {
            self.blobSize = blobSize
            self.kernel = kernel
            self.ramdisk = ramdisk
            self.bootargs = bootargs
            self.xenBootargs = xenBootargs
            self.loadAddress = loadAddress
            self.passthroughFile = passthroughFile
        }
    }

    /// The host device tree to give Xen.
    public let hostTree: DeviceTree
    /// Partial device trees (`multiboot,device-tree` modules), by domain.
    public let passthroughTrees: [(domain: String, file: String, tree: DeviceTree)]
    /// Every module, in load order.
    public let modules: [Module]

    /// Xen's fixed phandle for a guest's GIC (`GUEST_PHANDLE_GIC` in
    /// xen/include/public/device_tree_defs.h): what `interrupt-parent` says in a partial tree.
    public static let guestGICPhandle: UInt32 = 65000
    /// Modules start on 2 MiB boundaries (an arm64 kernel's preferred alignment).
    static let alignment: UInt64 = 0x20_0000

    /// Plans the boot of every domain of `map`. Problems are errors with the domain's or the
    /// region's location (`xen-boot` check id).
    public static func plan(_ map: ResolvedMap, _ request: Request) -> Result<XenBoot, MapInputError> {
        var problems: [Diagnostic] = []
        let domains = map.domains
        if domains.isEmpty { problems.append(Diagnostic(.error, "xen-boot", "the map has no domains to boot")) }
        // Partial device trees first: their sizes are part of the plan.
        var partial: [(domain: String, file: String, tree: DeviceTree, size: UInt64)] = []
        for d in domains where d.mappings.contains(where: { $0.entry.mode == .passthrough }) {
            guard let router = try? GuestRouter(map, domain: d.domain.name) else { continue }
            let tree = passthroughTree(GuestOutputs(router: router), iommu: d.domain.iommu)
            let size = request.blobSize(tree)
            partial.append((d.domain.name, request.passthroughFile(d.domain.name), tree, size))
        }
        // What goes where.
        var wanted: [(domain: ResolvedDomain, kind: String, image: Image)] = []
        for d in domains {
            wanted.append((d, "kernel", request.kernel))
            if let r = request.ramdisk { wanted.append((d, "ramdisk", r)) }
            if let p = partial.first(where: { $0.domain == d.domain.name }) {
                wanted.append((d, "device-tree", Image(file: p.file, size: p.size)))
            }
        }
        let reserved = blocked(map)
        let free = freeRAM(map, without: reserved)
        var modules: [Module] = []
        var cursor = request.loadAddress
        var spans = free
        for w in wanted {
            let size = max(w.image.size, 1)
            if let start = cursor {
                guard let range = AddressRange(base: start, size: size) else {
                    problems.append(Diagnostic(.error, "xen-boot", "\(w.image.file) does not fit below 2^64 from \(hex(start))"))
                    break
                }
                if let clash = reserved.first(where: { $0.range.overlaps(range) }) {
                    problems.append(
                        Diagnostic(
                            .error, "xen-boot",
                            "\(w.domain.domain.name)'s \(w.kind) \(w.image.file) at \(range) overlaps \(clash.what) \(clash.range)",
                            at: clash.location, path: clash.path))
                } else if !free.contains(where: { $0.contains(range) }) {
                    problems.append(
                        Diagnostic(
                            .error, "xen-boot", "\(w.domain.domain.name)'s \(w.kind) \(w.image.file) at \(range) is not in free host RAM"))
                }
                modules.append(Module(domain: w.domain.domain.name, kind: w.kind, file: w.image.file, range: range))
                cursor = (range.last &+ 1).roundedUp(to: alignment)
                continue
            }
            guard let i = spans.firstIndex(where: { $0.size(from: $0.base.roundedUp(to: alignment)) >= size }) else {
                problems.append(
                    Diagnostic(
                        .error, "xen-boot",
                        "no free host RAM left for \(w.domain.domain.name)'s \(w.kind) \(w.image.file) (\(sizeText(size)))",
                        at: w.domain.domain.location, path: "domain \(w.domain.domain.name)"))
                break
            }
            let base = spans[i].base.roundedUp(to: alignment)
            let range = AddressRange(base: base, size: size)!
            modules.append(Module(domain: w.domain.domain.name, kind: w.kind, file: w.image.file, range: range))
            spans[i] = AddressRange(base: (range.last &+ 1).roundedUp(to: alignment), last: spans[i].last) ?? spans[i]
            if range.last >= spans[i].last { spans.remove(at: i) }
        }
        // Xen gives each domain its RAM from what is left.
        let moduleBytes = modules.reduce(UInt64(0)) { $0 &+ ($1.range.sizeMinusOne &+ 1) }
        let freeBytes = free.reduce(UInt64(0)) { $0 &+ ($1.sizeMinusOne &+ 1) }
        var budget = freeBytes > moduleBytes ? freeBytes - moduleBytes : 0
        for d in domains where !d.domain.staticMemory {
            let ram = XenDomainNode.ramBytes(d, map)
            if ram > budget {
                problems.append(
                    Diagnostic(
                        .error, "xen-boot",
                        "needs \(sizeText(ram)) of RAM, but only \(budget >> 20) MiB (\(hex(budget)) bytes) of host RAM is left outside the hypervisor's and reserved regions and the boot modules",
                        at: d.domain.location, path: "domain \(d.domain.name)"))
            }
            budget = ram > budget ? 0 : budget - ram
        }
        if !problems.isEmpty { return .failure(MapInputError(problems)) }
        let host = hostTree(map, modules: modules, request: request)
        return .success(XenBoot(hostTree: host, passthroughTrees: partial.map { ($0.domain, $0.file, $0.tree) }, modules: modules))
    }

    /// Host memory no boot module may use: its range, what it is, and where it was written.
    typealias Reservation = (range: AddressRange, what: String, location: SourceLocation?, path: String)

    /// Host RAM not taken by a hypervisor region, a reserved region or a `/memreserve/`.
    static func freeRAM(_ map: ResolvedMap, without blocked: [Reservation])
        -> [AddressRange]
    {
        var free = map.tree.ids.filter { map.tree[$0].kind == .dram && !map.tree.ancestors(of: $0).contains { map.tree[$0].kind == .dram } }
            .compactMap { map.placement(of: $0) }.sorted { $0.base < $1.base }
        for b in blocked { free = free.flatMap { $0.subtracting(b.range) } }
        return free
    }

    /// What no module may overlap: hypervisor regions, reserved regions, memory reservations,
    /// and the static memory of `xen,static-mem` domains (Xen keeps it for them).
    static func blocked(_ map: ResolvedMap) -> [Reservation] {
        let regions = map.tree.ids.compactMap { id -> (AddressRange, String, SourceLocation?, String)? in
            let r = map.tree[id].region
            guard r.hypervisorOnly || r.kind == .reserved || r.memoryReservation, let at = map.placement(of: id) else { return nil }
            let what = r.hypervisorOnly ? "the hypervisor's region \(map.tree[id].path)" : "the reserved region \(map.tree[id].path)"
            return (at, what, r.location, map.tree[id].path)
        }
        let statics = map.domains.filter(\.domain.staticMemory).flatMap { d in
            XenDomainNode.ram(d, map).compactMap { m -> (AddressRange, String, SourceLocation?, String)? in
                m.host.map { ($0, "\(d.domain.name)'s static memory", m.entry.location, "domain \(d.domain.name) / entry \(m.entry.name)") }
            }
        }
        return (regions + statics).map { (range: $0.0, what: $0.1, location: $0.2, path: $0.3) }
    }
}

extension XenBoot {
    /// The host tree: the map exported without socmap's annotations, less the hypervisor's
    /// regions (the map's own knowledge), with `xen,passthrough` on every passed-through unit
    /// and `/chosen` holding Xen's command line and the domains with their modules.
    static func hostTree(_ resolved: ResolvedMap, modules: [Module], request: Request) -> DeviceTree {
        var map = resolved.map
        let passed = Set(resolved.domains.flatMap { d in d.mappings.filter { $0.entry.mode == .passthrough }.compactMap(\.hostRegion) })
        let paths = Set(passed.map { resolved.tree[$0].path })
        func edit(_ regions: [Region], parent: String) -> [Region] {
            regions.compactMap { r in
                guard !r.hypervisorOnly else { return nil }
                var r = r
                let path = parent + "/" + r.name
                if paths.contains(path) { r.properties.append(Region.Property(name: "xen,passthrough", value: .empty)) }
                let had = !r.children.isEmpty
                r.children = edit(r.children, parent: path)
                // A bus that held only the hypervisor's regions (`/reserved-memory`) goes too.
                return had && r.children.isEmpty && r.kind == .bus ? nil : r
            }
        }
        map.regions = edit(map.regions, parent: "")
        map.domains = []
        var chosen = DescriptionNode(name: "chosen")
        if let i = map.deviceTree.nodes.firstIndex(where: { $0.parent == "/" && $0.node.name == "chosen" }) {
            chosen = map.deviceTree.nodes.remove(at: i).node
        }
        let stdout = chosen.properties.first { $0.name == "stdout-path" }.flatMap { p -> String? in
            if case .string(let s) = p.value { return s }
            return nil
        }
        chosen.properties.removeAll { ["#address-cells", "#size-cells", "xen,xen-bootargs"].contains($0.name) }
        chosen.properties += [
            Region.Property(name: "#address-cells", value: .cells([2])), Region.Property(name: "#size-cells", value: .cells([2])),
            Region.Property(
                name: "xen,xen-bootargs",
                value: .string(request.xenBootargs ?? "console=dtuart" + (stdout.map { " dtuart=\($0)" } ?? "") + " sync_console")),
        ]
        chosen.children.removeAll { c in resolved.domains.contains { DeviceTreeExport.nodeName($0.domain.name) == c.name } }
        for d in resolved.domains {
            var node = DescriptionNode(name: DeviceTreeExport.nodeName(d.domain.name), properties: XenDomainNode.properties(d, resolved))
            node.properties += [
                Region.Property(name: "#address-cells", value: .cells([2])), Region.Property(name: "#size-cells", value: .cells([2])),
            ]
            for m in modules where m.domain == d.domain.name {
                var properties = [
                    Region.Property(name: "compatible", value: .strings(["multiboot,\(m.kind)", "multiboot,module"])),
                    Region.Property(name: "reg", value: .cells(cells(m.range.base) + cells(m.range.sizeMinusOne &+ 1))),
                ]
                if m.kind == "kernel" { properties.append(Region.Property(name: "bootargs", value: .string(request.bootargs))) }
                node.children.append(DescriptionNode(name: "module@\(String(m.range.base, radix: 16))", properties: properties))
            }
            chosen.children.append(node)
        }
        map.deviceTree.nodes.append(AttachedNode(node: chosen))
        return DeviceTreeExport.tree(of: map, annotations: false)
    }

    /// A domain's partial device tree: `/passthrough` (2/2 cells, `simple-bus`, `ranges;`) with
    /// its passed-through devices, each with `interrupt-parent` set to Xen's guest GIC,
    /// `xen,reg`, `xen,path` and, without an IOMMU, `xen,force-assign-without-iommu`; the
    /// description nodes the domain names (clocks the devices need) go under `/passthrough`
    /// too, since Xen copies only that node into the guest.
    static func passthroughTree(_ outputs: GuestOutputs, iommu: Bool) -> DeviceTree {
        let guest = outputs.deviceTreeMap
        var map = AddressMap(name: guest.name, compatible: [])
        map.deviceTree.verbatim = true
        map.deviceTree.properties = [
            Region.Property(name: "#address-cells", value: .cells([2])), Region.Property(name: "#size-cells", value: .cells([2])),
        ]
        guard var bus = guest.regions.first(where: { $0.name == "passthrough" }) else {
            return DeviceTreeExport.tree(of: map, annotations: false)
        }
        let moved = Set(guest.deviceTree.nodes.map { "/" + $0.node.name })
        func relocated(_ value: Region.Property.Value) -> Region.Property.Value {
            func fix(_ r: NodeReference) -> NodeReference {
                if case .path(let p) = r, moved.contains(p) { return .path("/passthrough" + p) }
                return r
            }
            switch value {
            case .references(let cells):
                return .references(
                    cells.map { c in
                        if case .reference(let r) = c { return .reference(fix(r)) }
                        return c
                    })
            case .pathOf(let r): return .pathOf(fix(r))
            default: return value
            }
        }
        bus.children = bus.children.map { device in
            var d = device
            d.properties = d.properties.filter { $0.name != "interrupt-parent" }.map {
                Region.Property(name: $0.name, value: relocated($0.value))
            }
            d.properties.append(Region.Property(name: "interrupt-parent", value: .cells([guestGICPhandle])))
            if !iommu { d.properties.append(Region.Property(name: "xen,force-assign-without-iommu", value: .empty)) }
            return d
        }
        map.regions = [bus]
        map.deviceTree.nodes = guest.deviceTree.nodes.map { AttachedNode(parent: "/passthrough", node: $0.node) }
        return DeviceTreeExport.tree(of: map, annotations: false)
    }

    static func cells(_ n: UInt64) -> [UInt32] { [UInt32(n >> 32), UInt32(truncatingIfNeeded: n)] }
}

/// The `xen,domain` node's own properties (booting.txt).
enum XenDomainNode {
    /// Guest RAM of a domain, in bytes.
    static func ramBytes(_ domain: ResolvedDomain, _ map: ResolvedMap) -> UInt64 {
        ram(domain, map).reduce(UInt64(0)) { $0 &+ ($1.guest.sizeMinusOne &+ 1) }
    }

    static func ram(_ domain: ResolvedDomain, _ map: ResolvedMap) -> [Stage2Mapping] {
        domain.mappings.filter { m in
            m.entry.mode != .emulated && (m.entry.kind ?? m.hostRegion.map { map.tree[$0].kind }) == .dram
                && !GuestOutputs.isPersistent(m, map.tree)
        }
    }

    /// `compatible = "xen,domain"`, `memory` in KiB, `cpus`, `xen,static-mem`, `direct-map`, `vpl011`.
    static func properties(_ domain: ResolvedDomain, _ map: ResolvedMap) -> [Region.Property] {
        let d = domain.domain
        let ram = ram(domain, map)
        let kib = ramBytes(domain, map) >> 10
        var p = [
            Region.Property(name: "compatible", value: .strings(["xen,domain"])),
            Region.Property(name: "memory", value: .cells(XenBoot.cells(kib))),
            Region.Property(name: "cpus", value: .cells([UInt32(d.cpus ?? 1)])),
        ]
        if d.staticMemory {
            p.append(Region.Property(name: "#xen,static-mem-address-cells", value: .cells([2])))
            p.append(Region.Property(name: "#xen,static-mem-size-cells", value: .cells([2])))
            p.append(
                Region.Property(
                    name: "xen,static-mem",
                    value: .cells(ram.flatMap { XenBoot.cells($0.host?.base ?? 0) + XenBoot.cells($0.guest.sizeMinusOne &+ 1) })))
        }
        if d.directMap { p.append(Region.Property(name: "direct-map", value: .empty)) }
        if domain.mappings.contains(where: { $0.entry.deviceModel == "vpl011" }) {
            p.append(Region.Property(name: "vpl011", value: .empty))
        }
        return p
    }
}

extension UInt64 {
    /// Rounded up to a multiple of `alignment` (a power of two); saturates at the top.
    func roundedUp(to alignment: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(alignment - 1)
        return overflow ? .max & ~(alignment - 1) : sum & ~(alignment - 1)
    }
}

extension AddressRange {
    /// Bytes from `start` to the end (0 when `start` is past it).
    func size(from start: UInt64) -> UInt64 { start > last ? 0 : (last - start == .max ? .max : last - start + 1) }

    /// What is left of this range without `other` (none, one or two pieces).
    func subtracting(_ other: AddressRange) -> [AddressRange] {
        guard overlaps(other) else { return [self] }
        var pieces: [AddressRange] = []
        if other.base > base, let below = AddressRange(base: base, last: other.base - 1) { pieces.append(below) }
        if other.last < last, let above = AddressRange(base: other.last + 1, last: last) { pieces.append(above) }
        return pieces
    }
}
