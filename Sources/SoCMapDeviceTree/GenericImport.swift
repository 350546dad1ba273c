import SoCMap

/// One parent's children as import reads them: the regions (a node is one when it, or a node
/// below it, has an address), built in place, and in order every child's name with its
/// description node when it is one.
struct Siblings {
    var regions: [Region] = []
    var descriptions: [DescriptionNode] = []
    /// Every child in order: `k` for `descriptions[k]`, `-1 - k` for `regions[k]`.
    var order: [Int] = []

    mutating func add(_ region: consuming Region) {
        order.append(-1 - regions.count)
        regions.append(region)
    }

    mutating func add(_ node: consuming DescriptionNode) {
        order.append(descriptions.count)
        descriptions.append(node)
    }

    var hasRegions: Bool { !regions.isEmpty }

    func name(at i: Int) -> String { order[i] >= 0 ? descriptions[order[i]].name : regions[-1 - order[i]].name }
}

extension Reader {
    /// Imports a device tree that socmap did not write, with Linux's semantics, keeping every
    /// node and property so that exporting the map writes the same tree.
    mutating func generic(hints: ImportHints = ImportHints()) -> AddressMap {
        let root = tree.root
        var hints = hints
        hints.labels.merge(sourceLabels) { own, _ in own }
        let symbolsRead = prepareReferences(hints)
        var map = AddressMap(name: String(source.split(separator: "/").last ?? "imported"), source: source)
        map.overlapRule = .deviceTree
        map.deviceTree.verbatim = true
        map.deviceTree.symbols = symbolsRead
        var rootCells = childCells(of: root)
        if rootCells.translatable {
            warnAboutChildCells(rootCells, of: root)
        } else {
            warn("cells", "the root's cells cannot address anything; using the spec's defaults 2/1 for its children instead", root)
            rootCells = ChildCells(address: 2, size: 1, defaulted: true)
        }
        map.addressBits = rootCells.address == 1 ? 32 : 64
        // The root: model and compatible are map fields when they read as text; everything
        // else (cells included) is kept as the root's properties.
        for p in tree.properties(of: root) {
            if p.name == "model", let s = p.strings, s.count == 1 {
                map.model = s[0]
                map.name = s[0]
            } else if p.name == "compatible", let s = p.strings {
                map.compatible = s
            } else {
                if p.name == "reg" { warn("reg-format", "the root node has reg, which the spec does not allow; kept as a property", root) }
                map.deviceTree.properties.append(Region.Property(name: p.name, value: value(of: p)))
            }
        }
        var children = Siblings()
        for child in tree.children(of: root) {
            let name = tree.name(of: child)
            if name == "socmap" || (symbolsRead && name == "__symbols__") { continue }
            if DeviceTreeImport.describedRootNodes.contains(tree.baseName(of: child)) || name == "__symbols__" || isCluster(child) {
                children.add(describe(child))
            } else if property(ids.deviceType, of: child)?.isString("memory") == true {
                memory(child, cells: rootCells.pair, into: &children)
            } else if tree.node(child, isNamed: "reserved-memory") {
                reservedMemory(child, rootCells: rootCells.pair, into: &children)
            } else {
                importNode(child, parentCells: rootCells, into: &children)
            }
        }
        map.regions = attach(&children, below: root)
        // /memreserve/ entries last: the RAM they are cut from answers first (it is still RAM),
        // and decode names the reservation beside it.
        for (i, r) in tree.reservations.enumerated() {
            guard let range = AddressRange(base: r.address, size: r.size) else {
                warn(
                    "reg-format", "/memreserve/ entry \(i) (\(hex(r.address)), size \(hex(r.size))) is empty or wraps; not mapped",
                    path: "/")
                continue
            }
            var region = Region(
                name: "memreserve-\(i)", kind: .reserved, range: range, notes: "/memreserve/ entry \(i)", location: location)
            region.memoryReservation = true
            map.regions.append(region)
        }
        map.deviceTree.nodes = attachments
        applySystemDeviceTree(&map, rootAddressCells: rootCells.address)
        return map
    }

