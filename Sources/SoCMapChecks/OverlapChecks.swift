import SoCMap

/// Checks about regions that claim the same addresses.
enum OverlapChecks {
    /// Equal-priority siblings that overlap, one finding per group of them (maps with
    /// priorities: a device tree's overlaps are `reg-overlap` and `shared-registers`).
    static func siblingOverlaps(_ c: CheckContext) -> [Finding] {
        guard c.map.overlapRule == .priority else { return [] }
        var findings: [Finding] = []
        for siblings in c.tree.siblingGroups where siblings.count > 1 {
            let entries: [(range: AddressRange, id: RegionID)] = siblings.flatMap { id in
                GenericChecks.parts(c.tree[id].region).map { ($0, id) }
            }
            var pairs: [(RegionID, RegionID, AddressRange, AddressRange)] = []
            for (a, b) in overlappingPairs(entries, range: \.range) {
                guard a.id != b.id else { continue }
                let ra = c.tree[a.id].region
                let rb = c.tree[b.id].region
                guard ra.priority == rb.priority, !ra.overlapIntended, !rb.overlapIntended,
                    !ra.disabled, !rb.disabled,
                    c.shareAnInitiator(ra, rb), c.canCoexist(ra.condition, rb.condition)
                else { continue }
                let (early, late) = c.tree[a.id].siblingIndex < c.tree[b.id].siblingIndex ? (a, b) : (b, a)
                pairs.append((early.id, late.id, early.range, late.range))
            }
            for group in groups(pairs.map { ($0.0, $0.1, $0.2.intersection($0.3)!, $0.2 == $0.3) }) {
                if group.units.count == 2, let p = pairs.first(where: { Set([$0.0, $0.1]) == Set(group.units) }) {
                    findings.append(
                        Finding(
                            "'\(c.tree[p.1].name)' \(p.3) overlaps '\(c.tree[p.0].name)' \(p.2) at equal priority \(c.tree[p.1].region.priority); the later one wins",
                            group: [p.0, p.1], range: group.span, region: p.1))
                    continue
                }
                let last = group.units.max { c.tree[$0].siblingIndex < c.tree[$1].siblingIndex }!
                findings.append(
                    Finding(
                        "\(group.units.map { "'\(c.tree[$0].name)'" }.joined(separator: ", ")) overlap in \(group.span) at equal priority; the last declared wins",
                        group: group.units, range: group.span, region: last))
            }
        }
        return findings
    }

    /// Connected groups of overlapping pairs (union-find), each with its units in order, the
    /// span of its overlaps, and whether every pair in it overlapped with identical ranges;
    /// groups in the order of their first unit.
    static func groups(_ pairs: [(RegionID, RegionID, AddressRange, identical: Bool)]) -> [(
        units: [RegionID], span: AddressRange, identical: Bool
    )] {
        var parent: [RegionID: RegionID] = [:]
        func find(_ x: RegionID) -> RegionID {
            var x = x
            while let p = parent[x], p != x { x = p }
            return x
        }
        var span: [RegionID: AddressRange] = [:]
        var identical: [RegionID: Bool] = [:]
        for (a, b, common, same) in pairs {
            for u in [a, b] where parent[u] == nil { parent[u] = u }
            let (ra, rb) = (find(a), find(b))
            let (root, other) = (min(ra, rb), max(ra, rb))
            parent[other] = root
            span[root] = [span[ra], span[rb]].compactMap { $0 }.reduce(common) { $0.span($1) }
            identical[root] = (identical[ra] ?? true) && (identical[rb] ?? true) && same
        }
        var members: [RegionID: [RegionID]] = [:]
        for u in parent.keys.sorted() { members[find(u), default: []].append(u) }
        return members.keys.sorted().map { root in (members[root]!, span[root]!, identical[root]!) }
    }

