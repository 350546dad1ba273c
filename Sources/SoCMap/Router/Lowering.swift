/// Lowers a region tree, for one initiator and one switch setting, into pieces painted in
/// QEMU's render order, then sweeps them into sorted, non-overlapping segments.
///
/// Render order follows `render_memory_region`: siblings by descending priority, later
/// declaration first among equals; a region's children before the region itself (so a
/// region with children is the background of their holes); the first piece rendered at an
/// address wins. A child's placement follows Linux `of_translate_address`: at each bus, the
/// first `ranges` window whose child side holds the child's start address translates it.
struct Lowering {
    let tree: RegionTree
    let initiator: String?
    let setting: SwitchSetting

    private(set) var pieces: [Router.Piece] = []
    private(set) var hops: [Hop] = []
    private(set) var placements: [AddressRange?]
    private(set) var problems: [Router.Problem] = []

    /// One level of translation between a region's children and the root space.
    private struct Layer {
        enum Kind {
            case identity(Int)
            case windows(Int, [TranslationWindow])
            case alias(Int, Displacement)
        }
        let kind: Kind
        /// The extent of the layer's owner in the owner's parent space.
        let clip: AddressRange?
        /// For an alias: the part of the target's space the alias shows, applied before moving.
        var innerClip: AddressRange? = nil
    }

    init(tree: RegionTree, initiator: String?, setting: SwitchSetting) {
        self.tree = tree
        self.initiator = initiator
        self.setting = setting
        placements = Array(repeating: nil, count: tree.nodes.count)
    }

    mutating func run() {
        render(tree.roots, layers: [], aliasStack: [], aliasTarget: nil)
    }

    private func isActive(_ region: Region) -> Bool {
        !region.disabled && (region.condition?.evaluate(setting) ?? true)
    }

    /// Siblings in render order: descending priority, later declaration first among equals.
    private func renderOrder(_ ids: [Int]) -> [Int] {
        ids.sorted { a, b in
            let ra = tree.nodes[a], rb = tree.nodes[b]
            if ra.region.priority != rb.region.priority { return ra.region.priority > rb.region.priority }
            return ra.siblingIndex > rb.siblingIndex
        }
    }

    private mutating func render(_ ids: [Int], layers: [Layer], aliasStack: [Int], aliasTarget: Int?) {
        for id in renderOrder(ids) {
            let node = tree.nodes[id]
            let region = node.region
            guard isActive(region) else { continue }
            // `seen-by` governs a region's own placement; the target of an alias is shown
            // through the alias whatever its own placement's audience.
            guard id == aliasTarget || region.isSeen(by: initiator) else { continue }
            let direct = aliasStack.isEmpty
            switch region.kind {
            case .alias:
                renderAlias(id, layers: layers, aliasStack: aliasStack)
            case .pcie:
                renderPCIe(id, layers: layers, direct: direct)
            case .bus, .dram, .sram, .rom, .mmio, .reserved, .plWindow:
                var placed: Placed?
                if let range = region.range {
                    placed = place(range, through: layers)
                    if direct { placements[id] = placed?.range }
                }
                if !node.children.isEmpty, let layer = childLayer(id) {
                    render(node.children, layers: layers + [layer], aliasStack: aliasStack, aliasTarget: nil)
                }
                if region.kind.decodesHoles, let placed {
                    emit(placed, unit: id, target: .region, unitBase: region.range!.base)
                }
            }
        }
    }

    private func childLayer(_ id: Int) -> Layer? {
        let region = tree.nodes[id].region
        switch region.translation {
        case .none: return nil
        case .identity: return Layer(kind: .identity(id), clip: region.clipsChildren ? region.range : nil)
        case let .windows(ws): return Layer(kind: .windows(id, ws), clip: region.clipsChildren ? region.range : nil)
        }
    }

    private mutating func renderAlias(_ id: Int, layers: [Layer], aliasStack: [Int]) {
        let region = tree.nodes[id].region
        guard let alias = region.alias, let range = region.range else { return }
        if aliasStack.isEmpty { placements[id] = place(range, through: layers)?.range }
        guard let target = tree.resolve(alias.path) else {
            problems.append(.aliasTargetMissing(alias: id))
            return
        }
        if aliasStack.contains(id) || tree.ancestors(of: id).contains(target) || target == id {
            problems.append(.aliasCycle(alias: id))
            return
        }
        let targetBase = tree.nodes[target].region.range?.base ?? 0
        let (origin, overflow) = targetBase.addingReportingOverflow(alias.offset)
        guard !overflow else {
            problems.append(.aliasOffsetOverflow(alias: id))
            return
        }
        let shown = AddressRange(uncheckedBase: origin, last: origin.addingReportingOverflow(range.sizeMinusOne).overflow ? .max : origin + range.sizeMinusOne)
        let layer = Layer(kind: .alias(id, Displacement(from: origin, to: range.base)), clip: range, innerClip: shown)
        render([target], layers: layers + [layer], aliasStack: aliasStack + [id], aliasTarget: target)
    }

