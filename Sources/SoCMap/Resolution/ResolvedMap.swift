/// A map expanded and examined once: its region tree with repetitions expanded, where each
/// region lands in the root (CPU) space, its structural problems, and its guest domains
/// resolved against the host. Immutable and `Sendable`: routers, checks, views and exporters
/// all read the same value, on any thread.
///
/// - Complexity: O(n · depth) to build, for n regions.
public struct ResolvedMap: Sendable {
    /// The map.
    public let map: AddressMap
    /// Its expanded region tree.
    public let tree: RegionTree
    /// Broken names and references, in tree order; a router refuses a map that has any.
    public let problems: [MapProblem]
    /// The guest domains, in declaration order, each entry resolved to guest and host ranges.
    public let domains: [ResolvedDomain]
    /// Each region's range in the root space (see `placement(of:)`), by region index.
    private let placements: [AddressRange?]
    /// Each entry's range in the root space, for regions with more than one entry.
    private let entryPlacements: [Int: [AddressRange?]]

    /// Expands and examines `map`. Never fails: what is wrong is listed in `problems`.
    public init(_ map: AddressMap) {
        self.map = map
        let tree = RegionTree(map: map)
        self.tree = tree
        var placements: [AddressRange?] = []
        var entryPlacements: [Int: [AddressRange?]] = [:]
        placements.reserveCapacity(tree.count)
        for node in tree.nodes {
            placements.append(Self.extent(of: node.region).flatMap { Self.place($0, inParentOf: node.id, tree: tree) })
            if node.region.entries.count > 1 {
                entryPlacements[node.id.index] = node.region.entries.map { Self.place($0.range, inParentOf: node.id, tree: tree) }
            }
        }
        self.placements = placements
        self.entryPlacements = entryPlacements
        problems = StructuralValidation(map: map, tree: tree).problems
        domains = map.domains.map { ResolvedDomain($0, map: map, tree: tree, placements: placements) }
    }

    /// The node of `id`.
    public subscript(id: RegionID) -> RegionTree.Node { tree[id] }

    /// Throws when the map has structural problems.
    ///
    /// - Throws: `RouterError.unroutableMap` listing every problem.
    public func validate() throws(RouterError) {
        if !problems.isEmpty { throw .unroutableMap(problems) }
    }

    /// The view of `initiator` (default: the map's first) under `setting` (default: every
    /// switch at its default), checked against the map: what a `Router` lowers, and what
    /// an exporter or a VMM can check a request against without lowering anything.
    ///
    /// - Throws: `RouterError` when the map has structural problems, the initiator is not
    ///   declared, or the setting names a switch or value the map does not have.
    public func view(initiator: String? = nil, setting: SwitchSetting? = nil) throws(RouterError) -> View {
        try validate()
        if let initiator, !map.initiators.contains(where: { $0.name == initiator }) {
            throw .unknownInitiator(initiator, known: map.initiators.map(\.name), map: map.name)
        }
        var checked = SwitchSetting(defaultsOf: map)
        for (name, value) in (setting?.values ?? [:]).sorted(by: { $0.key < $1.key }) { try checked.set(name, to: value) }
        return View(initiator: initiator ?? map.defaultInitiator, setting: checked)
    }

    /// Where region `id` lands in the root space, translating through every ancestor with the
    /// first matching window (Linux `of_translate_address`) and ignoring switches and
    /// initiators; `nil` where some level cannot translate it.
    public func placement(of id: RegionID) -> AddressRange? { placements[id.index] }

    /// Where each of region `id`'s entries lands in the root space (same rules as
    /// `placement(of:)`), in entry order.
    public func entryPlacements(of id: RegionID) -> [AddressRange?] {
        if let known = entryPlacements[id.index] { return known }
        let entries = tree[id].region.entries
        return entries.count == 1 ? [entries[0].range].map { place($0, inParentOf: id) } : []
    }

    /// The domain named `name`.
    public func domain(named name: String) -> ResolvedDomain? { domains.first { $0.domain.name == name } }

