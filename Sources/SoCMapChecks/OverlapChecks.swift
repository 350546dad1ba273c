import SoCMap

/// Checks about regions that claim the same addresses.
enum OverlapChecks {
    static func siblingOverlaps(_ c: CheckContext) -> [Finding] {
        var findings: [Finding] = []
        for siblings in c.tree.siblingGroups where siblings.count > 1 {
            let entries: [(range: AddressRange, id: RegionID)] = siblings.flatMap { id in
                GenericChecks.parts(c.tree[id].region).map { ($0, id) }
            }
            for (a, b) in overlappingPairs(entries, range: \.range) {
                guard a.id != b.id else { continue }
                let ra = c.tree[a.id].region
                let rb = c.tree[b.id].region
                guard ra.priority == rb.priority, !ra.overlapIntended, !rb.overlapIntended,
                    !ra.disabled, !rb.disabled,
                    c.shareAnInitiator(ra, rb), c.canCoexist(ra.condition, rb.condition)
                else { continue }
                let (early, late) = c.tree[a.id].siblingIndex < c.tree[b.id].siblingIndex ? (a, b) : (b, a)
                findings.append(
                    Finding(
                        "'\(c.tree[late.id].name)' \(late.range) overlaps '\(c.tree[early.id].name)' \(early.range) at equal priority \(ra.priority); the later one wins",
                        region: late.id))
            }
        }
        return findings
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
        var findings: [Finding] = []
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
            findings.append(
                Finding(
                    "CPU \(a.range.intersection(b.range)!) decodes to both \(na.path) \(a.range) and \(nb.path) \(b.range), on different buses",
                    region: b.id))
        }
        return findings
    }

    static func dramHoles(_ c: CheckContext) -> [Finding] {
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
