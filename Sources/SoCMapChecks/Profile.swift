public import SoCMap

/// A layout profile: the rules of one SoC family, run by the same engine as the generic checks.
public struct Profile: Sendable {
    /// The name used by `profile:` and `--profile`.
    public let name: String
    /// What it checks, for people.
    public let doc: String
    /// Root `compatible` prefixes that select it for imported device trees.
    public let compatiblePrefixes: [String]
    /// Its rules.
    public let checks: [Check]

    /// Every profile socmap knows.
    public static let all: [Profile] = [
        ZynqProfile.profile, ZynqMPProfile.profile, JunoProfile.profile, QEMUVirtProfile.profile, X86PCProfile.profile,
    ]

    /// The profile named `name`.
    public static func named(_ name: String) -> Profile? { all.first { $0.name == name } }

    /// The profile for a map: its `profile:`, else the first profile whose compatible prefix
    /// matches one of the map's root `compatible` strings.
    public static func `for`(_ map: AddressMap) -> Profile? {
        if let name = map.profile { return named(name) }
        return matching(map)?.profile
    }

    /// The first profile one of whose compatible prefixes starts one of the map's root
    /// `compatible` strings (in the order the map lists them), with that string.
    public static func matching(_ map: AddressMap) -> (profile: Profile, compatible: String)? {
        for c in map.compatible {
            if let p = all.first(where: { $0.compatiblePrefixes.contains { c.hasPrefix($0) } }) { return (p, c) }
        }
        return nil
    }
}

/// Building blocks for profile rules; each returns findings for a `Check`.
enum Rules {
    /// Regions placed above `2^bits - 1`.
    static func addressLimit(_ c: CheckContext, bits: Int) -> [Finding] {
        let limit: UInt64 = bits >= 64 ? .max : (1 << UInt64(bits)) - 1
        return c.leaves.compactMap { leaf in
            leaf.range.last > limit
                ? Finding("\(leaf.range) lies above the \(bits)-bit physical address limit \(hex(limit))", region: leaf.id) : nil
        }
    }

    /// Leaves of the given kinds that overlap `area` must lie inside one of `windows`.
    static func insideWindows(
        _ c: CheckContext, kinds: Set<RegionKind>, area: AddressRange, windows: [(String, AddressRange)], what: String
    ) -> [Finding] {
        c.leaves.compactMap { leaf in
            let kind = c.tree[leaf.id].region.kind
            guard kinds.contains(kind), leaf.range.overlaps(area), !windows.contains(where: { $0.1.contains(leaf.range) }) else {
                return nil
            }
            let touched = windows.filter { $0.1.overlaps(leaf.range) }.map(\.0)
            let how =
                touched.count > 1
                ? "straddles \(touched.joined(separator: " and "))" : "is not inside any of \(windows.map(\.0).joined(separator: ", "))"
            return Finding("\(what) \(leaf.range) \(how)", region: leaf.id)
        }
    }

    /// No decoding leaf may sit in the given holes.
    static func noneInHoles(_ c: CheckContext, holes: [AddressRange], what: String) -> [Finding] {
        c.leaves.compactMap { leaf in
            let region = c.tree[leaf.id].region
            guard region.kind != .reserved, let hole = holes.first(where: { $0.overlaps(leaf.range) }) else { return nil }
            return Finding("\(leaf.range) lies in the \(what) \(hole)", region: leaf.id)
        }
    }

    /// In every view of `initiator`, each segment must decode to one of `kinds` (or a reserved hole).
    static func reach(_ c: CheckContext, initiator: String, kinds: Set<RegionKind>, what: String) -> [Finding] {
        guard c.map.initiators.contains(where: { $0.name == initiator }) else { return [] }
        var findings: [Finding] = []
        for r in c.ruleViews where r.initiator == initiator {
            for s in r.segments {
                let region = r[s.unit].region
                let allowed = region.kind == .reserved || (s.target == .region && kinds.contains(region.kind))
                guard !allowed else { continue }
                findings.append(
                    Finding(
                        "\(initiator) reaches \(r[s.unit].path) (\(region.kind.rawValue)) at \(s.range); \(what)", region: s.unit,
                        view: c.describe(r)))
            }
        }
        return findings
    }

    /// In every view of the given initiators, no address inside `area` may decode to `kinds`.
    static func neverDecodes(_ c: CheckContext, initiators: (String?) -> Bool, area: AddressRange, kinds: Set<RegionKind>, what: String)
        -> [Finding]
    {
        var findings: [Finding] = []
        for r in c.ruleViews where initiators(r.initiator) {
            for s in r.segments where s.range.overlaps(area) && s.target == .region && kinds.contains(r[s.unit].region.kind) {
                findings.append(
                    Finding(
                        "\(r.initiator ?? "the CPU") sees \(r[s.unit].path) at \(s.range.intersection(area)!); \(what)", region: s.unit,
                        view: c.describe(r)))
            }
        }
        return findings
    }

    /// Leaves of `kinds` that cross a `slot`-sized boundary without starting on one.
    static func slotted(_ c: CheckContext, area: AddressRange, slot: UInt64, kinds: Set<RegionKind>, what: String) -> [Finding] {
        c.leaves.compactMap { leaf in
            guard kinds.contains(c.tree[leaf.id].region.kind), area.contains(leaf.range.base) else { return nil }
            let aligned = leaf.range.base % slot == 0
            let oneSlot = leaf.range.base / slot == leaf.range.last / slot
            guard !aligned && !oneSlot else { return nil }
            return Finding(
                "\(leaf.range) in the \(what) neither starts on a \(hex(slot)) boundary nor stays inside one \(hex(slot)) slot",
                region: leaf.id)
        }
    }

    /// DRAM leaves.
    static func dram(_ c: CheckContext) -> [CheckContext.Leaf] {
        c.leaves.filter { c.tree[$0.id].region.kind == .dram && !c.tree[$0.id].region.compatible.contains("pmem-region") }
    }

    /// PCIe host windows and ECAMs with their host-physical placement.
    static func pcieParts(_ c: CheckContext) -> [(id: RegionID, what: String, space: PCISpace?, range: AddressRange)] {
        c.tree.ids.flatMap { id -> [(id: RegionID, what: String, space: PCISpace?, range: AddressRange)] in
            guard let host = c.tree[id].region.pcie else { return [] }
            // Each part goes through the host's ancestors like the host itself.
            func place(_ r: AddressRange) -> AddressRange? { c.resolved.place(r, inParentOf: id) }
            var parts: [(id: RegionID, what: String, space: PCISpace?, range: AddressRange)] = []
            if let e = c.tree[id].region.ecam, let p = place(e) { parts.append((id, "ECAM", nil, p)) }
            for w in host.windows { if let p = place(w.cpuRange) { parts.append((id, "\(w.space.rawValue) window", w.space, p)) } }
            return parts
        }
    }

    static func range(_ base: UInt64, _ last: UInt64) -> AddressRange { AddressRange(base: base, last: last)! }
}
