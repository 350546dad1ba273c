public import SoCMap

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
    public func run(on map: AddressMap) -> [Diagnostic] {
        run(in: CheckContext(map: map, allSwitches: allSwitches))
    }

    /// Runs the checks on a resolved map.
    public func run(on resolved: ResolvedMap) -> [Diagnostic] {
        run(in: CheckContext(resolved, allSwitches: allSwitches))
    }

    /// The checks in the order they run: table order, except that a check's prerequisites
    /// (those in the table) run before it.
    public var runOrder: [Check] {
        var order: [Check] = []
        var placed = Set<String>()
        let inTable = Set(checks.map(\.id))
        func visit(_ check: Check) {
            guard inTable.contains(check.id), placed.insert(check.id).inserted else { return }
            check.prerequisites.forEach(visit)
            order.append(checks.first { $0.id == check.id } ?? check)
        }
        checks.forEach(visit)
        return order
    }

    /// Runs the checks on a context the caller also uses (its tree and views are built once).
    public func run(in context: CheckContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var failed = Set<String>()
        for check in runOrder {
            let severity: Severity
            if let override = overrides[check.id] {
                guard let s = override else { continue }
                severity = s
            } else {
                severity = check.severity
            }
            if let blocker = check.prerequisites.first(where: { failed.contains($0.id) }) {
                diagnostics.append(
                    Diagnostic(.warning, check.id, "not run: its prerequisite '\(blocker.id)' reported errors; fix those first"))
                failed.insert(check.id)
                continue
            }
            let userSeverity = overrides[check.id] != nil
            let found = Self.mergeViews(check.run(context)).map { finding -> Diagnostic in
                let node = finding.region.map { context.tree[$0] }
                var d = Diagnostic(
                    userSeverity ? severity : finding.severity ?? severity, check.id, finding.message,
                    at: finding.location ?? node?.region.location, path: finding.path ?? node?.path, view: finding.view)
                d.group = finding.group.map { context.tree[$0].path }
                d.range = finding.range
                return d
            }
            if found.contains(where: { $0.severity == .error }) { failed.insert(check.id) }
            diagnostics += found.sorted {
                ($0.location?.line ?? 0, $0.location?.column ?? 0) < ($1.location?.line ?? 0, $1.location?.column ?? 0)
            }
        }
        return Self.oneForEachGroup(diagnostics)
    }

    /// One diagnostic per problem: when several checks report the same group of units over the
    /// same range (a generic overlap and a profile's rule for that place), the most severe is
    /// kept (the first of those).
    package static func oneForEachGroup(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        struct Key: Hashable {
            let units: [String]
            let base: UInt64
            let last: UInt64
        }
        func key(_ d: Diagnostic) -> Key? {
            guard !d.group.isEmpty, let r = d.range else { return nil }
            return Key(units: d.group.sorted(), base: r.base, last: r.last)
        }
        var best: [Key: Int] = [:]
        for (i, d) in diagnostics.enumerated() {
            guard let k = key(d) else { continue }
            if let j = best[k], diagnostics[j].severity >= d.severity { continue }
            best[k] = i
        }
        return diagnostics.enumerated().filter { i, d in key(d).map { best[$0] == i } ?? true }.map(\.element)
    }

    /// One finding per (region, message), listing every view it holds in.
    static func mergeViews(_ findings: [Finding]) -> [Finding] {
        var order: [String] = []
        var first: [String: Finding] = [:]
        var views: [String: [String]] = [:]
        for f in findings {
            let key = "\(f.region?.index ?? -1)|\(f.path ?? "")|\(f.message)"
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
