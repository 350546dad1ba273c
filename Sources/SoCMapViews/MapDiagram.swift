public import SoCMap

/// A memory-map picture as SVG 1.1: one column per view, addresses growing upward as in
/// reference manuals, every unit a box with its name, range and size, coloured by kind (guest
/// columns by mode, with a band from each guest range to the host range it lands on). Heights
/// grow with the logarithm of a stretch's size, and long empty stretches are cut out and marked
/// with a break, so a 40-bit map with a 4 KiB UART stays readable. No scripts, fonts or external
/// references; the same input gives the same bytes.
public struct MapDiagram: Sendable {
    /// One box of a column.
    public struct Box: Hashable, Sendable {
        public var range: AddressRange
        public var label: String
        /// What the colour stands for (a kind or a mode), for the legend.
        public var key: String
        /// Hover text: path, range, size, kind, compatible, hops.
        public var detail: String = ""
    }

    /// A column: a view's title and its boxes, in address order.
    public struct Column: Hashable, Sendable {
        public var title: String
        public var boxes: [Box]
    }

    /// A band from a guest range to a host range.
    public struct Link: Hashable, Sendable {
        public var from: (column: Int, range: AddressRange)
        public var to: (column: Int, range: AddressRange)
        public static func == (a: Link, b: Link) -> Bool {
            a.from.column == b.from.column && a.from.range == b.from.range && a.to.column == b.to.column && a.to.range == b.to.range
        }
        public func hash(into h: inout Hasher) {
            h.combine(from.column)
            h.combine(from.range)
            h.combine(to.column)
            h.combine(to.range)
        }
    }

    public var title: String
    /// The switch setting drawn, when there is one.
    public var subtitle: String?
    public var columns: [Column]
    public var links: [Link] = []

    /// The columns of host views (one router per view), then, for the first view, one column
    /// per translating bus (`ranges` windows) with its children at their bus addresses and a
    /// band from each to where the CPU sees it (at most `busColumns`).
    public static func host(_ routers: [Router], title: String, busColumns: Int = 3) -> MapDiagram {
        var d = MapDiagram(title: title, subtitle: setting(routers.first), columns: routers.map(column))
        guard let router = routers.first else { return d }
        let tree = router.tree
        let buses = tree.nodes.filter { n in
            if case .windows = n.region.translation { return n.children.contains { router.placement(of: $0) != nil } }
            return false
        }
        for bus in buses.prefix(busColumns) {
            var boxes: [Box] = []
            for child in bus.children {
                guard let local = tree[child].region.range, let placed = router.placement(of: child) else { continue }
                boxes.append(
                    Box(
                        range: local, label: tree[child].name, key: tree[child].kind.rawValue,
                        detail: "\(tree[child].path) at bus address \(local), CPU \(placed)"))
                d.links.append(Link(from: (d.columns.count, local), to: (0, placed)))
            }
            guard !boxes.isEmpty else { continue }
            d.columns.append(Column(title: "bus \(bus.path) (bus addresses)", boxes: boxes.sorted { $0.range.base < $1.range.base }))
        }
        return d
    }

    /// A guest column beside its host view's column, with a band per backed entry.
    public static func guest(_ guest: GuestRouter, title: String) -> MapDiagram {
        var d = MapDiagram(title: title, subtitle: setting(guest.host), columns: [column(guest.host)])
        let mappings = guest.mappings.sorted { $0.guest.base < $1.guest.base }
        d.columns.append(
            Column(
                title: "domain \(guest.domain.name)",
                boxes: mappings.map { m in
                    let host = m.host.map { ", host \($0)" } ?? m.entry.deviceModel.map { ", trapped to \($0)" } ?? ""
                    return Box(
                        range: m.guest, label: m.entry.name, key: m.entry.mode.name, detail: "\(m.entry.name) (\(m.entry.mode.name))\(host)"
                    )
                }))
        d.links = mappings.compactMap { m in m.host.map { Link(from: (1, m.guest), to: (0, $0)) } }
        return d
    }

    /// A host view as boxes: its segments, neighbours of one unit entry joined.
    static func column(_ router: Router) -> Column {
        var boxes: [Box] = []
        var last: Router.Segment?
        for s in router.segments {
            let unit = router[s.unit]
            if let l = last, l.unit == s.unit, l.entry == s.entry, l.target == s.target, l.range.last &+ 1 == s.range.base,
                let merged = boxes.last.flatMap({ AddressRange(base: $0.range.base, last: s.range.last) })
            {
                boxes[boxes.count - 1].range = merged
            } else {
                var key = unit.region.kind.rawValue
                var label = unit.name
                switch s.target {
                case .pcieConfig:
                    key = "pcie-ecam"
                    label += " ECAM"
                case .pcieWindow(let w):
                    key = "pcie-window"
                    if let space = unit.region.pcie?.windows[w].space.rawValue { label += " \(space)" }
                case .region: break
                }
                var detail = "\(unit.path) (\(unit.region.kind.rawValue))"
                if !unit.region.compatible.isEmpty { detail += ", compatible \(unit.region.compatible.joined(separator: ", "))" }
                if let route = router.route(PhysicalAddress(s.range.base)) {
                    let hops = router.hops(for: route).map { router[$0.hop.region].path }
                    if !hops.isEmpty { detail += ", via \(hops.joined(separator: " → "))" }
                }
                boxes.append(Box(range: s.range, label: label, key: key, detail: detail))
            }
            last = s
        }
        return Column(title: router.initiator.map { "initiator \($0)" } ?? "CPU view", boxes: boxes)
    }

    static func setting(_ router: Router?) -> String? {
        guard let d = router?.setting.description, !d.isEmpty else { return nil }
        return "Switches: " + d
    }
}
