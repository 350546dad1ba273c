import SoCMap

/// Checks for maps read from device trees (`overlaps: device-tree`), where overlapping `reg`s
/// are how real boards describe shared register blocks and Linux maps every node on its own:
/// each finding says what Linux will do, one finding per group of nodes.
enum DeviceTreeChecks {
    /// One placed `reg` entry of an enabled unit.
    struct Piece {
        let range: AddressRange
        let unit: RegionID
    }

    /// Whether a unit or an ancestor is switched off.
    static func isOff(_ c: CheckContext, _ id: RegionID) -> Bool {
        c.tree[id].region.disabled || c.tree.ancestors(of: id).contains { c.tree[$0].region.disabled }
    }

    /// The `syscon`/`simple-mfd` parents with `ranges;` whose children give register offsets as
    /// `reg`, each with those children.
    static func offsetIdioms(_ c: CheckContext) -> [(parent: RegionID, children: [RegionID])] {
        c.tree.nodes.compactMap { node in
            let r = node.region
            guard r.compatible.contains(where: { $0 == "syscon" || $0 == "simple-mfd" }), r.translation == .identity,
                let own = r.range, !node.children.isEmpty
            else { return nil }
            let inside = r.entries.map(\.range)
            let offsets = node.children.filter { child in
                guard let first = c.tree[child].region.range else { return false }
                return !inside.contains { $0.contains(first.base) } && first.base <= own.sizeMinusOne
            }
            return offsets.isEmpty ? nil : (node.id, offsets)
        }
    }

    /// Every enabled unit's placed entries, except DRAM, reservations, buses without `reg` and
    /// the children an offset idiom explains.
    static func pieces(_ c: CheckContext, excluding explained: Set<RegionID>) -> [Piece] {
        c.tree.nodes.flatMap { node -> [Piece] in
            guard node.kind != .dram, node.kind != .reserved, !node.region.entries.isEmpty, !explained.contains(node.id),
                node.region.alias == nil, !isOff(c, node.id)
            else { return [] }
            return c.resolved.entryPlacements(of: node.id).compactMap { $0.map { Piece(range: $0, unit: node.id) } }
        }
    }

    /// Groups of units whose entries overlap (neither one inside the other's subtree), each
    /// with the span of the overlaps and whether every overlap is between identical ranges.
    /// `windows`: let a node with children whose `reg` spans others' (an aperture) overlap them.
    static func overlapGroups(_ c: CheckContext, _ pieces: [Piece], windows: Bool = true) -> [(
        units: [RegionID], span: AddressRange, identical: Bool
    )] {
        var pairs: [(RegionID, RegionID, AddressRange, identical: Bool)] = []
        for (a, b) in overlappingPairs(pieces, range: \.range) where a.unit != b.unit {
            guard !c.tree.ancestors(of: a.unit).contains(b.unit), !c.tree.ancestors(of: b.unit).contains(a.unit),
                let common = a.range.intersection(b.range), !windows || (!isWindow(c, a, b) && !isWindow(c, b, a))
            else { continue }
            pairs.append((a.unit, b.unit, common, a.range == b.range))
        }
        return OverlapChecks.groups(pairs)
    }

    /// Whether `outer` is a node with children of its own whose `reg` spans `inner`: a bus or
    /// register block describing its aperture, which nodes beside it sit in (a sharing idiom,
    /// not a conflict).
    static func isWindow(_ c: CheckContext, _ outer: Piece, _ inner: Piece) -> Bool {
        outer.range.contains(inner.range) && outer.range != inner.range && !c.tree[outer.unit].children.isEmpty
    }

    static func paths(_ c: CheckContext, _ units: [RegionID], limit: Int = 8) -> String {
        let shown = units.prefix(limit).map { c.tree[$0].path }.joined(separator: ", ")
        return units.count > limit ? shown + " and \(units.count - limit) more" : shown
    }

    static func explainedChildren(_ c: CheckContext) -> Set<RegionID> {
        var explained = Set<RegionID>()
        for idiom in offsetIdioms(c) {
            for child in idiom.children {
                explained.formUnion(c.tree.subtree(child))
            }
        }
        return explained
    }

    /// Several nodes with the same `reg`: one register block shared (Juno's LEDs).
    static func sharedRegisters(_ c: CheckContext) -> [Finding] {
        guard c.map.overlapRule == .deviceTree else { return [] }
        return overlapGroups(c, pieces(c, excluding: explainedChildren(c))).filter(\.identical).map { g in
            return Finding(
                "\(g.units.count) nodes share the registers \(g.span): \(paths(c, g.units)); decode names the first, Linux maps each",
                group: g.units, range: g.span)
        }
    }

