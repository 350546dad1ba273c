public import SoCMap

/// The renderings `socmap show` prints, for host and guest views alike.
public protocol ViewRendering {
    /// Like QEMU's `info mtree`.
    var treeText: String { get }
    /// Like QEMU's `info mtree -f`.
    var flat: String { get }
    /// Like `/proc/iomem`.
    var iomem: String { get }
    /// For scripts (docs/json.md).
    var json: JSON { get }
}

/// Text and JSON renderings of one view (initiator + switch setting) of a map.
public struct MapViews: Sendable, ViewRendering {
    /// The router of the view.
    public let router: Router
    /// The map's name, for headers.
    public let mapName: String
    /// Whether disabled units are shown too, marked `[disabled]`, where they would decode.
    public let includesDisabled: Bool

    /// Creates the renderings of `router`'s view.
    public init(router: Router, mapName: String, includingDisabled: Bool = false) {
        self.router = router
        self.mapName = mapName
        includesDisabled = includingDisabled
    }

    func entryLabel(_ id: RegionID, _ entry: Int) -> String? { tree[id].region.entryLabel(entry) }

    /// The entries to list under a region (several, or named), with where each landed.
    func listedEntries(_ id: RegionID) -> [(label: String, range: AddressRange)] {
        let region = tree[id].region
        guard region.namesItsEntries else { return [] }
        return zip(region.entries.indices, router.entryPlacements(of: id)).compactMap { k, placed in
            guard k != region.pcie?.ecamEntry, let placed, let label = entryLabel(id, k) else { return nil }
            return (label, placed)
        }
    }

    func entryJSON(_ id: RegionID, _ entry: Int) -> [(String, JSON)] { tree[id].region.entryJSON(entry) }

    /// Every placed entry of a unit with several or named entries, the ECAM marked.
    func entriesJSON(_ id: RegionID) -> [JSON] {
        let region = tree[id].region
        guard region.namesItsEntries else { return [] }
        return zip(region.entries.indices, router.entryPlacements(of: id)).compactMap { k, placed in
            guard let placed else { return nil }
            return .object(
                [("entry", .int(k))] + (region.entries[k].name.map { [("name", JSON.string($0))] } ?? [])
                    + (k == region.pcie?.ecamEntry ? [("space", JSON.string("config"))] : [])
                    + [("base", .address(placed.base)), ("last", .address(placed.last))])
        }
    }

    /// Whether a region is shown only because disabled units are.
    func isShownDisabled(_ id: RegionID) -> Bool {
        includesDisabled && router.placement(of: id) == nil && router.disabledPlacement(of: id) != nil
    }

    private var tree: RegionTree { router.tree }

    /// `zynq-7000 (initiator cpu; ocm0=high ...)`
    public var viewName: String {
        var parts: [String] = []
        if let i = router.initiator { parts.append("initiator \(i)") }
        let setting = router.setting.description
        if !setting.isEmpty { parts.append(setting) }
        return parts.isEmpty ? mapName : "\(mapName) (\(parts.joined(separator: "; ")))"
    }

    /// The kind column of a flat-view line.
    func kindLabel(_ segment: Router.Segment) -> String {
        let region = tree[segment.unit].region
        switch segment.target {
        case .region: return region.kind == .pcie ? "pcie-reg" : region.kind.rawValue
        case .pcieConfig: return "pcie-cfg"
        case .pcieWindow(let i):
            let w = region.pcie!.windows[i]
            return "pcie-\(w.space.rawValue)\(w.prefetchable ? "-pref" : "")"
        }
    }