    /// The regions among one parent's children; the description nodes are attached to the
    /// parent where they stood: after the sibling before them, or first, or (when no region
    /// follows) after the regions.
    mutating func attach(_ children: inout Siblings, below parent: NodeID) -> [Region] {
        guard !children.descriptions.isEmpty else { return children.regions }
        let lastRegion = children.order.lastIndex { $0 < 0 } ?? -1
        let parentPath = tree.path(of: parent)
        for (i, k) in children.order.enumerated() where k >= 0 {
            let placement: AttachedNode.Placement? = i > lastRegion ? nil : i == 0 ? .first : .after(children.name(at: i - 1))
            attachments.append(AttachedNode(parent: parentPath, placement: placement, node: children.descriptions[k]))
        }
        return children.regions
    }

    /// A node and its subtree as description nodes, every property kept.
    mutating func describe(_ node: NodeID) -> DescriptionNode {
        var n = DescriptionNode(name: tree.name(of: node), label: labels[node.index], properties: keptProperties(node))
        n.children = tree.children(of: node).map { describe($0) }
        return n
    }

    /// Every property of `node` as the map keeps it, except those whose name index `skipping`
    /// holds (and a `phandle` export assigned, which the map did not have).
    func keptProperties(_ node: NodeID, skipping: NameSet = NameSet()) -> [Region.Property] {
        let record = tree.nodes[node.index]
        var result: [Region.Property] = []
        for p in tree.properties[record.firstProperty..<(record.firstProperty + record.propertyCount)] {
            guard !skipping.contains(p.name) else { continue }
            if p.name == ids.phandle?.index && assignedPhandleNodes.contains(node.index) { continue }
            let bytes = tree.bytes[p.valueStart..<(p.valueStart + p.valueCount)]
            result.append(Region.Property(name: tree.names[p.name], value: value(nameIndex: p.name, bytes: bytes)))
        }
        return result
    }

    /// A region's properties: all but the ones its fields say, each of which is kept too when
    /// export would write it differently (an odd `reg`, `ranges` on a leaf, `status = "okay"`).
    mutating func regionProperties(
        _ node: NodeID, region r: Region, parentCells: (Int, Int), ownCells: (Int, Int)?, pciWindows: [PCIeWindow]? = nil
    ) -> [Region.Property] {
        // One pass finds the field-backed properties (by name index).
        let record = tree.nodes[node.index]
        let records = tree.properties[record.firstProperty..<(record.firstProperty + record.propertyCount)]
        func raw(_ name: DeviceTree.Name?) -> ArraySlice<UInt8>? {
            guard let name, let p = records.first(where: { $0.name == name.index }) else { return nil }
            return tree.bytes[p.valueStart..<(p.valueStart + p.valueCount)]
        }
        var skipping = NameSet()
        /// Skips `name` when the tree's value is what export writes (`nil`: writes none).
        func matches(_ name: DeviceTree.Name?, _ generated: [UInt8]?) {
            guard let name else { return }
            let value = raw(name)
            if let generated {
                if let value, value.elementsEqual(generated) { skipping.append(name.index) }
            } else if value == nil {
                skipping.append(name.index)
            }
        }
        let width = (parentCells.0 + parentCells.1) * 4
        if let reg = raw(ids.reg), !r.entries.isEmpty, parentCells.0 <= 2, parentCells.1 <= 2, reg.count == r.entries.count * width {
            // Every whole entry became one of the region's (none skipped), and numbers of up to two
            // cells come back as they were read: export writes these very bytes.
            skipping.append(ids.reg!.index)
        } else {
            scratch.removeAll(keepingCapacity: true)
            if !r.entries.isEmpty { Encoding.appendReg(r.entries, cells: parentCells, to: &scratch) }
            matches(ids.reg, r.entries.isEmpty ? nil : scratch)
        }
        if let n = Encoding.regNames(r.entries) {
            var bytes: [UInt8] = []
            DeviceTree.Value.strings(n).append(to: &bytes)
            matches(ids.regNames, bytes)
        } else {
            matches(ids.regNames, nil)
        }
        if let windows = pciWindows {
            matches(ids.ranges, Encoding.pciRanges(windows, parentAddressCells: parentCells.0))
        } else if let own = ownCells, !r.children.isEmpty {
            matches(ids.ranges, Encoding.ranges(r.translation, own: own, parent: parentCells))
        } else {
            matches(ids.ranges, nil)
        }
        matches(ids.status, r.disabled ? Self.disabledBytes : nil)
        // A compatible that reads as strings is the field (else it is kept as written).
        if let c = ids.compatible, !r.compatible.isEmpty { skipping.append(c.index) }
        return keptProperties(node, skipping: skipping)
    }

