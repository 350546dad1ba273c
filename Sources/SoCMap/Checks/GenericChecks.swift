/// The checks every map gets, whatever its SoC family.
public enum GenericChecks {
    /// All generic checks, in report order.
    public static let all: [Check] = [
        Check(id: "duplicate-name", severity: .error, doc: "two siblings share a name, so region paths are ambiguous", run: duplicateNames),
        Check(id: "unknown-initiator", severity: .error, doc: "seen-by names an initiator the map does not declare", run: unknownInitiators),
        Check(id: "unknown-switch", severity: .error, doc: "a when condition names an undeclared switch or a value the switch cannot take", run: unknownSwitches),
        Check(id: "alias-target", severity: .error, doc: "an alias names no region, or a name that is not unique", run: aliasTargets),
        Check(id: "alias-cycle", severity: .error, doc: "an alias reaches itself through its target's subtree", run: aliasCycles),
        Check(id: "sibling-overlap", severity: .error, doc: "equal-priority siblings overlap in some view without 'overlap: intended'", run: siblingOverlaps),
        Check(id: "outside-window", severity: .error, doc: "a child's start address lies in none of its parent's ranges windows", run: outsideWindows),
        Check(id: "window-straddle", severity: .warning, doc: "a child starts inside a ranges window but runs past its end (Linux translates the start only)", run: windowStraddles),
        Check(id: "outside-parent", severity: .error, doc: "a child, after translation, lies partly or wholly outside its parent's range", run: outsideParents),
        Check(id: "address-bits", severity: .error, doc: "a region reaches above 2^address-bits", run: addressBits),
        Check(id: "window-alignment", severity: .error, doc: "a pl-window, ECAM or PCIe window is not aligned to its size's natural alignment", run: windowAlignment),
        Check(id: "ranges-overlap", severity: .warning, doc: "two ranges windows of one bus overlap on the parent side", run: rangesOverlaps),
        Check(id: "pcie-bus-range", severity: .error, doc: "the ECAM size does not match bus-range (1 MiB per bus)", run: pcieBusRange),
        Check(id: "pcie-window-overlap", severity: .error, doc: "PCIe windows overlap each other or the ECAM", run: pcieWindowOverlaps),
        Check(id: "empty-bus", severity: .warning, doc: "a bus has no children", run: emptyBuses),
        Check(id: "shadowed", severity: .warning, doc: "a region is hidden by higher-priority siblings in every view where it exists", run: shadowedRegions),
        Check(id: "unused-switch", severity: .warning, doc: "no condition mentions a declared switch", run: unusedSwitches),
        Check(id: "decode-conflict", severity: .error, doc: "one CPU address decodes to two units on different buses at equal priority (after translation)", prerequisites: ["alias-cycle"], run: decodeConflicts),
        Check(id: "dram-hole", severity: .warning, doc: "something other than a reserved carve-out punches a hole into a DRAM bank", run: dramHoles),
        Check(id: "unit-address", severity: .warning, doc: "a bus child's @unit differs from its first reg address (dtc simple_bus_reg: untranslated string)", run: unitAddresses),
    ]

    /// Checks whose errors make a map unusable for decoding and views (broken references and
    /// names): `decode` and `show` refuse such a map as bad input, `check` reports them.
    public static var structural: [Check] {
        let ids: Set<String> = ["duplicate-name", "unknown-initiator", "unknown-switch", "alias-target", "alias-cycle"]
        return all.filter { ids.contains($0.id) }
    }

    static func name(_ c: CheckContext, _ id: Int) -> String { c.tree.nodes[id].path }

    static func duplicateNames(_ c: CheckContext) -> [Finding] {
        var findings: [Finding] = []
        var groups = [c.tree.roots] + c.tree.nodes.map(\.children)
        groups.removeAll { $0.count < 2 }
        for siblings in groups {
            var seen: [String: Int] = [:]
            for id in siblings {
                let name = c.tree.nodes[id].region.name
                if let first = seen[name] {
                    findings.append(Finding("a sibling named '\(name)' is already declared at \(c.tree.nodes[first].region.location?.description ?? "an earlier entry")", region: id))
                } else {
                    seen[name] = id
                }
            }
        }
        return findings
    }