    /// A region's extent in its parent's space: its range, or for a PCIe host the span of
    /// its ECAM and windows, or for a bus without range the span of its windows.
    public func extent(of id: RegionID) -> AddressRange? { Self.extent(of: tree[id].region) }

    static func extent(of region: Region) -> AddressRange? {
        var parts: [AddressRange] = []
        if let host = region.pcie {
            parts = region.entries.map(\.range) + host.windows.map(\.cpuRange)
        } else if let range = region.range {
            return range
        } else if case .windows(let ws) = region.translation {
            parts = ws.map(\.parentRange)
        }
        guard let first = parts.first else { return nil }
        return parts.dropFirst().reduce(first) { $0.span($1) }
    }

    /// Translates a range from the space region `id` lives in (its parent's child space) out
    /// to the root space, through every ancestor; `nil` when some level cannot translate it.
    public func place(_ range: AddressRange, inParentOf id: RegionID) -> AddressRange? {
        Self.place(range, inParentOf: id, tree: tree)
    }

    static func place(_ range: AddressRange, inParentOf id: RegionID, tree: RegionTree) -> AddressRange? {
        var range = range
        var current = tree[id].parent
        while let bus = current {
            guard let moved = translate(range, through: tree[bus].region) else { return nil }
            range = moved
            current = tree[bus].parent
        }
        return range
    }

    /// Translates a range from `bus`'s child space into its parent space (Linux rule: the
    /// first window holding the start address), `nil` when it cannot.
    public func translate(_ range: AddressRange, through bus: RegionID) -> AddressRange? {
        Self.translate(range, through: tree[bus].region)
    }

    static func translate(_ range: AddressRange, through bus: Region) -> AddressRange? {
        switch bus.translation {
        case .identity: return range
        case .none: return nil
        case .windows(let ws):
            guard let w = ws.first(where: { $0.childRange.contains(range.base) }) else { return nil }
            return w.displacement.apply(range)
        }
    }

    /// Every initiator's name, or `[nil]` for a map without initiators: one view each.
    public var initiators: [String?] { map.initiators.isEmpty ? [nil] : map.initiators.map(\.name) }
}

/// One view of a map: whose (the initiator; `nil` when the map declares none) and under
/// which switch setting. `ResolvedMap.view(initiator:setting:)` makes checked ones.
public struct View: Hashable, Sendable {
    /// The initiator.
    public let initiator: String?
    /// The switch setting.
    public let setting: SwitchSetting
}

/// A guest domain with every entry resolved against the host map's placements.
public struct ResolvedDomain: Sendable {
    /// The domain.
    public let domain: Domain
    /// Resolved entries, in declaration order (entries that could not be resolved are left out
    /// and listed in `problems`).
    public let mappings: [Stage2Mapping]
    /// Entries that could not be resolved, and an undeclared initiator.
    public let problems: [MapProblem]