    static let disabledBytes = Array("disabled\0".utf8)

    /// The label and properties of a region read from `node`.
    mutating func finish(_ r: inout Region, _ node: NodeID, parentCells: (Int, Int), ownCells: (Int, Int)?, pciWindows: [PCIeWindow]? = nil)
    {
        if !labels.isEmpty { r.label = labels[node.index] }
        r.properties = regionProperties(node, region: r, parentCells: parentCells, ownCells: ownCells, pciWindows: pciWindows)
    }

    /// A `/memory` node: DRAM from `linux,usable-memory` or `reg`, root cells, untranslated.
    mutating func memory(_ node: NodeID, cells: (Int, Int), into siblings: inout Siblings) {
        let usable = property(ids.usableMemory, of: node) != nil
        let entries = entries(node, cells: cells, usableMemory: usable)
        guard !entries.isEmpty else { return siblings.add(describe(node)) }
        var r = Region(name: tree.name(of: node), kind: .dram, entries: entries, location: location)
        r.disabled = isDisabled(node)
        r.compatible = property(ids.compatible, of: node)?.strings ?? []
        if usable { r.notes = "from linux,usable-memory" }
        finish(&r, node, parentCells: cells, ownCells: nil)
        // The entries came from linux,usable-memory: reg stays as written.
        if usable, !r.properties.contains(where: { $0.name == "reg" }), let reg = property(ids.reg, of: node) {
            r.properties.insert(Region.Property(name: "reg", value: value(of: reg)), at: 0)
        }
        siblings.add(r)
    }

    /// `/reserved-memory`, as Linux reads it: a bus whose children with `reg` are reserved
    /// regions (its cells must equal the root's and it needs `ranges`, else Linux ignores it).
    mutating func reservedMemory(_ node: NodeID, rootCells: (Int, Int), into siblings: inout Siblings) {
        let own = childCells(of: node)
        guard own.address == rootCells.0, own.size == rootCells.1, property(ids.ranges, of: node) != nil else {
            warn(
                "reserved-memory", "ignored, as Linux ignores it: its #address-cells/#size-cells must equal the root's and it needs ranges",
                node)
            return siblings.add(describe(node))
        }
        let path = tree.path(of: node)
        var items = Siblings()
        for child in tree.children(of: node) {
            let entries = isDisabled(child) || property(ids.reg, of: child) == nil ? [] : entries(child, cells: rootCells)
            guard !entries.isEmpty else {
                // Dynamic reservations (size, no reg) and disabled ones hold no fixed address.
                items.add(describe(child))
                continue
            }
            var r = Region(
                name: tree.name(of: child), kind: .reserved, entries: entries, priority: 1,
                compatible: property(ids.compatible, of: child)?.strings ?? [], location: location)
            var notes: [String] = []
            if property(ids.noMap, of: child) != nil { notes.append("no-map") }
            if property(ids.reusable, of: child) != nil { notes.append("reusable") }
            r.notes = notes.isEmpty ? "reserved-memory" : "reserved-memory, " + notes.joined(separator: ", ")
            finish(&r, child, parentCells: rootCells, ownCells: nil)
            let childPath = Reader.join(path, r.name)
            for grandchild in tree.children(of: child) {
                attachments.append(AttachedNode(parent: childPath, node: describe(grandchild)))
            }
            items.add(r)
        }
        guard items.hasRegions else { return siblings.add(describe(node)) }
        var bus = Region(
            name: tree.name(of: node), kind: .bus, translation: .identity, children: attach(&items, below: node), location: location)
        finish(&bus, node, parentCells: rootCells, ownCells: own.pair)
        siblings.add(bus)
    }