    static func unknownInitiators(_ c: CheckContext) -> [Finding] {
        let known = c.map.initiators.map(\.name)
        return c.tree.nodes.indices.flatMap { id -> [Finding] in
            (c.tree.nodes[id].region.seenBy ?? []).filter { !known.contains($0) }.map { name in
                Finding("seen-by names unknown initiator '\(name)'" + suggestion(for: name, among: known, none: "the map declares no initiators"), region: id)
            }
        }
    }

    static func unknownSwitches(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.indices.flatMap { id -> [Finding] in
            guard let condition = c.tree.nodes[id].region.condition else { return [] }
            return condition.comparisons.compactMap { name, value in
                guard let s = c.map.switchNamed(name) else {
                    var text = "condition names unknown switch '\(name)'"
                    if let guess = didYouMean(name, among: c.map.switches.map(\.name)) { text += "; did you mean '\(guess)'?" }
                    return Finding(text, region: id)
                }
                guard s.values.contains(value) else {
                    var text = "switch '\(name)' cannot be '\(value)' (values: \(s.values.joined(separator: ", ")))"
                    if let guess = didYouMean(value, among: s.values) { text += "; did you mean '\(guess)'?" }
                    return Finding(text, region: id)
                }
                return nil
            }
        }
    }

    static func aliasTargets(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.indices.compactMap { id in
            guard let alias = c.tree.nodes[id].region.alias, c.tree.resolve(alias.path) == nil else { return nil }
            var text = "alias target: " + c.tree.explainUnresolved(alias.path)
            if !alias.path.hasPrefix("/"), let guess = didYouMean(alias.path, among: c.tree.allNames) { text += "; did you mean '\(guess)'?" }
            return Finding(text, region: id)
        }
    }

    /// Aliases whose target subtree holds an alias that leads back to them.
    static func aliasCycles(_ c: CheckContext) -> [Finding] {
        func subtree(_ id: Int) -> [Int] { [id] + c.tree.nodes[id].children.flatMap(subtree) }
        var edges: [Int: [Int]] = [:]
        for id in c.tree.nodes.indices {
            guard let alias = c.tree.nodes[id].region.alias, let target = c.tree.resolve(alias.path) else { continue }
            edges[id] = subtree(target).filter { c.tree.nodes[$0].region.kind == .alias }
        }
        var findings: [Finding] = []
        for start in edges.keys.sorted() {
            // Depth-first search for a path back to `start`.
            var stack: [(Int, [Int])] = [(start, [start])]
            var visited: Set<Int> = []
            search: while let (node, path) = stack.popLast() {
                for next in edges[node] ?? [] {
                    if next == start {
                        findings.append(Finding("alias reaches itself: " + (path + [start]).map { name(c, $0) }.joined(separator: " -> "), region: start))
                        break search
                    }
                    if visited.insert(next).inserted { stack.append((next, path + [next])) }
                }
            }
        }
        return findings
    }

    /// The parts of a region that occupy its parent's child space.
    static func parts(_ c: CheckContext, _ id: Int) -> [AddressRange] {
        let region = c.tree.nodes[id].region
        if let host = region.pcie { return (host.ecam.map { [$0] } ?? []) + host.windows.map(\.cpuRange) }
        if let range = region.range { return [range] }
        if case let .windows(ws) = region.translation { return ws.map(\.parentRange) }
        return []
    }