    /// Nodes whose `reg`s overlap otherwise: two views of one block, or sizes written too big.
    static func regOverlaps(_ c: CheckContext) -> [Finding] {
        guard c.map.overlapRule == .deviceTree else { return [] }
        return overlapGroups(c, pieces(c, excluding: explainedChildren(c))).filter { !$0.identical }.map { g in
            return Finding(
                "\(paths(c, g.units)) claim overlapping registers in \(g.span); decode names the deepest (then the first), Linux maps each node on its own, so their drivers share those registers",
                group: g.units, range: g.span)
        }
    }

    /// A `syscon`/`simple-mfd` with `ranges;` whose children give offsets into it as `reg`.
    static func offsetRegs(_ c: CheckContext) -> [Finding] {
        offsetIdioms(c).map { idiom in
            let p = c.tree[idiom.parent]
            let own = p.region.range!
            let children = idiom.children.map { id -> String in
                "\(c.tree[id].name) at \(hex(c.tree[id].region.range!.base))"
            }.joined(separator: ", ")
            let placed = idiom.children.compactMap { id in c.resolved.placement(of: id) }
            let landing =
                placed.first.map { at in
                    let hosts = c.tree.nodes.filter { n in
                        n.id != idiom.parent && !idiom.children.contains(n.id)
                            && (c.resolved.placement(of: n.id)?.contains(at.base) ?? false)
                            && n.kind != .bus
                    }
                    return hosts.last.map { " (inside \($0.path))" } ?? ""
                } ?? ""
            return Finding(
                (idiom.children.count == 1 ? "a child's reg looks like an offset" : "children's reg look like offsets")
                    + " into \(p.name) \(own): \(children); with `ranges;` \(idiom.children.count == 1 ? "it translates to that CPU address" : "they translate to those CPU addresses")\(landing) — write `ranges = <0x0 \(compactHex(own.base)) \(compactHex(own.sizeMinusOne &+ 1))>` (child address, parent address, size, in this node's and its parent's cell sizes) to put \(idiom.children.count == 1 ? "it inside the parent, or drop its" : "them inside it, or drop their") reg",
                group: idiom.children, range: nil, region: idiom.parent)
        }
    }

    /// A memory node over a device's registers: Linux takes the range as RAM.
    static func memoryOverDevices(_ c: CheckContext) -> [Finding] {
        guard c.map.overlapRule == .deviceTree else { return [] }
        let devices = pieces(c, excluding: explainedChildren(c))
        return c.tree.nodes.compactMap { node -> Finding? in
            guard node.kind == .dram, !isOff(c, node.id) else { return nil }
            let banks = c.resolved.entryPlacements(of: node.id).compactMap { $0 }
            let hit = devices.filter { d in banks.contains { $0.overlaps(d.range) } && !c.tree.ancestors(of: d.unit).contains(node.id) }
            guard !hit.isEmpty else { return nil }
            var units: [RegionID] = []
            for d in hit where !units.contains(d.unit) { units.append(d.unit) }
            let span = hit.map(\.range).reduce(hit[0].range) { $0.span($1) }
            return Finding(
                "memory \(banks.map(\.description).joined(separator: ", ")) covers the registers of \(units.count) node\(units.count == 1 ? "" : "s") (\(paths(c, units, limit: 3))) in \(span): Linux takes the range as RAM unless a bootloader rewrites the memory node",
                group: units, range: span, region: node.id)
        }
    }

    /// Reserved-memory regions outside every memory node: nothing to reserve. Only where the
    /// tree says where its memory is (many leave that to the bootloader: a memory node of size 0,
    /// or none), one finding for them all.
    static func reservedOutsideMemory(_ c: CheckContext) -> [Finding] {
        guard c.map.overlapRule == .deviceTree else { return [] }
        let memory = c.tree.nodes.filter { $0.kind == .dram && !isOff(c, $0.id) }.flatMap {
            c.resolved.entryPlacements(of: $0.id).compactMap { $0 }
        }
        guard !memory.isEmpty else { return [] }
        let outside = c.tree.nodes.compactMap { node -> (RegionID, AddressRange)? in
            guard node.kind == .reserved, !node.region.memoryReservation, !isOff(c, node.id),
                let placed = c.resolved.placement(of: node.id), !memory.contains(where: { $0.overlaps(placed) })
            else { return nil }
            return (node.id, placed)
        }
        guard let first = outside.first else { return [] }
        return [
            Finding(
                "\(outside.count == 1 ? "reserved \(first.1) lies" : "\(outside.count) reserved regions (\(paths(c, outside.map(\.0), limit: 3))) lie") outside every memory node: Linux has no RAM there to keep from its allocator, so the reservation does nothing (unless a bootloader adds memory there)",
                group: outside.map(\.0), range: nil, region: first.0)
        ]
    }
}