    /// A node's `compatible` list; siblings often repeat their neighbour's, which is then
    /// shared rather than decoded again.
    mutating func compatibleStrings(_ node: NodeID) -> [String] {
        guard let p = property(ids.compatible, of: node) else { return [] }
        if let last = lastCompatible, last.bytes == p.value { return last.strings }
        let strings = p.strings ?? []
        lastCompatible = (p.value, strings)
        return strings
    }

    /// Whether `status` says the node is not in use (anything but "okay"/"ok").
    func isDisabled(_ node: NodeID) -> Bool { Encoding.isDisabled(property(ids.status, of: node)) }

    /// The value shape dtc would print (strings, cells or bytes).
    static func guessValue(_ bytes: ArraySlice<UInt8>) -> Region.Property.Value {
        if bytes.isEmpty { return .empty }
        let p = DeviceTree.Property(name: "", slice: bytes)
        var nul = 0
        var printable = true
        for b in bytes {
            if b == 0 { nul += 1 } else if b < 0x20 || b > 0x7e { printable = false }
        }
        if bytes.last == 0, printable, nul <= bytes.count - nul, let strings = p.strings, !strings.contains(where: \.isEmpty) {
            return strings.count == 1 ? .string(strings[0]) : .strings(strings)
        }
        if let cells = p.cells { return .cells(cells) }
        return .bytes(Array(bytes))
    }

    /// One node and its subtree: a region holding every `reg` entry when it or a node below it
    /// has an address, else a description node.
    mutating func importNode(_ node: NodeID, parentCells: ChildCells, into siblings: inout Siblings) {
        let disabled = isDisabled(node)
        let compatible = compatibleStrings(node)
        let deviceType = property(ids.deviceType, of: node)
        if deviceType?.isString("pci") == true || deviceType?.isString("pciex") == true {
            return pcie(node, parentCells: parentCells.pair, disabled: disabled, compatible: compatible, into: &siblings)
        }
        let entries = entries(node, cells: parentCells.pair)
        var items = Siblings()
        var translation = Translation.none
        var dmaNote: String?
        var own: ChildCells?
        let childNodes = tree.children(of: node)
        if !childNodes.isEmpty {
            let cells = childCells(of: node)
            own = cells
            warnAboutChildCells(cells, of: node)
            // Nothing below an untranslatable level reaches the CPU: its windows do not matter.
            if cells.translatable, parentCells.translatable, let ws = windows(node, own: cells.pair, parent: parentCells.pair) {
                translation = ws.isEmpty ? .identity : .windows(ws)
            }
            items.regions.reserveCapacity(tree.childCount(of: node))
            for child in childNodes { importNode(child, parentCells: cells, into: &items) }
            dmaNote = dmaRanges(node, own: cells.pair, parent: parentCells.pair)
        }
        guard !entries.isEmpty || items.hasRegions else { return siblings.add(describe(node)) }
        let children = attach(&items, below: node)
        let kind: RegionKind
        if entries.isEmpty {
            kind = .bus
        } else if compatible.contains("mmio-sram") {
            kind = .sram
        } else if deviceType?.isString("memory") == true {
            kind = .dram
        } else {
            kind = .mmio
        }
        var notes: String?
        if !parentCells.translatable && !entries.isEmpty {
            notes =
                parentCells.size == 0
                ? "on a bus with #size-cells = 0: not translatable" : "below #address-cells = <\(parentCells.address)>: not translatable"
        }
        if let dmaNote { notes = [notes, dmaNote].compactMap { $0 }.joined(separator: "; ") }
        // Built in place in the array: a region is large, and moves of it add up.
        let k = siblings.regions.count
        siblings.order.append(-1 - k)
        siblings.regions.append(
            Region(
                name: tree.name(of: node), kind: kind, entries: entries, disabled: disabled, compatible: compatible, notes: notes,
                translation: children.isEmpty ? .identity : translation, children: children, location: location))
        // A node's reg is its own registers, not the extent of its children's space.
        if !entries.isEmpty && !children.isEmpty { siblings.regions[k].clipsChildren = false }
        finish(&siblings.regions[k], node, parentCells: parentCells.pair, ownCells: own?.pair ?? (2, 1))
    }

