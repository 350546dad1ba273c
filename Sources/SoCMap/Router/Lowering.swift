/// Lowers a region tree, for one initiator and one switch setting, into pieces painted in
/// render order, then sweeps them into sorted, non-overlapping segments.
///
/// For maps written with priorities (`OverlapRule.priority`), render order follows QEMU's
/// `render_memory_region`: siblings by descending priority, later declaration first among
/// equals; a region's children before the region itself (so a region with children is the
/// background of their holes); the first piece rendered at an address wins. For device trees
/// (`OverlapRule.deviceTree`, which have no priorities) the deepest node wins, then the first
/// in tree order, then the node's first `reg` entry. A child's placement follows Linux
/// `of_translate_address`: at each bus, the first `ranges` window whose child side holds the
/// child's start address translates it.
///
/// Regions switched off by `status = "disabled"` are lowered too, into pieces of their own, so
/// that a decode can name a disabled unit where nothing else answers.
struct Lowering {
    let tree: RegionTree
    let initiator: String?
    let setting: SwitchSetting
    let rule: OverlapRule

    private(set) var pieces: [Router.Piece] = []
    /// Pieces of disabled regions and their subtrees.
    private(set) var disabledPieces: [Router.Piece] = []
    private(set) var hops: [Hop] = []
    /// Where each region landed (direct placements, not through aliases): its first entry,
    /// or for a PCIe host the span of its entries and windows.
    private(set) var placements: [AddressRange?]
    /// Where each of a region's entries landed, when it has more than one.
    private(set) var entryPlacements: [Int: [AddressRange?]] = [:]
    /// Where each region of a disabled subtree would have landed.
    private(set) var disabledPlacements: [RegionID: AddressRange] = [:]
    /// Set while a disabled subtree is being lowered.
    private var collectingDisabled = false

    /// One level of translation between a region's children and the root space.
    private struct Layer {
        enum Kind {
            case identity(RegionID)
            case windows(RegionID, [TranslationWindow])
            case alias(RegionID, Displacement)
        }
        let kind: Kind
        /// The extent of the layer's owner in the owner's parent space.
        let clip: AddressRange?
        /// For an alias: the part of the target's space the alias shows, applied before moving.
        var innerClip: AddressRange? = nil
    }

    init(tree: RegionTree, initiator: String?, setting: SwitchSetting, rule: OverlapRule) {
        self.tree = tree
        self.initiator = initiator
        self.setting = setting
        self.rule = rule
        placements = Array(repeating: nil, count: tree.count)
    }

    mutating func run() {
        render(tree.roots, layers: [], aliasStack: [], aliasTarget: nil)
        if rule == .deviceTree {
            // Deepest node first, then tree order, then reg order: the sweep lets the first win.
            func key(_ p: Router.Piece) -> (Int, Int, Int32) { (-tree[p.unit].depth, p.unit.index, p.entry) }
            pieces.sort { key($0) < key($1) }
            disabledPieces.sort { key($0) < key($1) }
        }
    }

    private func isSwitchedOn(_ region: Region) -> Bool { region.condition?.evaluate(setting) ?? true }

    /// Siblings in render order: descending priority, later declaration first among equals
    /// (device trees: tree order; `run` sorts their pieces afterwards).
    private func renderOrder(_ ids: [RegionID]) -> [RegionID] {
        guard rule == .priority else { return ids }
        return ids.sorted { a, b in
            let ra = tree[a]
            let rb = tree[b]
            if ra.region.priority != rb.region.priority { return ra.region.priority > rb.region.priority }
            return ra.siblingIndex > rb.siblingIndex
        }
    }

    private mutating func render(_ ids: [RegionID], layers: [Layer], aliasStack: [RegionID], aliasTarget: RegionID?) {
        for id in renderOrder(ids) {
            let node = tree[id]
            let region = node.region
            guard isSwitchedOn(region) else { continue }
            // `seen-by` governs a region's own placement; the target of an alias is shown
            // through the alias whatever its own placement's audience.
            guard id == aliasTarget || region.isSeen(by: initiator) else { continue }
            if region.disabled && !collectingDisabled {
                // The subtree leaves the view, but is kept aside to be named where it would decode.
                guard aliasStack.isEmpty else { continue }
                collectingDisabled = true
                render([id], layers: layers, aliasStack: aliasStack, aliasTarget: aliasTarget)
                collectingDisabled = false
                continue
            }
            let direct = aliasStack.isEmpty
            switch region.kind {
            case .alias:
                renderAlias(id, layers: layers, aliasStack: aliasStack)
            case .pcie:
                renderPCIe(id, layers: layers, direct: direct)
            case .bus, .dram, .sram, .rom, .mmio, .reserved, .plWindow:
                let placed = region.entries.map { place($0.range, through: layers) }
                if direct { record(id, placed.first??.range, entries: placed.map { $0?.range }) }
                if !node.children.isEmpty, let layer = childLayer(id) {
                    render(node.children, layers: layers + [layer], aliasStack: aliasStack, aliasTarget: nil)
                }
                if region.kind.decodesHoles {
                    for (k, p) in placed.enumerated() {
                        guard let p else { continue }
                        emit(p, unit: id, entry: k, target: .region, unitBase: region.entries[k].range.base, busBase: nil)
                    }
                }
            }
        }
    }