    private mutating func renderPCIe(_ id: Int, layers: [Layer], direct: Bool) {
        guard let host = tree.nodes[id].region.pcie else { return }
        var extent: AddressRange?
        if let ecam = host.ecam, let placed = place(ecam, through: layers) {
            emit(placed, unit: id, target: .pcieConfig, unitBase: ecam.base)
            extent = placed.range
        }
        for (i, w) in host.windows.enumerated() {
            guard let placed = place(w.cpuRange, through: layers) else { continue }
            // The unit offset of a window is the PCI bus address.
            emit(placed, unit: id, target: .pcieWindow(i), unitBase: w.cpuRange.base &- w.pciBase)
            extent = extent.map { AddressRange(uncheckedBase: min($0.base, placed.range.base), last: max($0.last, placed.range.last)) } ?? placed.range
        }
        if direct { placements[id] = extent }
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
            case let .identity(owner):
                hops.append(Hop(region: owner, kind: .identity, inward: .identity))
            case let .windows(owner, windows):
                guard let index = windows.firstIndex(where: { $0.childRange.contains(current.base) }) else { return nil }
                step = windows[index].displacement
                hops.append(Hop(region: owner, kind: .window(index), inward: step.inverse))
            case let .alias(owner, d):
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

    private mutating func emit(_ placed: Placed, unit: Int, target: Router.Target, unitBase: UInt64) {
        var placed = placed
        if case .pcieWindow(let i) = target, let w = tree.nodes[unit].region.pcie?.windows[i] {
            placed.hops.append(Hop(region: unit, kind: .pcie(w.space, prefetchable: w.prefetchable), inward: Displacement(from: w.cpuRange.base, to: w.pciBase)))
        }
        let hopStart = hops.count
        hops.append(contentsOf: placed.hops)
        pieces.append(
            Router.Piece(
                range: placed.range, unit: unit, target: target,
                unitZero: placed.displacement.apply(unitBase),
                hopStart: Int32(hopStart), hopCount: Int32(placed.hops.count)))
    }
}

/// Sweeps ranges (rank = index, lower wins where they overlap) into sorted,
/// non-overlapping segments, each naming the range that owns it.
///
/// - Complexity: O(n log n).
func sweep(_ ranges: [AddressRange]) -> (bases: [UInt64], lasts: [UInt64], owners: [Int32]) {
    var order = Array(ranges.indices)
    order.sort { ranges[$0].base < ranges[$1].base || (ranges[$0].base == ranges[$1].base && $0 < $1) }
    var bases: [UInt64] = [], lasts: [UInt64] = [], owners: [Int32] = []
    bases.reserveCapacity(ranges.count)
    lasts.reserveCapacity(ranges.count)
    owners.reserveCapacity(ranges.count)
    var heap = MinHeap()
    var next = 0
    var position: UInt64 = 0
    while next < order.count || !heap.isEmpty {
        if heap.isEmpty { position = ranges[order[next]].base }
        while next < order.count, ranges[order[next]].base <= position {
            heap.push(order[next])
            next += 1
        }
        while let top = heap.min, ranges[top].last < position { heap.popMin() }
        guard let top = heap.min else { continue }
        var end = ranges[top].last
        if next < order.count, ranges[order[next]].base - 1 < end { end = ranges[order[next]].base - 1 }
        if let lastOwner = owners.last, lastOwner == Int32(top), lasts[lasts.count - 1] &+ 1 == position, position != 0 {
            lasts[lasts.count - 1] = end
        } else {
            bases.append(position)
            lasts.append(end)
            owners.append(Int32(top))
        }
        if end == .max { break }
        position = end + 1
    }
    return (bases, lasts, owners)
}

/// The number of sorted segment bases that are `<= address` (the index just past the
/// segment that may hold it).
///
/// - Complexity: O(log n); allocates nothing.
func basesNotAbove(_ address: UInt64, in bases: [UInt64]) -> Int {
    bases.withUnsafeBufferPointer { b in
        var low = 0
        var count = b.count
        while count > 0 {
            let half = count / 2
            if b[low + half] <= address {
                low += half + 1
                count -= half + 1
            } else {
                count = half
            }
        }
        return low
    }
}

/// A binary min-heap of piece ranks.
struct MinHeap {
    private var items: [Int] = []
    var isEmpty: Bool { items.isEmpty }
    var min: Int? { items.first }

    mutating func push(_ value: Int) {
        items.append(value)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[parent] > items[i] else { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func popMin() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < items.count, items[l] < items[smallest] { smallest = l }
            if r < items.count, items[r] < items[smallest] { smallest = r }
            if smallest == i { break }
            items.swapAt(i, smallest)
            i = smallest
        }
    }
}