    /// `dma-ranges` of a bus, decoded for people (the raw property is kept too).
    mutating func dmaRanges(_ node: NodeID, own: (Int, Int), parent: (Int, Int)) -> String? {
        guard let p = property(ids.dmaRanges, of: node) else { return nil }
        if p.count == 0 { return "dma-ranges: identity" }
        let count = own.0 + parent.0 + own.1
        guard count > 0 else { return nil }
        if p.count % (count * 4) != 0 {
            warn("ranges-format", "dma-ranges is \(p.count) bytes, not a multiple of \(count * 4); the whole entries are read", node)
        }
        let entries = stride(from: 0, to: p.count / 4 - count + 1, by: count).map { i in
            "bus \(hex(p.number(at: i, count: own.0) ?? 0)) -> \(hex(p.number(at: i + own.0, count: parent.0) ?? 0)) size \(hex(p.number(at: i + own.0 + parent.0, count: own.1) ?? 0))"
        }
        return "dma-ranges: " + entries.joined(separator: ", ")
    }

    /// A PCI host bridge: every `reg` entry (its configuration space and register blocks),
    /// windows from 3-cell `ranges`, and the PCI devices below it as description nodes.
    mutating func pcie(_ node: NodeID, parentCells: (Int, Int), disabled: Bool, compatible: [String], into siblings: inout Siblings) {
        let entries = entries(node, cells: parentCells)
        var windows: [PCIeWindow] = []
        if let p = property(ids.ranges, of: node), p.count > 0 {
            var issues: [Encoding.Issue] = []
            windows = Encoding.pciWindows(p, parentAddressCells: parentCells.0, issues: &issues)
            warn(issues, node)
        }
        guard !entries.isEmpty || !windows.isEmpty else { return siblings.add(describe(node)) }
        let ecamEntry = PCIeHost.configurationEntry(in: entries, compatible: compatible)
        var first: UInt8 = 0
        var last: UInt8 = ecamEntry.map { UInt8(clamping: entries[$0].range.sizeMinusOne >> 20) } ?? 0
        if let b = property(ids.busRange, of: node)?.cells, b.count == 2, b[0] <= b[1], b[1] <= 255 {
            first = UInt8(b[0])
            last = UInt8(b[1])
        }
        var region = Region(
            name: tree.name(of: node), kind: .pcie, entries: entries, disabled: disabled, compatible: compatible,
            pcie: PCIeHost(ecamEntry: ecamEntry, firstBus: first, lastBus: last, windows: windows), location: location)
        finish(&region, node, parentCells: parentCells, ownCells: nil, pciWindows: windows)
        let children = tree.children(of: node)
        if !children.isEmpty {
            region.notes =
                "PCI devices below (\(children.map { tree.name(of: $0) }.joined(separator: ", "))) sit in configuration space and are not mapped"
            let path = tree.path(of: node)
            for child in children { attachments.append(AttachedNode(parent: path, node: describe(child))) }
        }
        siblings.add(region)
    }
}

/// A handful of property name indices (the ones a region's fields stand for), without an
/// allocation per node.
struct NameSet {
    private var items: (Int, Int, Int, Int, Int, Int) = (-1, -1, -1, -1, -1, -1)
    private var count = 0

    mutating func append(_ index: Int) {
        switch count {
        case 0: items.0 = index
        case 1: items.1 = index
        case 2: items.2 = index
        case 3: items.3 = index
        case 4: items.4 = index
        default: items.5 = index
        }
        count = min(count + 1, 6)
    }

    func contains(_ index: Int) -> Bool {
        index >= 0
            && (items.0 == index || items.1 == index || items.2 == index || items.3 == index || items.4 == index || items.5 == index)
    }
}