    static func siblingOverlaps(_ c: CheckContext) -> [Finding] {
        var findings: [Finding] = []
        for siblings in [c.tree.roots] + c.tree.nodes.map(\.children) where siblings.count > 1 {
            var entries: [(range: AddressRange, id: Int)] = siblings.flatMap { id in parts(c, id).map { ($0, id) } }
            entries.sort { $0.range.base < $1.range.base }
            for i in entries.indices {
                var j = i + 1
                while j < entries.count, entries[j].range.base <= entries[i].range.last {
                    let a = entries[i], b = entries[j]
                    j += 1
                    guard a.id != b.id else { continue }
                    let ra = c.tree.nodes[a.id].region, rb = c.tree.nodes[b.id].region
                    guard ra.priority == rb.priority, !ra.overlapIntended, !rb.overlapIntended,
                        !ra.disabled, !rb.disabled,
                        c.shareAnInitiator(ra, rb), c.canCoexist(ra.condition, rb.condition)
                    else { continue }
                    let (early, late) = c.tree.nodes[a.id].siblingIndex < c.tree.nodes[b.id].siblingIndex ? (a, b) : (b, a)
                    findings.append(Finding("'\(c.tree.nodes[late.id].region.name)' \(late.range) overlaps '\(c.tree.nodes[early.id].region.name)' \(early.range) at equal priority \(ra.priority); the later one wins", region: late.id))
                }
            }
        }
        return findings
    }

    /// Children whose start address no window of their parent translates.
    static func outsideWindows(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.indices.flatMap { parent -> [Finding] in
            guard case let .windows(ws) = c.tree.nodes[parent].region.translation else { return [] }
            return c.tree.nodes[parent].children.compactMap { child in
                guard let range = c.tree.nodes[child].region.range ?? c.extent(of: child),
                    !ws.contains(where: { $0.childRange.contains(range.base) })
                else { return nil }
                let windows = ws.map { $0.childRange.description }.joined(separator: ", ")
                return Finding("starts at \(hex(range.base)), outside every ranges window of '\(c.tree.nodes[parent].region.name)' (\(windows)): unreachable", region: child)
            }
        }
    }

    static func windowStraddles(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.indices.flatMap { parent -> [Finding] in
            guard case let .windows(ws) = c.tree.nodes[parent].region.translation else { return [] }
            return c.tree.nodes[parent].children.compactMap { child in
                guard let range = c.tree.nodes[child].region.range ?? c.extent(of: child),
                    let w = ws.first(where: { $0.childRange.contains(range.base) }), range.last > w.childRange.last
                else { return nil }
                return Finding("\(range) runs past the end of ranges window \(w.childRange) of '\(c.tree.nodes[parent].region.name)'", region: child)
            }
        }
    }

    static func outsideParents(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.indices.flatMap { parent -> [Finding] in
            guard let bounds = c.tree.nodes[parent].region.range, c.tree.nodes[parent].region.clipsChildren else { return [] }
            return c.tree.nodes[parent].children.compactMap { child in
                guard let range = c.extent(of: child), let placed = c.translate(range, through: parent), !bounds.contains(placed) else { return nil }
                let how = placed.overlaps(bounds) ? "partly outside" : "outside"
                return Finding("\(placed) lies \(how) its parent '\(c.tree.nodes[parent].region.name)' \(bounds); the excess is clipped", region: child)
            }
        }
    }

    static func addressBits(_ c: CheckContext) -> [Finding] {
        let limit = c.map.addressLimit
        guard limit != .max else { return [] }
        return c.tree.nodes.indices.compactMap { id in
            guard let placed = c.staticPlacements[id], placed.last > limit,
                // Report the outermost offender only.
                !c.tree.ancestors(of: id).contains(where: { (c.staticPlacements[$0]?.last ?? 0) > limit })
            else { return nil }
            return Finding("\(placed) reaches above the \(c.map.addressBits)-bit limit \(hex(limit))", region: id)
        }
    }

    static func windowAlignment(_ c: CheckContext) -> [Finding] {
        var findings: [Finding] = []
        for id in c.tree.nodes.indices {
            let region = c.tree.nodes[id].region
            var windows: [(String, AddressRange)] = []
            if region.kind.requiresNaturalAlignment, let r = region.range { windows.append(("window", r)) }
            if let host = region.pcie {
                if let e = host.ecam { windows.append(("ECAM", e)) }
                windows += host.windows.map { ("\($0.space.rawValue) window", $0.cpuRange) }
            }
            for (what, r) in windows where !r.isAligned(to: r.naturalAlignment) {
                findings.append(Finding("\(what) \(r) is not aligned to \(hex(r.naturalAlignment)), the natural alignment of its size", region: id))
            }
            if let e = region.pcie?.ecam, !e.isAligned(to: 1 << 20) || (e.size ?? 0) % (1 << 20) != 0 {
                findings.append(Finding("ECAM \(e) must start on and span whole 1 MiB buses", region: id))
            }
        }
        return findings
    }