    /// Leaf regions (and aliases) that some view places but no view lets decode anything. Only
    /// for maps with priorities: in a device tree, a node that another node's `reg` covers is
    /// named beside it at every address (its claims), not hidden.
    static func shadowedRegions(_ c: CheckContext) -> [Finding] {
        guard c.map.overlapRule == .priority else { return [] }
        var placed = Set<RegionID>()
        var visible = Set<RegionID>()
        // Broken aliases (every alias on a cycle is reported) show nothing; they are reported as
        // broken, not as shadowed.
        let broken = Set(c.resolved.problems.filter { $0.kind == .aliasTarget || $0.kind == .aliasCycle }.compactMap(\.region))
        for router in c.views {
            for node in c.tree.nodes where router.placement(of: node.id) != nil { placed.insert(node.id) }
            for s in 0..<router.segmentCount {
                let segment = router.segment(s)
                visible.insert(segment.unit)
                let route = router.route(PhysicalAddress(segment.range.base))!
                for step in router.hops(for: route) { visible.insert(step.hop.region) }
            }
        }
        return placed.subtracting(visible).subtracting(broken).sorted().compactMap { id in
            let region = c.tree[id].region
            guard region.kind != .bus else { return nil }
            // A container whose children decode is visible through them.
            func anyVisible(_ n: RegionID) -> Bool { visible.contains(n) || c.tree[n].children.contains(where: anyVisible) }
            guard !anyVisible(id) else { return nil }
            return Finding("'\(region.name)' is hidden by higher-priority or later siblings in every view where it exists", region: id)
        }
    }

    /// The condition that must hold for a node and all its ancestors.
    static func fullCondition(_ c: CheckContext, _ id: RegionID) -> Condition? {
        ([id] + c.tree.ancestors(of: id)).compactMap { c.tree[$0].region.condition }.reduce(nil) { acc, cond in
            acc.map { .and($0, cond) } ?? cond
        }
    }

    static func decodeConflicts(_ c: CheckContext) -> [Finding] {
        guard c.map.overlapRule == .priority else { return [] }
        var findings: [Finding] = []
        var conflicts: [(RegionID, RegionID, AddressRange, String)] = []
        let leaves = c.leaves.filter { c.tree[$0.id].kind != .reserved }
        for (a, b) in overlappingPairs(leaves, range: \.range) {
            let na = c.tree[a.id]
            let nb = c.tree[b.id]
            guard na.parent != nb.parent else { continue }  // siblings: sibling-overlap
            // Where the branches meet, the two sides' roots decide who wins.
            let chainA = [a.id] + c.tree.ancestors(of: a.id)
            let chainB = [b.id] + c.tree.ancestors(of: b.id)
            guard !chainA.contains(b.id), !chainB.contains(a.id) else { continue }
            let common = chainA.first { chainB.contains($0) }
            let rootA = common.map { cm in chainA[chainA.firstIndex(of: cm)! - 1] } ?? chainA.last!
            let rootB = common.map { cm in chainB[chainB.firstIndex(of: cm)! - 1] } ?? chainB.last!
            let ra = c.tree[rootA].region
            let rb = c.tree[rootB].region
            guard ra.priority == rb.priority, !(chainA + chainB).contains(where: { c.tree[$0].region.overlapIntended }),
                !(chainA + chainB).contains(where: { c.tree[$0].kind == .alias }),
                c.shareAnInitiator(na.region, nb.region), c.canCoexist(fullCondition(c, a.id), fullCondition(c, b.id))
            else { continue }
            conflicts.append((a.id, b.id, a.range.intersection(b.range)!, "\(na.path) \(a.range) and \(nb.path) \(b.range)"))
        }
        // One finding per group of units that decode the same addresses.
        for group in groups(conflicts.map { ($0.0, $0.1, $0.2, false) }) {
            let pair = group.units.count == 2 ? conflicts.first { Set([$0.0, $0.1]) == Set(group.units) } : nil
            let text =
                pair.map { "CPU \($0.2) decodes to both \($0.3), on different buses" }
                ?? "CPU \(group.span) decodes to \(group.units.map { c.tree[$0].path }.joined(separator: ", ")), on different buses"
            findings.append(Finding(text, group: group.units, range: group.span, region: pair?.1 ?? group.units.last!))
        }
        return findings
    }

    static func dramHoles(_ c: CheckContext) -> [Finding] {
        guard c.map.overlapRule == .priority else { return [] }
        var findings: [Finding] = []
        for r in c.ruleViews {
            for node in c.tree.nodes where node.kind == .dram {
                guard let placed = r.placement(of: node.id) else { continue }
                for s in r.segments where s.range.overlaps(placed) && s.unit != node.id {
                    let other = c.tree[s.unit]
                    guard other.kind != .reserved, !c.tree.ancestors(of: s.unit).contains(node.id) else { continue }
                    findings.append(
                        Finding(
                            "DRAM bank \(node.path) \(placed) has a hole at \(s.range.intersection(placed)!) where \(other.path) decodes",
                            region: node.id,
                            view: c.describe(r)))
                }
            }
        }
        return findings
    }
}