    private func childLayer(_ id: RegionID) -> Layer? {
        let region = tree[id].region
        switch region.translation {
        case .none: return nil
        case .identity: return Layer(kind: .identity(id), clip: region.clipsChildren ? region.range : nil)
        case .windows(let ws): return Layer(kind: .windows(id, ws), clip: region.clipsChildren ? region.range : nil)
        }
    }

    /// An alias shows its target's subtree; a broken one (no target, a cycle, an offset past
    /// 2^64: the map's structural problems) shows nothing.
    private mutating func renderAlias(_ id: RegionID, layers: [Layer], aliasStack: [RegionID]) {
        let region = tree[id].region
        guard let alias = region.alias, let range = region.range else { return }
        if aliasStack.isEmpty { record(id, place(range, through: layers)?.range, entries: []) }
        guard let target = tree.resolve(alias.path), !aliasStack.contains(id), target != id, !tree.ancestors(of: id).contains(target) else {
            return
        }
        let targetBase = tree[target].region.range?.base ?? 0
        let (origin, overflow) = targetBase.addingReportingOverflow(alias.offset)
        guard !overflow else { return }
        let shown = AddressRange(
            uncheckedBase: origin, last: origin.addingReportingOverflow(range.sizeMinusOne).overflow ? .max : origin + range.sizeMinusOne)
        let layer = Layer(kind: .alias(id, Displacement(from: origin, to: range.base)), clip: range, innerClip: shown)
        render([target], layers: layers + [layer], aliasStack: aliasStack + [id], aliasTarget: target)
    }

    /// A PCIe host: its ECAM as configuration space, its other entries as register blocks, its
    /// windows into PCI spaces.
    private mutating func renderPCIe(_ id: RegionID, layers: [Layer], direct: Bool) {
        let region = tree[id].region
        guard let host = region.pcie else { return }
        var extent: AddressRange?
        var placedEntries: [AddressRange?] = []
        for (k, entry) in region.entries.enumerated() {
            let placed = place(entry.range, through: layers)
            placedEntries.append(placed?.range)
            guard let placed else { continue }
            let isECAM = k == host.ecamEntry
            emit(placed, unit: id, entry: k, target: isECAM ? .pcieConfig : .region, unitBase: entry.range.base, busBase: nil)
            extent = extent.map { $0.span(placed.range) } ?? placed.range
        }
        for (i, w) in host.windows.enumerated() {
            guard let placed = place(w.cpuRange, through: layers) else { continue }
            // Offsets count from the window's start; the window's start is bus address pciBase.
            emit(placed, unit: id, entry: 0, target: .pcieWindow(i), unitBase: w.cpuRange.base, busBase: w.pciBase)
            extent = extent.map { $0.span(placed.range) } ?? placed.range
        }
        if direct { record(id, extent, entries: placedEntries) }
    }

    /// Notes where a region landed: in the view, or aside when its subtree is disabled.
    private mutating func record(_ id: RegionID, _ main: AddressRange?, entries: [AddressRange?]) {
        if collectingDisabled {
            if let main { disabledPlacements[id] = main }
            return
        }
        placements[id.index] = main
        if entries.count > 1 { entryPlacements[id.index] = entries }
    }

    private struct Placed {
        var range: AddressRange
        /// From the region's own (parent) space to the root space.
        var displacement: Displacement
        var hops: [Hop]
    }

    /// Translates a range from the innermost layer's child space out to the root space,
    /// clipping at every level; `nil` when some level cannot translate it or clips it away.
    private func place(_ range: AddressRange, through layers: [Layer]) -> Placed? {
        var current = range
        var displacement = Displacement.identity
        var hops: [Hop] = []
        for layer in layers.reversed() {
            if let inner = layer.innerClip {
                guard let clipped = current.intersection(inner) else { return nil }
                current = clipped
            }
            var step = Displacement.identity
            switch layer.kind {
            case .identity(let owner):
                hops.append(Hop(region: owner, kind: .identity, inward: .identity))
            case .windows(let owner, let windows):
                guard let index = windows.firstIndex(where: { $0.childRange.contains(current.base) }) else { return nil }
                step = windows[index].displacement
                hops.append(Hop(region: owner, kind: .window(index), inward: step.inverse))
            case .alias(let owner, let d):
                step = d
                hops.append(Hop(region: owner, kind: .alias, inward: d.inverse))
            }
            guard let moved = step.apply(current) else { return nil }
            current = moved
            displacement = displacement.then(step)
            if let clip = layer.clip {
                guard let clipped = current.intersection(clip) else { return nil }
                current = clipped
            }
        }
        return Placed(range: current, displacement: displacement, hops: hops.reversed())
    }

    private mutating func emit(_ placed: Placed, unit: RegionID, entry: Int, target: Router.Target, unitBase: UInt64, busBase: UInt64?) {
        var placed = placed
        if case .pcieWindow(let i) = target, let w = tree[unit].region.pcie?.windows[i] {
            placed.hops.append(
                Hop(
                    region: unit, kind: .pcie(w.space, prefetchable: w.prefetchable),
                    inward: Displacement(from: w.cpuRange.base, to: w.pciBase)))
        }
        let hopStart = hops.count
        hops.append(contentsOf: placed.hops)
        let piece = Router.Piece(
            range: placed.range, unit: unit, entry: Int32(entry), target: target,
            unitZero: placed.displacement.apply(unitBase), busBase: busBase,
            hopStart: Int32(hopStart), hopCount: Int32(placed.hops.count))
        if collectingDisabled { disabledPieces.append(piece) } else { pieces.append(piece) }
    }
}
