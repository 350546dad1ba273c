public import SoCMap

/// What checks look at: the resolved map and every view of it, computed once when the
/// context is made. Immutable and `Sendable`; checks may run on any thread.
public struct CheckContext: Sendable {
    /// A region that decodes addresses itself, with its root-space placement.
    public struct Leaf: Sendable {
        /// The region.
        public let id: RegionID
        /// Where it lands in the root space.
        public let range: AddressRange
    }

    /// The map, expanded and examined.
    public let resolved: ResolvedMap
    /// Whether view rules sweep every switch combination (`--all-switches`) or use the
    /// default setting only.
    public let allSwitches: Bool
    /// Every switch setting when there are at most `maximumSweep`, else only the default.
    public let settings: [SwitchSetting]
    /// Routers for every initiator and setting.
    public let views: [Router]
    /// The views profile rules look at: every initiator with the default setting, or every
    /// view under `--all-switches`.
    public let ruleViews: [Router]
    /// Regions that decode addresses themselves (not containers, aliases or PCIe hosts) and are
    /// enabled, with their root-space placement.
    public let leaves: [Leaf]

    /// Upper bound on switch combinations swept when a check needs every view.
    public static let maximumSweep = 4096

    /// Builds the context and every view the checks need.
    public init(_ resolved: ResolvedMap, allSwitches: Bool = false) {
        self.resolved = resolved
        self.allSwitches = allSwitches
        let map = resolved.map
        let settings =
            SwitchSetting.combinationCount(for: map, limit: Self.maximumSweep) <= Self.maximumSweep
            ? SwitchSetting.all(for: map) : [SwitchSetting(defaultsOf: map)]
        self.settings = settings
        let views = resolved.initiators.flatMap { initiator in
            settings.map { Router(unchecked: resolved, initiator: initiator, setting: $0) }
        }
        self.views = views
        let defaults = SwitchSetting(defaultsOf: map)
        ruleViews =
            allSwitches
            ? views
            : resolved.initiators.map { initiator in
                views.first { $0.initiator == initiator && $0.setting == defaults }
                    ?? Router(unchecked: resolved, initiator: initiator, setting: defaults)
            }
        let tree = resolved.tree
        leaves = tree.nodes.compactMap { n in
            guard ![.bus, .alias, .pcie].contains(n.kind), n.children.isEmpty || n.kind.decodesHoles,
                !n.region.disabled, !tree.ancestors(of: n.id).contains(where: { tree[$0].region.disabled }),
                let placed = resolved.placement(of: n.id)
            else { return nil }
            return Leaf(id: n.id, range: placed)
        }
    }

    /// Builds the context of a map.
    public init(map: AddressMap, allSwitches: Bool = false) {
        self.init(ResolvedMap(map), allSwitches: allSwitches)
    }

    /// The map checked.
    public var map: AddressMap { resolved.map }
    /// Its expanded region tree.
    public var tree: RegionTree { resolved.tree }
    /// Every initiator's name, or `[nil]` for a map without initiators.
    public var initiators: [String?] { resolved.initiators }
    /// The guest domains, resolved.
    public var domains: [ResolvedDomain] { resolved.domains }

    /// Where region `id` lands in the root space (ignoring switches and initiators).
    public func placement(of id: RegionID) -> AddressRange? { resolved.placement(of: id) }

    /// Whether two conditions can hold at once for some setting of the switches they name.
    public func canCoexist(_ a: Condition?, _ b: Condition?) -> Bool {
        guard a != nil || b != nil else { return true }
        let names = Set(((a?.comparisons ?? []) + (b?.comparisons ?? [])).map(\.name))
        let known = map.switches.filter { names.contains($0.name) }.map(\.name)
        let settings = SwitchSetting.all(for: map, switches: known)
        if settings.count > Self.maximumSweep { return true }
        return settings.contains { (a?.evaluate($0) ?? true) && (b?.evaluate($0) ?? true) }
    }

    /// Whether some initiator sees both placements.
    public func shareAnInitiator(_ a: Region, _ b: Region) -> Bool {
        initiators.contains { a.isSeen(by: $0) && b.isSeen(by: $0) }
    }

    /// Describes a view for a finding: `initiator hp, ocm0=low ...`.
    public func describe(_ view: Router) -> String? {
        var parts: [String] = []
        if let i = view.initiator { parts.append("initiator \(i)") }
        if allSwitches && !map.switches.isEmpty { parts.append(view.setting.description) }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}

/// Every pair of items whose ranges share an address, the one with the lower base first (ties
/// in the order given).
///
/// - Complexity: O(n log n + p) for n items and p pairs.
func overlappingPairs<Item>(_ items: [Item], range: (Item) -> AddressRange) -> [(Item, Item)] {
    let sorted = items.enumerated().sorted { (range($0.element).base, $0.offset) < (range($1.element).base, $1.offset) }.map(\.element)
    var pairs: [(Item, Item)] = []
    for i in sorted.indices {
        var j = i + 1
        while j < sorted.count, range(sorted[j]).base <= range(sorted[i]).last {
            pairs.append((sorted[i], sorted[j]))
            j += 1
        }
    }
    return pairs
}