    static func rangesOverlaps(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.indices.flatMap { id -> [Finding] in
            guard case let .windows(ws) = c.tree.nodes[id].region.translation, ws.count > 1 else { return [] }
            var out: [Finding] = []
            for i in ws.indices {
                for j in ws.indices where j > i && ws[i].parentRange.overlaps(ws[j].parentRange) {
                    out.append(Finding("ranges windows \(i) and \(j) both map onto \(ws[i].parentRange.intersection(ws[j].parentRange)!)", region: id, location: ws[j].location))
                }
            }
            return out
        }
    }

    static func pcieBusRange(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.indices.compactMap { id in
            guard let host = c.tree.nodes[id].region.pcie, let ecam = host.ecam else { return nil }
            let buses = UInt64(host.lastBus) - UInt64(host.firstBus) + 1
            let expected = buses << 20
            guard ecam.size != expected else { return nil }
            return Finding("ECAM \(ecam) holds \(ecam.sizeMinusOne >> 20 + 1) buses but bus-range [\(host.firstBus), \(host.lastBus)] names \(buses) (1 MiB each)", region: id)
        }
    }

    static func pcieWindowOverlaps(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.indices.flatMap { id -> [Finding] in
            guard let host = c.tree.nodes[id].region.pcie else { return [] }
            let named = (host.ecam.map { [("ECAM", $0)] } ?? []) + host.windows.enumerated().map { ("\($1.space.rawValue) window \($0)", $1.cpuRange) }
            var out: [Finding] = []
            for i in named.indices {
                for j in named.indices where j > i && named[i].1.overlaps(named[j].1) {
                    out.append(Finding("\(named[j].0) \(named[j].1) overlaps \(named[i].0) \(named[i].1)", region: id))
                }
            }
            return out
        }
    }

    static func emptyBuses(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.indices.compactMap { id in
            let node = c.tree.nodes[id]
            guard node.region.kind == .bus, node.children.isEmpty else { return nil }
            return Finding("bus '\(node.region.name)' has no children and decodes nothing", region: id)
        }
    }

    /// Leaf regions (and aliases) that some view places but no view lets decode anything.
    static func shadowedRegions(_ c: CheckContext) -> [Finding] {
        var placed = Set<Int>(), visible = Set<Int>(), broken = Set<Int>()
        for router in c.views {
            for problem in router.problems {
                switch problem {
                case let .aliasTargetMissing(id), let .aliasCycle(id), let .aliasOffsetOverflow(id): broken.insert(id)
                }
            }
            for (id, p) in router.placements.enumerated() where p != nil { placed.insert(id) }
            for s in 0..<router.segmentCount {
                let segment = router.segment(s)
                visible.insert(segment.unit)
                let route = router.route(PhysicalAddress(segment.range.base))!
                for step in router.hops(for: route) { visible.insert(step.hop.region) }
            }
        }
        return placed.subtracting(visible).subtracting(broken).sorted().compactMap { id in
            let region = c.tree.nodes[id].region
            guard region.kind != .bus else { return nil }
            // A container whose children decode is visible through them.
            func anyVisible(_ n: Int) -> Bool { visible.contains(n) || c.tree.nodes[n].children.contains(where: anyVisible) }
            guard !anyVisible(id) else { return nil }
            return Finding("'\(region.name)' is hidden by higher-priority or later siblings in every view where it exists", region: id)
        }
    }

    /// The condition that must hold for a node and all its ancestors.
    static func fullCondition(_ c: CheckContext, _ id: Int) -> Condition? {
        ([id] + c.tree.ancestors(of: id)).compactMap { c.tree.nodes[$0].region.condition }.reduce(nil) { acc, cond in acc.map { .and($0, cond) } ?? cond }
    }

