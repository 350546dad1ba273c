public import SoCMap

/// What differs between two maps (or device trees) as address maps: units added, removed,
/// renamed (same place and kind, another path), moved, resized, of another kind, switched on or
/// off, or with other `ranges` windows. Units are every region with the host-physical place
/// it resolves to (Linux's rules for device trees), matched by path, then what is left by place
/// and kind.
public struct MapDiff: Sendable {
    /// One unit as the diff sees it.
    public struct Unit: Hashable, Sendable {
        public let path: String
        public let kind: RegionKind
        public let range: AddressRange?
        public let disabled: Bool
        /// The translation windows, as text (`nil`: identity or none).
        public let windows: String?
        /// Where each `reg` entry lands, for units with several.
        public let entries: [AddressRange?]
    }

    /// One difference.
    public enum Change: Hashable, Sendable {
        case added(Unit)
        case removed(Unit)
        case renamed(from: Unit, to: Unit)
        /// The same path, with what changed (`moved`, `resized`, `kind`, `status`, `windows`, `reg`).
        case changed(from: Unit, to: Unit, what: [String])
    }

    public let changes: [Change]

    /// Every region of `map` with its place.
    public static func units(_ map: ResolvedMap) -> [Unit] {
        units(map.tree, placement: map.placement(of:), entries: map.entryPlacements(of:))
    }

    /// Every region of a view with where the view places it (`nil`: not seen by the view's
    /// initiator, or switched off by its setting).
    public static func units(in router: Router) -> [Unit] {
        units(router.tree, placement: router.placement(of:), entries: router.entryPlacements(of:))
    }

    static func units(
        _ tree: RegionTree, placement: (RegionID) -> AddressRange?, entries placements: (RegionID) -> [AddressRange?]
    ) -> [Unit] {
        tree.nodes.map { n in
            var windows: String?
            if case .windows(let w) = n.region.translation {
                windows = w.map { "\($0.childRange)->\(hex($0.parentRange.base))" }.joined(separator: " ")
            }
            let disabled = n.region.disabled || tree.ancestors(of: n.id).contains { tree[$0].region.disabled }
            let entries = n.region.entries.count > 1 ? placements(n.id) : []
            return Unit(
                path: n.path, kind: n.kind, range: placement(n.id) ?? entries.compactMap { $0 }.first, disabled: disabled,
                windows: windows, entries: entries)
        }
    }

    /// The differences from `old` to `new`, every region at its place in the root space.
    public init(_ old: ResolvedMap, _ new: ResolvedMap) { self.init(units: Self.units(old), Self.units(new)) }

    /// The differences between two views (an initiator and a switch setting on each side).
    public init(_ old: Router, _ new: Router) { self.init(units: Self.units(in: old), Self.units(in: new)) }

    /// The differences between two lists of units: matched by path, then by place and kind.
    public init(units a: [Unit], _ b: [Unit]) {
        let byPath = Dictionary(b.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        var changes: [Change] = []
        var matched = Set<String>()
        var gone: [Unit] = []
        for u in a {
            guard let v = byPath[u.path] else {
                gone.append(u)
                continue
            }
            matched.insert(v.path)
            var what: [String] = []
            if u.range?.base != v.range?.base { what.append("moved") }
            if u.range?.sizeMinusOne != v.range?.sizeMinusOne { what.append("resized") }
            if u.kind != v.kind { what.append("kind") }
            if u.disabled != v.disabled { what.append("status") }
            if u.windows != v.windows { what.append("windows") }
            if u.entries != v.entries && !what.contains("moved") && !what.contains("resized") { what.append("reg") }
            if !what.isEmpty { changes.append(.changed(from: u, to: v, what: what)) }
        }
        var fresh = b.filter { !matched.contains($0.path) }
        for u in gone {
            if let i = fresh.firstIndex(where: { $0.range != nil && $0.range == u.range && $0.kind == u.kind }) {
                changes.append(.renamed(from: u, to: fresh.remove(at: i)))
            } else {
                changes.append(.removed(u))
            }
        }
        changes += fresh.map(Change.added)
        self.changes = changes.sorted { Self.order($0) < Self.order($1) }
    }

    static func order(_ c: Change) -> (UInt64, String) {
        switch c {
        case .added(let u), .removed(let u), .renamed(let u, _), .changed(let u, _, _): return (u.range?.base ?? .max, u.path)
        }
    }

    static func text(_ u: Unit) -> String {
        "\(u.path) (\(u.kind.rawValue))" + (u.range.map { " \($0)" } ?? " (not placed)") + (u.disabled ? " disabled" : "")
    }

    /// Like a unified diff of units: `- removed`, `+ added`, `~ changed: what`, `> renamed`.
    public func text(old: String, new: String) -> String {
        var lines = ["--- \(old)", "+++ \(new)"]
        for c in changes {
            switch c {
            case .added(let u): lines.append("+ " + Self.text(u))
            case .removed(let u): lines.append("- " + Self.text(u))
            case .renamed(let u, let v): lines.append("> \(u.path) -> \(v.path) (\(v.kind.rawValue)) \(v.range.map { "\($0)" } ?? "")")
            case .changed(let u, let v, let what):
                var parts: [String] = []
                if what.contains("moved") || what.contains("resized") {
                    parts.append("\(u.range.map { "\($0)" } ?? "not placed") -> \(v.range.map { "\($0)" } ?? "not placed")")
                }
                if what.contains("kind") { parts.append("kind \(u.kind.rawValue) -> \(v.kind.rawValue)") }
                if what.contains("status") { parts.append(v.disabled ? "disabled" : "enabled") }
                if what.contains("windows") { parts.append("windows \(u.windows ?? "none") -> \(v.windows ?? "none")") }
                if what.contains("reg") {
                    func list(_ e: [AddressRange?]) -> String { e.map { $0.map { "\($0)" } ?? "not placed" }.joined(separator: " ") }
                    parts.append("reg \(list(u.entries)) -> \(list(v.entries))")
                }
                // A decoded diff pairs spans by place, so the two sides may have other names.
                let name = u.path == v.path ? u.path : "\(u.path) (\(v.path))"
                lines.append("~ \(name) \(what.joined(separator: ", ")): \(parts.joined(separator: "; "))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The changes as JSON (docs/json.md).
    public var json: JSON {
        func unit(_ u: Unit) -> JSON {
            var pairs: [(String, JSON)] = [("path", .string(u.path)), ("kind", .string(u.kind.rawValue))]
            if let r = u.range { pairs += [("base", .address(r.base)), ("last", .address(r.last))] }
            if u.disabled { pairs.append(("disabled", .bool(true))) }
            return .object(pairs)
        }
        return .array(
            changes.map { c in
                switch c {
                case .added(let u): return .object([("change", .string("added")), ("new", unit(u))])
                case .removed(let u): return .object([("change", .string("removed")), ("old", unit(u))])
                case .renamed(let u, let v): return .object([("change", .string("renamed")), ("old", unit(u)), ("new", unit(v))])
                case .changed(let u, let v, let what):
                    return .object([
                        ("change", .string("changed")), ("what", .array(what.map(JSON.string))), ("old", unit(u)), ("new", unit(v)),
                    ])
                }
            })
    }
}
