import SoCMap

extension Reader {
    /// Imports a device tree that socmap did not write, with Linux's semantics.
    mutating func generic() -> AddressMap {
        let root = tree.root
        let model = property(ids.model, of: root)?.string
        var map = AddressMap(
            name: model ?? String(source.split(separator: "/").last ?? "imported"), model: model,
            compatible: property(ids.compatible, of: root)?.strings ?? [], source: source)
        map.overlapRule = .deviceTree
        var rootCells = childCells(of: root)
        if rootCells.translatable {
            warnAboutChildCells(rootCells, of: root)
        } else {
            warn("cells", "the root's cells cannot address anything; using the spec's defaults 2/1 for its children instead", root)
            rootCells = ChildCells(address: 2, size: 1, defaulted: true)
        }
        map.addressBits = rootCells.address == 1 ? 32 : 64
        var regions: [Region] = []
        if property(ids.reg, of: root) != nil { warn("reg-format", "the root node has reg, which the spec does not allow; ignored", root) }
        for child in tree.children(of: root) where !DeviceTreeImport.skippedRootNodes.contains(tree.baseName(of: child)) {
            if property(ids.deviceType, of: child)?.isString("memory") == true {
                if let r = memory(child, cells: rootCells.pair) { regions.append(r) }
            } else if tree.node(child, isNamed: "reserved-memory") {
                regions += reservedMemory(child, rootCells: rootCells.pair)
            } else {
                importNode(child, parentCells: rootCells, into: &regions)
            }
        }
        // /memreserve/ entries last: the RAM they are cut from answers first (it is still RAM),
        // and decode names the reservation beside it.
        for (i, r) in tree.reservations.enumerated() {
            guard let range = AddressRange(base: r.address, size: r.size) else { continue }
            regions.append(
                Region(
                    name: "memreserve-\(i)", kind: .reserved, range: range, priority: 1, notes: "/memreserve/ entry \(i)",
                    location: location))
        }
        map.regions = regions
        return map
    }

    /// A `/memory` node: DRAM from `linux,usable-memory` or `reg`, root cells, untranslated.
    mutating func memory(_ node: NodeID, cells: (Int, Int)) -> Region? {
        let usable = property(ids.usableMemory, of: node) != nil
        let entries = entries(node, cells: cells, usableMemory: usable)
        guard !entries.isEmpty else { return nil }
        var r = Region(name: tree.name(of: node), kind: .dram, entries: entries, location: location)
        r.disabled = isDisabled(node)
        if usable { r.notes = "from linux,usable-memory" }
        r.properties = extraProperties(node, skipping: [ids.deviceType, ids.usableMemory])
        return r
    }

    /// `/reserved-memory` children with `reg`, as Linux reads them.
    mutating func reservedMemory(_ node: NodeID, rootCells: (Int, Int)) -> [Region] {
        let own = childCells(of: node)
        guard own.address == rootCells.0, own.size == rootCells.1, property(ids.ranges, of: node) != nil else {
            warn(
                "reserved-memory", "ignored, as Linux ignores it: its #address-cells/#size-cells must equal the root's and it needs ranges",
                node)
            return []
        }
        var regions: [Region] = []
        for child in tree.children(of: node) {
            if isDisabled(child) { continue }
            // A dynamic reservation (size, no reg) has no fixed address: nothing to place.
            guard property(ids.reg, of: child) != nil else { continue }
            let entries = entries(child, cells: rootCells)
            guard !entries.isEmpty else { continue }
            var r = Region(
                name: tree.name(of: child), kind: .reserved, entries: entries, priority: 1,
                compatible: property(ids.compatible, of: child)?.strings ?? [], location: location)
            var notes: [String] = []
            if property(ids.noMap, of: child) != nil { notes.append("no-map") }
            if property(ids.reusable, of: child) != nil { notes.append("reusable") }
            r.notes = notes.isEmpty ? "reserved-memory" : "reserved-memory, " + notes.joined(separator: ", ")
            r.properties = extraProperties(child, skipping: [])
            regions.append(r)
        }
        return regions
    }

