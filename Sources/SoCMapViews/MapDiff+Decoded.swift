public import SoCMap

extension MapDiff {
    /// What kind of thing answers at an address, as a running system can tell: RAM, ROM, or
    /// anything else (registers, PCIe windows, PL apertures). A QEMU flat view or `/proc/iomem`
    /// says no more than that.
    public enum DecodeClass: String, Sendable {
        /// Memory that reads back what was written (DRAM, OCM, TCM).
        case ram
        /// Read-only memory (boot ROM, flash in ROM mode).
        case rom
        /// Anything with behaviour of its own: registers, PCIe windows, PL apertures.
        case io
    }

    /// The class of a region kind: `dram` and `sram` are RAM, `rom` ROM, the rest I/O.
    public static func decodeClass(_ kind: RegionKind) -> DecodeClass {
        switch kind {
        case .dram, .sram: return .ram
        case .rom: return .rom
        default: return .io
        }
    }

    /// Every span a view decodes, one unit each: the flat view's lines (segments merged as QEMU
    /// merges flat ranges), labelled as the flat view labels them. Reserved holes decode
    /// nothing, so they are left out unless `includingReserved`.
    public static func decodedSpans(_ router: Router, includingReserved: Bool = false) -> [Unit] {
        let views = MapViews(router: router, mapName: "")
        return views.mergedSegments.compactMap { s in
            let node = router.tree[s.unit]
            guard includingReserved || node.kind != .reserved else { return nil }
            var label = node.path
            if s.target == .region, let entry = node.region.entryLabel(s.entry) { label += " " + entry }
            let kind = views.kindLabel(s)
            if kind.hasPrefix("pcie-") && kind != "pcie-reg" { label += " " + kind.dropFirst(5) }
            return Unit(path: label, kind: node.kind, range: s.range, disabled: false, windows: nil, entries: [])
        }
    }

    /// The top-level regions of a map where they are placed: what `/proc/iomem` lists at its
    /// top level (the deeper levels are the kernel's own claims inside them).
    public static func topLevelSpans(_ map: ResolvedMap) -> [Unit] {
        map.tree.roots.compactMap { id in
            let node = map.tree[id]
            guard let range = map.placement(of: id) else { return nil }
            return Unit(path: node.path, kind: node.kind, range: range, disabled: false, windows: nil, entries: [])
        }
    }

    /// The differences between two lists of decoded spans, by address and class, names aside
    /// (a running system names things its own way): a span in both at the same range and
    /// class is the same; at the same range with another class it changed `kind`; an old
    /// span overlapping a new one of its class `moved`/`resized`; what is left was removed or
    /// added.
    public init(decoded old: [Unit], _ new: [Unit]) {
        var changes: [Change] = []
        var fresh = new
        var gone: [Unit] = []
        for u in old {
            if let i = fresh.firstIndex(where: { $0.range == u.range }) {
                let v = fresh.remove(at: i)
                if Self.decodeClass(u.kind) != Self.decodeClass(v.kind) { changes.append(.changed(from: u, to: v, what: ["kind"])) }
            } else {
                gone.append(u)
            }
        }
        for u in gone {
            guard let r = u.range,
                let i = fresh.firstIndex(where: { v in
                    v.range.map { $0.overlaps(r) } == true && Self.decodeClass(v.kind) == Self.decodeClass(u.kind)
                })
            else {
                changes.append(.removed(u))
                continue
            }
            let v = fresh.remove(at: i)
            var what: [String] = []
            if v.range?.base != r.base { what.append("moved") }
            if v.range?.sizeMinusOne != r.sizeMinusOne { what.append("resized") }
            changes.append(.changed(from: u, to: v, what: what))
        }
        changes += fresh.map(Change.added)
        self.changes = changes.sorted { Self.order($0) < Self.order($1) }
    }
}