    /// One line per segment, like QEMU's `info mtree -f`:
    /// `  0000000040000000-000000007fffffff (prio 0, dram): ram[ @offset]`.
    public var flat: String {
        var lines = ["FlatView: \(viewName)"]
        if router.segmentCount == 0 { lines.append("  No rendered FlatView") }
        for s in mergedSegments {
            let region = tree[s.unit].region
            var line =
                "  \(paddedHex(s.range.base, width: 16))-\(paddedHex(s.range.last, width: 16)) (prio \(region.priority), \(kindLabel(s))): \(region.name)"
            if s.target == .region, let label = entryLabel(s.unit, s.entry) { line += " " + label }
            let offset = s.busAddressAtBase ?? s.offsetAtBase
            if offset != 0 { line += " @\(paddedHex(offset, width: 16))" }
            lines.append(line)
        }
        if includesDisabled {
            for node in tree.nodes {
                guard let p = router.disabledPlacement(of: node.id), node.region.kind.decodesHoles || node.kind == .pcie else { continue }
                lines.append(
                    "  \(paddedHex(p.base, width: 16))-\(paddedHex(p.last, width: 16)) (disabled, \(node.kind.rawValue)): \(node.name)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Segments with neighbours merged as QEMU's `flatview_simplify` merges them.
    public var mergedSegments: [Router.Segment] { router.mergedSegments }

    /// A node's range in the root space for display: its placement, or for a region
    /// without one (a bus without range) the span of its placed descendants.
    func displayRange(_ id: RegionID) -> AddressRange? {
        if let p = router.placement(of: id) { return p }
        if includesDisabled, let p = router.disabledPlacement(of: id) { return p }
        let spans = tree[id].children.compactMap(displayRange)
        guard let first = spans.first else { return nil }
        return spans.dropFirst().reduce(first) { $0.span($1) }
    }

    func sortedChildren(_ ids: [RegionID]) -> [(RegionID, AddressRange)] {
        ids.compactMap { id in displayRange(id).map { (id, $0) } }.sorted { a, b in
            if a.1.base != b.1.base { return a.1.base < b.1.base }
            return tree[a.0].region.priority > tree[b.0].region.priority
        }
    }

    /// The region tree with every region at its root-space placement, like QEMU's
    /// `info mtree`: two spaces per level, aliases as `alias NAME @TARGET start-end`.
    public var treeText: String {
        var lines = ["address-space: \(viewName)"]
        func line(_ range: AddressRange, depth: Int, prio: Int, kind: String, text: String) {
            lines.append(
                String(repeating: "  ", count: depth + 1)
                    + "\(paddedHex(range.base, width: 16))-\(paddedHex(range.last, width: 16)) (prio \(prio), \(kind)): \(text)")
        }
        func walk(_ ids: [RegionID], depth: Int) {
            for (id, range) in sortedChildren(ids) {
                let node = tree[id]
                let region = node.region
                var text = region.name
                if let alias = region.alias, let target = tree.resolve(alias.path) {
                    let start = alias.offset
                    text =
                        "alias \(region.name) @\(tree[target].name) \(paddedHex(start, width: 16))-\(paddedHex(start &+ range.sizeMinusOne, width: 16))"
                }
                if isShownDisabled(id) { text += " [disabled]" }
                line(range, depth: depth, prio: region.priority, kind: region.kind.rawValue, text: text)
                for e in listedEntries(id) {
                    line(e.range, depth: depth + 1, prio: region.priority, kind: region.kind.rawValue, text: e.label)
                }
                if let host = region.pcie {
                    var parts: [(AddressRange, String, String)] = []
                    if let e = region.ecam { parts.append((e, "pcie-cfg", "ecam, buses \(host.firstBus)-\(host.lastBus)")) }
                    for w in host.windows {
                        parts.append(
                            (
                                w.cpuRange, "pcie-\(w.space.rawValue)\(w.prefetchable ? "-pref" : "")",
                                "\(w.space.rawValue) window @\(paddedHex(w.pciBase, width: 16))"
                            ))
                    }
                    for (r, kind, label) in parts.sorted(by: { $0.0.base < $1.0.base }) {
                        line(r, depth: depth + 1, prio: region.priority, kind: kind, text: label)
                    }
                }
                walk(node.children, depth: depth + 1)
            }
        }
        walk(tree.roots, depth: 0)
        return lines.joined(separator: "\n")
    }

    /// `/proc/iomem` style: `%08x-%08x : name`, two spaces per level, inclusive ends.
    public var iomem: String {
        var lines: [String] = []
        func walk(_ ids: [RegionID], depth: Int) {
            for (id, range) in sortedChildren(ids) {
                let region = tree[id].region
                let mark = isShownDisabled(id) ? " [disabled]" : ""
                lines.append(
                    String(repeating: "  ", count: depth)
                        + "\(paddedHex(range.base, width: 8))-\(paddedHex(range.last, width: 8)) : \(region.name)\(mark)")
                for e in listedEntries(id) {
                    lines.append(
                        String(repeating: "  ", count: depth + 1)
                            + "\(paddedHex(e.range.base, width: 8))-\(paddedHex(e.range.last, width: 8)) : \(region.name) \(e.label)")
                }
                walk(tree[id].children, depth: depth + 1)
            }
        }
        walk(tree.roots, depth: 0)
        return lines.joined(separator: "\n")
    }

    /// The view as JSON: its segments and the placed regions (documented in docs/json.md).
    public var json: JSON {
        var pairs: [(String, JSON)] = [("map", .string(mapName))]
        pairs.append(("initiator", router.initiator.map(JSON.string) ?? .null))
        pairs.append(("switches", .object(router.setting.pairs.map { ($0.name, .string($0.value)) })))
        pairs.append(
            (
                "segments",
                .array(
                    router.segments.map { s in
                        let n = tree[s.unit]
                        let entry = s.target == .region ? entryJSON(s.unit, s.entry) : []
                        return .object(
                            [
                                ("base", .address(s.range.base)), ("last", .address(s.range.last)),
                                ("unit", .string(n.path)), ("name", .string(n.region.name)), ("kind", .string(kindLabel(s))),
                                ("priority", .int(n.region.priority)), ("offset", .address(s.busAddressAtBase ?? s.offsetAtBase)),
                            ] + entry)
                    })
            ))
        pairs.append(
            (
                "regions",
                .array(
                    tree.nodes.compactMap { n in
                        let disabled = isShownDisabled(n.id)
                        guard let p = router.placement(of: n.id) ?? (disabled ? router.disabledPlacement(of: n.id) : nil) else {
                            return nil
                        }
                        var pairs: [(String, JSON)] = [
                            ("path", .string(n.path)), ("kind", .string(n.region.kind.rawValue)), ("base", .address(p.base)),
                            ("last", .address(p.last)), ("priority", .int(n.region.priority)),
                        ]
                        let entries = entriesJSON(n.id)
                        if !entries.isEmpty { pairs.append(("entries", .array(entries))) }
                        if disabled { pairs.append(("disabled", .bool(true))) }
                        return .object(pairs)
                    })
            ))
        return .object(pairs)
    }
}