    /// Properties kept verbatim: everything but what became region fields.
    func extraProperties(_ node: NodeID, skipping: [DeviceTree.Name?]) -> [Region.Property] {
        let record = tree.nodes[node.index]
        var result: [Region.Property] = []
        for p in tree.properties[record.firstProperty..<(record.firstProperty + record.propertyCount)] {
            guard !ids.structural[p.name] && !skipping.contains(DeviceTree.Name(index: p.name)) else { continue }
            result.append(
                Region.Property(name: tree.names[p.name], value: Self.guessValue(tree.bytes[p.valueStart..<(p.valueStart + p.valueCount)])))
        }
        return result
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
    func isDisabled(_ node: NodeID) -> Bool {
        guard let status = property(ids.status, of: node) else { return false }
        return !(status.isString("okay") || status.isString("ok"))
    }

    /// The value shape dtc would print (strings, cells or bytes).
    static func guessValue(_ bytes: ArraySlice<UInt8>) -> Region.Property.Value {
        if bytes.isEmpty { return .empty }
        let p = DeviceTree.Property(name: "", slice: bytes)
        let nul = bytes.filter { $0 == 0 }.count
        if bytes.last == 0, nul <= bytes.count - nul, bytes.allSatisfy({ (0x20...0x7e).contains($0) || $0 == 0 }),
            let strings = p.strings, !strings.contains(where: \.isEmpty)
        {
            return strings.count == 1 ? .string(strings[0]) : .strings(strings)
        }
        if let cells = p.cells { return .cells(cells) }
        return .bytes(Array(bytes))
    }

    /// One node and its subtree, as one region holding every `reg` entry, or nothing when it
    /// holds no addresses at all.
    mutating func importNode(_ node: NodeID, parentCells: ChildCells, into regions: inout [Region]) {
        let disabled = isDisabled(node)
        let compatible = compatibleStrings(node)
        let deviceType = property(ids.deviceType, of: node)
        if deviceType?.isString("pci") == true || deviceType?.isString("pciex") == true {
            if let host = pcie(node, parentCells: parentCells.pair, disabled: disabled, compatible: compatible) { regions.append(host) }
            return
        }
        let entries = entries(node, cells: parentCells.pair)
        var children: [Region] = []
        var translation = Translation.none
        var dmaNote: String?
        let childNodes = tree.children(of: node)
        if !childNodes.isEmpty {
            let own = childCells(of: node)
            warnAboutChildCells(own, of: node)
            // Nothing below an untranslatable level reaches the CPU: its windows do not matter.
            if own.translatable, parentCells.translatable, let ws = windows(node, own: own.pair, parent: parentCells.pair) {
                translation = ws.isEmpty ? .identity : .windows(ws)
            }
            for child in childNodes { importNode(child, parentCells: own, into: &children) }
            dmaNote = dmaRanges(node, own: own.pair, parent: parentCells.pair)
        }
        guard !entries.isEmpty || !children.isEmpty else { return }
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
        let leafSRAM = kind == .sram && children.isEmpty
        // Built in place in the array: a region is large, and copies of it add up.
        regions.append(
            Region(
                name: tree.name(of: node), kind: kind, entries: entries, disabled: disabled, compatible: compatible,
                properties: extraProperties(node, skipping: leafSRAM ? [ids.addressCells, ids.sizeCells, ids.ranges] : []), notes: notes,
                translation: children.isEmpty || leafSRAM ? .identity : translation, children: children, location: location))
        // A node's reg is its own registers, not the extent of its children's space.
        if !entries.isEmpty && !children.isEmpty { regions[regions.count - 1].clipsChildren = false }
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

    /// A PCI host bridge: every `reg` entry (its configuration space and register blocks), and
    /// windows from 3-cell `ranges`.
    mutating func pcie(_ node: NodeID, parentCells: (Int, Int), disabled: Bool, compatible: [String]) -> Region? {
        let entries = entries(node, cells: parentCells)
        var windows: [PCIeWindow] = []
        if let p = property(ids.ranges, of: node), p.count > 0 {
            let count = 3 + parentCells.0 + 2
            if p.count % (count * 4) != 0 {
                warn(
                    "ranges-format",
                    "PCI ranges is \(p.count) bytes, not a multiple of \(count * 4) ((3 + parent #address-cells \(parentCells.0) + 2) x 4); the whole entries are read",
                    node)
            }
            for i in stride(from: 0, to: p.count / 4 - count + 1, by: count) {
                let hi = p.cell(i) ?? 0
                let pci = p.number(at: i + 1, count: 2) ?? 0
                let cpu = p.number(at: i + 3, count: parentCells.0) ?? 0
                let size = p.number(at: i + 3 + parentCells.0, count: 2) ?? 0
                let space: PCISpace
                switch (hi >> 24) & 3 {
                case 1: space = .io
                case 2: space = .mem32
                case 3: space = .mem64
                default:
                    warn("pci-ranges", "ranges entry \(i / count) is in configuration space, which never translates; skipped", node)
                    continue
                }
                guard let cpuRange = AddressRange(base: cpu, size: size), !pci.addingReportingOverflow(size &- 1).overflow else {
                    warn("pci-ranges", "ranges entry \(i / count) is empty or runs past 2^64; skipped", node)
                    continue
                }
                windows.append(PCIeWindow(space: space, prefetchable: hi & 0x4000_0000 != 0, cpuRange: cpuRange, pciBase: pci))
            }
        }
        guard !entries.isEmpty || !windows.isEmpty else { return nil }
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
        region.properties = extraProperties(node, skipping: [ids.deviceType, ids.busRange])
        let children = tree.children(of: node)
        if !children.isEmpty {
            region.notes =
                "PCI devices below (\(children.map { tree.name(of: $0) }.joined(separator: ", "))) sit in configuration space and are not mapped"
        }
        return region
    }
}
