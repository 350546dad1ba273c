/// A rule with a stable id, a default severity and a one-line doc, as data (like dtc's
/// `checks.c` table). Profiles for SoC families add more checks to the same engine.
public struct Check: Sendable {
    /// Stable id, used in diagnostics and to switch the check on or off.
    public let id: String
    /// Default severity of its findings.
    public let severity: Severity
    /// One line saying what it finds.
    public let doc: String
    /// Ids of checks that must pass first; a failed prerequisite is reported, not hidden.
    public let prerequisites: [String]
    /// Produces the findings; the engine stamps `id` and `severity` on them.
    public let run: @Sendable (CheckContext) -> [Finding]

    /// Creates a check.
    public init(id: String, severity: Severity, doc: String, prerequisites: [String] = [], run: @escaping @Sendable (CheckContext) -> [Finding]) {
        self.id = id
        self.severity = severity
        self.doc = doc
        self.prerequisites = prerequisites
        self.run = run
    }
}

/// What a check function reports: a message about a region.
public struct Finding: Sendable {
    /// One line.
    public var message: String
    /// The region concerned (node index), for its path and location.
    public var region: Int?
    /// An explicit location, when it is not the region's.
    public var location: SourceLocation?
    /// The view in which it holds, when that matters.
    public var view: String?
    /// An explicit path, when the culprit is no region (`domain domU1 / entry ram`).
    public var path: String?

    /// Creates a finding.
    public init(_ message: String, region: Int? = nil, location: SourceLocation? = nil, view: String? = nil, path: String? = nil) {
        self.message = message
        self.region = region
        self.location = location
        self.view = view
        self.path = path
    }
}

/// What checks look at: the map, its expanded tree, and (built on demand) its views.
public final class CheckContext: @unchecked Sendable {
    /// The map checked.
    public let map: SoCMap
    /// Its expanded region tree.
    public let tree: RegionTree
    /// Upper bound on switch combinations swept when a check needs every view.
    public static let maximumSweep = 4096

    /// Whether view rules sweep every switch combination (`--all-switches`) or use the
    /// default setting only.
    public let allSwitches: Bool

    /// Creates a context.
    public init(map: SoCMap, allSwitches: Bool = false) {
        self.map = map
        self.allSwitches = allSwitches
        tree = RegionTree(map: map)
    }

    /// The views profile rules look at: every initiator with the default setting, or with every
    /// switch combination under `--all-switches` (capped at `maximumSweep`).
    public private(set) lazy var ruleViews: [Router] = {
        allSwitches ? views : initiators.map { Router(tree: tree, initiator: $0, setting: SwitchSetting(map: map)) }
    }()

    /// Regions that decode addresses themselves (not containers, aliases or PCIe hosts), with
    /// their root-space placement.
    public private(set) lazy var leaves: [(id: Int, range: AddressRange)] = {
        tree.nodes.indices.compactMap { id in
            let n = tree.nodes[id]
            guard ![.bus, .alias, .pcie].contains(n.region.kind), n.children.isEmpty || n.region.kind.decodesHoles,
                !n.region.disabled, !tree.ancestors(of: id).contains(where: { tree.nodes[$0].region.disabled }),
                let placed = staticPlacements[id]
            else { return nil }
            return (id, placed)
        }
    }()



    /// Every initiator's name, or `[nil]` for a map without initiators.
    public var initiators: [String?] { map.initiators.isEmpty ? [nil] : map.initiators.map(\.name) }

    /// Every switch setting when there are at most `maximumSweep`, else only the default.
    public private(set) lazy var settings: [SwitchSetting] = {
        let count = map.switches.reduce(1) { $0 > Self.maximumSweep ? $0 : $0 * max($1.values.count, 1) }
        return count <= Self.maximumSweep ? SwitchSetting.all(for: map) : [SwitchSetting(map: map)]
    }()

    /// Routers for every initiator and setting.
    public private(set) lazy var views: [Router] = {
        initiators.flatMap { initiator in settings.map { Router(tree: tree, initiator: initiator, setting: $0) } }
    }()

    /// Each node's range in the root space, translating through every ancestor with the
    /// first matching window and ignoring switches and initiators; `nil` where a level
    /// cannot translate it.
    public private(set) lazy var staticPlacements: [AddressRange?] = {
        tree.nodes.indices.map { id in extent(of: id).flatMap { place($0, inParentOf: id) } }
    }()

    /// Translates a range from the space node `id` lives in (its parent's child space) out to
    /// the root space, through every ancestor with the first matching window; `nil` when some
    /// level cannot translate it.
    public func place(_ range: AddressRange, inParentOf id: Int) -> AddressRange? {
        var range = range
        for ancestor in tree.ancestors(of: id) {
            guard let moved = translate(range, through: ancestor) else { return nil }
            range = moved
        }
        return range
    }