    init(_ declared: Domain, map: AddressMap, tree: RegionTree, placements: [AddressRange?]) {
        var mappings: [Stage2Mapping] = []
        var problems: [MapProblem] = []
        var domain = declared
        if let name = declared.layout {
            if let layout = GuestLayout.named(name) {
                domain = Self.following(layout, declared, tree: tree, placements: placements)
            } else {
                problems.append(
                    MapProblem(
                        .domainEntry, "unknown guest layout '\(name)'" + didYouMeanSuffix(name, among: GuestLayout.all.map(\.name)),
                        path: "domain \(declared.name)", location: declared.location))
            }
        }
        self.domain = domain
        func problem(_ entry: DomainEntry, _ message: String) {
            problems.append(
                MapProblem(.domainEntry, message, path: "domain \(domain.name) / entry \(entry.name)", location: entry.location))
        }
        for (i, e) in domain.entries.enumerated() {
            var hostRange: AddressRange?
            var hostRegion: RegionID?
            if let path = e.host {
                guard let id = tree.resolve(path) else {
                    problem(e, "host region: " + tree.explainUnresolved(path))
                    continue
                }
                guard let placed = placements[id.index] else {
                    problem(e, "host region \(tree[id].path) has no host-physical address (unreachable through its buses)")
                    continue
                }
                hostRegion = id
                hostRange = placed
                if let slice = e.slice {
                    guard let start = placed.base.addingReportingOverflow(slice.offset).overflow ? nil : placed.base + slice.offset,
                        let sliced = AddressRange(base: start, size: slice.size), placed.contains(sliced)
                    else {
                        problem(
                            e, "slice +\(hex(slice.offset)) size \(hex(slice.size)) lies outside host region \(tree[id].path) \(placed)")
                        continue
                    }
                    hostRange = sliced
                }
            }
            let span = hostRange?.sizeMinusOne ?? (e.size.map { $0 &- 1 } ?? 0)
            let base = e.guestBase ?? hostRange?.base ?? 0
            guard !base.addingReportingOverflow(span).overflow else {
                problem(e, "guest range from \(hex(base)) runs past 0xffff_ffff_ffff_ffff")
                continue
            }
            let guest = AddressRange(uncheckedBase: base, last: base + span)
            mappings.append(Stage2Mapping(index: i, entry: e, guest: guest, host: hostRange, hostRegion: hostRegion))
        }
        if let i = domain.initiator, !map.initiators.contains(where: { $0.name == i }) {
            problems.append(
                MapProblem(
                    .domainEntry,
                    "initiator '\(i)' is not declared"
                        + suggestion(for: i, among: map.initiators.map(\.name), none: "the map declares no initiators"),
                    path: "domain \(domain.name)", location: domain.location))
        }
        self.mappings = mappings
        self.problems = problems
    }
}

/// One domain entry resolved: where the guest sees it and the host range behind it.
public struct Stage2Mapping: Sendable {
    /// Position in the domain's entry list.
    public let index: Int
    /// The entry.
    public let entry: DomainEntry
    /// Where the guest sees it (guest-physical).
    public let guest: AddressRange
    /// The host-physical range behind it (`nil` for a guest-only emulated device).
    public let host: AddressRange?
    /// The host region.
    public let hostRegion: RegionID?

    /// The host-physical address stage 2 gives `address`: `nil` when the entry traps (emulated),
    /// has no host backing, or does not hold the address.
    public func hostAddress(for address: GuestPhysicalAddress) -> PhysicalAddress? {
        guard entry.mode != .emulated, let host, let offset = address.offset(from: GuestPhysicalAddress(guest.base)),
            offset <= guest.sizeMinusOne
        else { return nil }
        return PhysicalAddress(host.base &+ offset)
    }
}

extension ResolvedDomain {
    /// `declared` with `layout`'s windows added and its translated RAM placed in the layout's
    /// banks (entries with a `guest-base` keep it).
    static func following(_ layout: GuestLayout, _ declared: Domain, tree: RegionTree, placements: [AddressRange?]) -> Domain {
        var domain = declared
        let gic = tree.ids.contains { tree[$0].region.compatible.contains("arm,gic-v3") } ? 3 : 2
        let ram = domain.entries.indices.filter { i in
            let e = domain.entries[i]
            let kind = e.kind ?? e.host.flatMap { tree.resolve($0) }.map { tree[$0].kind }
            return e.mode == .translated && e.guestBase == nil && kind == .dram
        }
        let sizes = ram.map { i -> UInt64 in
            let e = domain.entries[i]
            if let s = e.slice?.size ?? e.size { return s }
            return e.host.flatMap { tree.resolve($0) }.flatMap { placements[$0.index] }.map { $0.sizeMinusOne &+ 1 } ?? 0
        }
        for (i, base) in zip(ram, layout.ramBases(sizes)) { domain.entries[i].guestBase = base }
        domain.entries += layout.entries(for: domain, gic: gic)
        return domain
    }
}