    static func decodeConflicts(_ c: CheckContext) -> [Finding] {
        var findings: [Finding] = []
        let leaves = c.leaves.filter { c.tree.nodes[$0.id].region.kind != .reserved && !c.tree.nodes[$0.id].region.disabled }.sorted { $0.range.base < $1.range.base }
        for i in leaves.indices {
            var j = i + 1
            while j < leaves.count, leaves[j].range.base <= leaves[i].range.last {
                let (a, b) = (leaves[i], leaves[j])
                j += 1
                let na = c.tree.nodes[a.id], nb = c.tree.nodes[b.id]
                guard na.parent != nb.parent else { continue }  // siblings: sibling-overlap
                // Where the branches meet, the two sides' roots decide who wins.
                let chainA = [a.id] + c.tree.ancestors(of: a.id), chainB = [b.id] + c.tree.ancestors(of: b.id)
                guard !chainA.contains(b.id), !chainB.contains(a.id) else { continue }
                let common = chainA.first { chainB.contains($0) }
                let rootA = common.map { cm in chainA[chainA.firstIndex(of: cm)! - 1] } ?? chainA.last!
                let rootB = common.map { cm in chainB[chainB.firstIndex(of: cm)! - 1] } ?? chainB.last!
                let ra = c.tree.nodes[rootA].region, rb = c.tree.nodes[rootB].region
                guard ra.priority == rb.priority, !(chainA + chainB).contains(where: { c.tree.nodes[$0].region.overlapIntended }),
                    !(chainA + chainB).contains(where: { c.tree.nodes[$0].region.kind == .alias }),
                    c.shareAnInitiator(na.region, nb.region), c.canCoexist(fullCondition(c, a.id), fullCondition(c, b.id))
                else { continue }
                findings.append(Finding("CPU \(a.range.intersection(b.range)!) decodes to both \(na.path) \(a.range) and \(nb.path) \(b.range), on different buses", region: b.id))
            }
        }
        return findings
    }

    static func dramHoles(_ c: CheckContext) -> [Finding] {
        var findings: [Finding] = []
        for r in c.ruleViews {
            for (id, placed) in r.placements.enumerated() {
                guard let placed, r.tree.nodes[id].region.kind == .dram else { continue }
                for s in r.segments where s.range.overlaps(placed) && s.unit != id {
                    let other = r.tree.nodes[s.unit]
                    guard other.region.kind != .reserved, !r.tree.ancestors(of: s.unit).contains(id) else { continue }
                    findings.append(Finding("DRAM bank \(r.tree.nodes[id].path) \(placed) has a hole at \(s.range.intersection(placed)!) where \(other.path) decodes", region: id, view: Rules.view(c, r)))
                }
            }
        }
        return findings
    }

    static func unitAddresses(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.indices.compactMap { id in
            let node = c.tree.nodes[id]
            guard let parent = node.parent, c.tree.nodes[parent].region.kind == .bus,
                let at = node.region.name.firstIndex(of: "@") else { return nil }
            let unit = String(node.region.name[node.region.name.index(after: at)...])
            // Only plain hex units (NAME@UNIT.N companions and multi-cell units are not dtc's case).
            guard unit.allSatisfy(\.isHexDigit) else { return nil }
            let expected: UInt64?
            if let range = node.region.range {
                expected = range.base
            } else if case let .windows(ws) = node.region.translation {
                expected = ws.first?.parentRange.base
            } else {
                expected = nil
            }
            guard let expected, unit != String(expected, radix: 16) else { return nil }
            return Finding("unit address @\(unit) does not match the first reg address \(hex(expected)) (dtc simple_bus_reg expects @\(String(expected, radix: 16)))", region: id)
        }
    }

    static func unusedSwitches(_ c: CheckContext) -> [Finding] {
        let used = Set(c.tree.nodes.flatMap { $0.region.condition?.comparisons.map(\.name) ?? [] })
        return c.map.switches.filter { !used.contains($0.name) }.map {
            Finding("switch '\($0.name)' is declared but no condition mentions it", location: $0.location)
        }
    }
}
