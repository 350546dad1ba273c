public import SoCMap

/// Text and JSON renderings of a guest domain's view, each segment with its mode.
public struct GuestViews: Sendable, ViewRendering {
    /// The guest router.
    public let router: GuestRouter

    /// Creates the renderings.
    public init(router: GuestRouter) { self.router = router }

    func hostText(_ m: Stage2Mapping, at offset: UInt64) -> String {
        guard m.entry.mode != .emulated else { return "-> \(m.entry.deviceModel ?? "device model")" }
        let path = m.hostRegion.map { router.host[$0].path } ?? "?"
        return "-> \(path) host \(hex((m.host?.base ?? 0) &+ offset))"
    }

    /// One line per guest segment: `%016x-%016x (mode, kind): entry -> host`.
    public var flat: String {
        var lines = ["GuestView: domain \(router.domain.name)"]
        if router.segmentCount == 0 { lines.append("  No rendered GuestView") }
        for i in 0..<router.segmentCount {
            let (range, index) = router.segment(i)
            let m = router.mappings[index]
            let offset = range.base - m.guest.base
            lines.append(
                "  \(paddedHex(range.base, width: 16))-\(paddedHex(range.last, width: 16)) (\(m.entry.mode.name), \(kind(m).rawValue)): \(m.entry.name) \(hostText(m, at: offset))"
            )
        }
        return lines.joined(separator: "\n")
    }

    /// The kind of what the guest sees in an entry.
    func kind(_ m: Stage2Mapping) -> RegionKind {
        m.entry.kind ?? m.hostRegion.map { router.host[$0].kind } ?? .mmio
    }

    /// The entries in declaration order, each with its host region and the host hops.
    public var treeText: String {
        var lines = ["address-space: domain \(router.domain.name)"]
        for m in router.mappings.sorted(by: { $0.guest.base < $1.guest.base }) {
            lines.append(
                "  \(paddedHex(m.guest.base, width: 16))-\(paddedHex(m.guest.last, width: 16)) (\(m.entry.mode.name), \(kind(m).rawValue)): \(m.entry.name)"
            )
            if let host = m.host {
                let path = m.hostRegion.map { router.host[$0].path } ?? "?"
                lines.append("    \(paddedHex(host.base, width: 16))-\(paddedHex(host.last, width: 16)) (host): \(path)")
            } else if let model = m.entry.deviceModel {
                lines.append("    (trapped): \(model)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// What Linux lists at the top of `/proc/iomem` when it boots on the domain's device
    /// tree: its RAM as `System RAM` (contiguous ranges as one), each ARM PrimeCell device
    /// (`arm,primecell`, which the AMBA bus claims when it finds the node) by its node name, and
    /// the devices Xen emulates for an Arm guest by the names Linux's drivers give them
    /// (`linuxName(ofEmulated:at:)`). Other devices appear there only once a driver claims them,
    /// which a map cannot know.
    public var iomem: String {
        var lines: [(base: UInt64, last: UInt64, name: String)] = []
        for m in router.mappings.sorted(by: { $0.guest.base < $1.guest.base }) {
            let compatible = m.hostRegion.map { router.host[$0].region.compatible } ?? []
            if kind(m) == .dram && !compatible.contains("pmem-region") {
                if let last = lines.last, last.name == "System RAM", last.last &+ 1 == m.guest.base {
                    lines[lines.count - 1].last = m.guest.last
                } else {
                    lines.append((m.guest.base, m.guest.last, "System RAM"))
                }
            } else if compatible.contains("arm,primecell") {
                lines.append((m.guest.base, m.guest.last, Names.nodeName(m.entry.name, unit: m.guest.base)))
            } else if m.entry.mode == .emulated, let model = m.entry.deviceModel,
                let name = Self.linuxName(ofEmulated: model, at: m.guest.base)
            {
                lines.append((m.guest.base, m.guest.last, name))
            }
        }
        return lines.map { "\(paddedHex($0.base, width: 8))-\(paddedHex($0.last, width: 8)) : \($0.name)" }.joined(separator: "\n")
    }

    /// The `/proc/iomem` name Linux gives a device Xen emulates, by device model: the GICv3
    /// driver requests its distributor as `GICD` and its redistributors as `GICR`
    /// (`of_io_request_and_map`); Xen's vPL011 is an `arm,sbsa-uart` node `sbsa-uart@ADDR`,
    /// whose platform driver names its region `ADDR.sbsa-uart sbsa-uart@ADDR`.
    public static func linuxName(ofEmulated model: String, at base: UInt64) -> String? {
        let unit = String(base, radix: 16)
        switch model {
        case "xen-vgic-v3-gicd": return "GICD"
        case "xen-vgic-v3-gicr": return "GICR"
        case "vpl011": return "\(unit).sbsa-uart sbsa-uart@\(unit)"
        default: return nil
        }
    }

    /// The guest view as JSON.
    public var json: JSON {
        .object([
            ("domain", .string(router.domain.name)),
            (
                "segments",
                .array(
                    (0..<router.segmentCount).map { i in
                        let (range, index) = router.segment(i)
                        let m = router.mappings[index]
                        var pairs: [(String, JSON)] = [
                            ("base", .address(range.base)), ("last", .address(range.last)), ("entry", .string(m.entry.name)),
                            ("mode", .string(m.entry.mode.name)), ("kind", .string(kind(m).rawValue)),
                        ]
                        if let host = m.host { pairs.append(("host-base", .address(host.base &+ (range.base - m.guest.base)))) }
                        if let id = m.hostRegion { pairs.append(("host-region", .string(router.host[id].path))) }
                        if let model = m.entry.deviceModel { pairs.append(("device-model", .string(model))) }
                        return .object(pairs)
                    })
            ),
        ])
    }
}