    /// A node's extent in its parent's space: its range, or for a PCIe host the span of
    /// its ECAM and windows, or for a bus without range the span of its windows.
    public func extent(of id: Int) -> AddressRange? {
        let region = tree.nodes[id].region
        if let range = region.range { return range }
        var parts: [AddressRange] = []
        if let host = region.pcie {
            parts = (host.ecam.map { [$0] } ?? []) + host.windows.map(\.cpuRange)
        } else if case let .windows(ws) = region.translation {
            parts = ws.map(\.parentRange)
        }
        guard let first = parts.first else { return nil }
        return parts.dropFirst().reduce(first) { AddressRange(uncheckedBase: min($0.base, $1.base), last: max($0.last, $1.last)) }
    }

    /// Translates a range from `bus`'s child space into its parent space (Linux rule:
    /// the first window holding the start address), `nil` when it cannot.
    public func translate(_ range: AddressRange, through bus: Int) -> AddressRange? {
        switch tree.nodes[bus].region.translation {
        case .identity: return range
        case .none: return nil
        case let .windows(ws):
            guard let w = ws.first(where: { $0.childRange.contains(range.base) }) else { return nil }
            return w.displacement.apply(range)
        }
    }

    /// Every domain resolved against the host map, in declaration order.
    public private(set) lazy var guests: [(domain: Domain, mappings: [GuestRouter.Mapping], problems: [(entry: Int, message: String)])] = {
        map.domains.map { d in
            let r = GuestRouter.resolve(d, in: self)
            return (d, r.mappings, r.problems)
        }
    }()

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

}

/// Runs checks and turns their findings into located diagnostics.
public struct CheckEngine: Sendable {
    /// The checks, in report order.
    public var checks: [Check]
    /// Severity overrides by check id; `nil` value disables the check.
    public var overrides: [String: Severity?] = [:]

    /// An engine with the generic checks.
    public init(checks: [Check] = GenericChecks.all + DomainChecks.all) { self.checks = checks }

    /// Sweep every switch combination for view rules (`--all-switches`).
    public var allSwitches = false

    /// An engine with the generic and domain checks plus a profile's rules.
    public init(profile: Profile?) {
        checks = GenericChecks.all + DomainChecks.all + (profile?.checks ?? [])
    }

    /// Runs every enabled check on `map`, in table order; findings of one check are sorted
    /// by file position. A check whose prerequisite reported an error does not run, and says
    /// so in a diagnostic of its own instead of staying silent.
    public func run(on map: SoCMap) -> [Diagnostic] {
        run(in: CheckContext(map: map, allSwitches: allSwitches))
    }

    /// Runs the checks on a context the caller also uses (its tree and views are built once).
    public func run(in context: CheckContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var failed = Set<String>()
        for check in checks {
            let severity: Severity
            if let override = overrides[check.id] {
                guard let s = override else { continue }
                severity = s
            } else {
                severity = check.severity
            }
            if let blocker = check.prerequisites.first(where: failed.contains) {
                diagnostics.append(Diagnostic(.warning, check.id, "not run: its prerequisite '\(blocker)' reported errors; fix those first"))
                failed.insert(check.id)
                continue
            }
            let found = Self.mergeViews(check.run(context)).map { finding -> Diagnostic in
                let node = finding.region.map { context.tree.nodes[$0] }
                return Diagnostic(severity, check.id, finding.message, at: finding.location ?? node?.region.location, path: finding.path ?? node?.path, view: finding.view)
            }
            if found.contains(where: { $0.severity == .error }) { failed.insert(check.id) }
            diagnostics += found.sorted { ($0.location?.line ?? 0, $0.location?.column ?? 0) < ($1.location?.line ?? 0, $1.location?.column ?? 0) }
        }
        return diagnostics
    }

    /// One finding per (region, message), listing every view it holds in.
    static func mergeViews(_ findings: [Finding]) -> [Finding] {
        var order: [String] = []
        var first: [String: Finding] = [:]
        var views: [String: [String]] = [:]
        for f in findings {
            let key = "\(f.region ?? -1)|\(f.path ?? "")|\(f.message)"
            if first[key] == nil {
                order.append(key)
                first[key] = f
            }
            if let v = f.view, !(views[key] ?? []).contains(v) { views[key, default: []].append(v) }
        }
        return order.map { key in
            var f = first[key]!
            if let list = views[key], !list.isEmpty { f.view = list.joined(separator: "; ") }
            return f
        }
    }
}
