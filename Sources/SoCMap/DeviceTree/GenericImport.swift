extension Reader {
    /// Imports a device tree that socmap did not write, with Linux's semantics.
    mutating func generic() throws(MapInputError) -> SoCMap {
        let root = tree.root
        let name = root.property(ids.model)?.string ?? String(source.split(separator: "/").last ?? "imported")
        var map = SoCMap(name: name, model: root.property(ids.model)?.string, compatible: root.property(ids.compatible)?.strings ?? [], source: source)
        let rootCells = try childCells(of: root, path: "/")
        if rootCells.defaulted && root.children.contains(where: { $0.property(ids.reg) != nil }) {
            warn("avoid_default_addr_size", "root has no #address-cells/#size-cells; using the defaults 2/1", path: "/")
        }
        map.addressBits = rootCells.address == 1 ? 32 : 64
        var regions: [Region] = []
        for child in root.children where !DeviceTreeImport.skippedRootNodes.contains(child.baseName) {
            let path = Self.join("/", child.name)
            if child.property(ids.deviceType)?.string == "memory" {
                regions += try memory(child, path: path, cells: (rootCells.address, rootCells.size))
            } else if child.name == "reserved-memory" {
                regions += try reservedMemory(child, path: path, rootCells: (rootCells.address, rootCells.size))
            } else {
                try importNode(child, path: path, parentCells: (rootCells.address, rootCells.size), into: &regions)
            }
        }
        for (i, r) in tree.reservations.enumerated() {
            guard let range = AddressRange(base: r.address, size: r.size) else { continue }
            // Carve-outs sit above the RAM they are cut from.
            regions.append(Region(name: "memreserve-\(i)", kind: .reserved, range: range, priority: 1, notes: "/memreserve/ entry \(i)", location: location))
        }
        map.regions = regions
        return map
    }

    /// `/memory` nodes: DRAM from `linux,usable-memory` or `reg`, root cells, untranslated.
    mutating func memory(_ node: FlatDeviceTree.Node, path: @autoclosure () -> String, cells: (Int, Int)) throws(MapInputError) -> [Region] {
        let usable = node.property(ids.usableMemory) != nil
        let entries = try regEntries(node, path: path(), cells: cells, property: usable ? "linux,usable-memory" : "reg")
        var regions: [Region] = []
        for (i, e) in entries.enumerated() {
            guard let range = range(e, path: path(), sizeCellsZero: false) else { continue }
            var r = Region(name: i == 0 ? node.name : "\(node.name).\(i)", kind: .dram, range: range, location: location)
            r.disabled = isDisabled(node)
            if usable { r.notes = "from linux,usable-memory" }
            r.properties = extraProperties(node, skipping: [ids.deviceType, ids.usableMemory])
            regions.append(r)
        }
        return regions
    }

    /// `/reserved-memory` children with `reg`, as Linux reads them.
    mutating func reservedMemory(_ node: FlatDeviceTree.Node, path: @autoclosure () -> String, rootCells: (Int, Int)) throws(MapInputError) -> [Region] {
        let own = try childCells(of: node, path: path())
        guard own.address == rootCells.0, own.size == rootCells.1, node.property(ids.ranges) != nil else {
            warn("reserved-memory", "ignored, as Linux ignores it: its #address-cells/#size-cells must equal the root's and it needs ranges", path: path())
            return []
        }
        var regions: [Region] = []
        for child in node.children {
            let childPath = Self.join(path(), child.name)
            if isDisabled(child) { continue }
            let entries = try regEntries(child, path: childPath, cells: rootCells)
            guard let first = entries.first else {
                warn("reserved-memory", "dynamic reservation (size without reg) has no fixed address; not mapped", path: childPath)
                continue
            }
            guard let range = range(first, path: childPath, sizeCellsZero: false) else { continue }
            var r = Region(name: child.name, kind: .reserved, range: range, priority: 1, compatible: child.property(ids.compatible)?.strings ?? [], location: location)
            var notes: [String] = []
            if child.property(ids.noMap) != nil { notes.append("no-map") }
            if child.property(ids.reusable) != nil { notes.append("reusable") }
            r.notes = notes.isEmpty ? "reserved-memory" : "reserved-memory, " + notes.joined(separator: ", ")
            r.properties = extraProperties(child, skipping: [])
            regions.append(r)
        }
        return regions
    }

    /// Properties kept verbatim: everything but what became region fields.
    func extraProperties(_ node: FlatDeviceTree.Node, skipping: [Int]) -> [Property] {
        var result: [Property] = []
        for i in node.propertyIndices {
            let p = FlatDeviceTree.Property(tree: tree, index: i), id = tree.properties[i].name
            guard !ids.structural[id] && !skipping.contains(id) else { continue }
            result.append(Property(name: p.name, value: p.withBytes(Self.guessValue)))
        }
        return result
    }

    /// A node's `compatible` list; siblings often repeat their neighbour's, which is then
    /// shared rather than decoded again.
    mutating func compatibleStrings(_ node: FlatDeviceTree.Node) -> [String] {
        guard let p = node.property(ids.compatible) else { return [] }
        let bytes = p.bytes
        if let last = lastCompatible, last.bytes == bytes { return last.strings }
        let strings = p.strings ?? []
        lastCompatible = (bytes, strings)
        return strings
    }

    /// Whether `status` says the node is not in use (anything but "okay"/"ok").
    func isDisabled(_ node: FlatDeviceTree.Node) -> Bool {
        guard let status = node.property(ids.status) else { return false }
        return status.withBytes { b in !(b.elementsEqual("okay\0".utf8) || b.elementsEqual("ok\0".utf8)) }
    }

    /// The value shape dtc would print (strings, cells or bytes).
    static func guessValue(_ bytes: UnsafeBufferPointer<UInt8>) -> Property.Value {
        if bytes.isEmpty { return .empty }
        let nul = bytes.filter { $0 == 0 }.count
        if bytes.last == 0, nul <= bytes.count - nul, bytes.allSatisfy({ (0x20...0x7e).contains($0) || $0 == 0 }),
            let strings = DTProperty.strings(in: bytes), !strings.contains(where: \.isEmpty)
        {
            return strings.count == 1 ? .string(strings[0]) : .strings(strings)
        }
        if bytes.count % 4 == 0, let cells = DTProperty(name: "", bytes: Array(bytes)).cells { return .cells(cells) }
        return .bytes(Array(bytes))
    }

    /// One node and its subtree (plus one companion region per further `reg` entry), or
    /// nothing when it holds no addresses at all.
    mutating func importNode(_ node: FlatDeviceTree.Node, path: @autoclosure () -> String, parentCells: (Int, Int), into regions: inout [Region]) throws(MapInputError) {
        let disabled = isDisabled(node)
        let compatible = compatibleStrings(node)
        let deviceType = node.property(ids.deviceType)?.string
        if deviceType == "pci" || deviceType == "pciex" {
            if let host = try pcie(node, path: path(), parentCells: parentCells, disabled: disabled, compatible: compatible) { regions.append(host) }
            return
        }
        let entries = try regEntries(node, path: path(), cells: parentCells)
        var children: [Region] = []
        var translation = Translation.none
        var dmaNote: String?
        if !node.children.isEmpty {
            let own = try childCells(of: node, path: path())
            if own.defaulted && node.children.contains(where: { $0.property(ids.reg) != nil }) {
                warn("avoid_default_addr_size", "no #address-cells/#size-cells for its children; using the defaults 2/1", path: path())
            }
            if own.size == 0 {
                translation = .none  // A #size-cells = 0 level is not translatable.
            } else if let ws = try windows(node, path: path(), own: (own.address, own.size), parent: parentCells) {
                translation = ws.isEmpty ? .identity : .windows(ws)
            }
            for child in node.children {
                try importNode(child, path: Self.join(path(), child.name), parentCells: (own.address, own.size), into: &children)
            }
            dmaNote = try dmaRanges(node, path: path(), own: (own.address, own.size), parent: parentCells)
        }
        let firstRange = entries.first.flatMap { range($0, path: path(), sizeCellsZero: parentCells.1 == 0) }
        guard firstRange != nil || !children.isEmpty else { return }
        let kind: RegionKind
        if firstRange == nil {
            kind = .bus
        } else if compatible.contains("mmio-sram") {
            kind = .sram
        } else if deviceType == "memory" {
            kind = .dram
        } else {
            kind = .mmio
        }
        var notes: String?
        if parentCells.1 == 0 { notes = "on a bus with #size-cells = 0: not translatable" }
        if let dmaNote { notes = [notes, dmaNote].compactMap { $0 }.joined(separator: "; ") }
        if entries.count > 1 { notes = [notes, "has \(entries.count) reg entries; the others follow as \(node.name).N"].compactMap { $0 }.joined(separator: "; ") }
        let leafSRAM = kind == .sram && children.isEmpty
        // Built in place in the array: a region is large, and copies of it add up.
        regions.append(Region(name: node.name, kind: kind, range: firstRange, disabled: disabled, compatible: compatible,
                              properties: extraProperties(node, skipping: leafSRAM ? [ids.addressCells, ids.sizeCells, ids.ranges] : []), notes: notes,
                              translation: children.isEmpty || leafSRAM ? .identity : translation, children: children, location: location))
        // A node's reg is its own registers, not the extent of its children's space.
        if firstRange != nil && !children.isEmpty { regions[regions.count - 1].clipsChildren = false }
        // Further reg entries become sibling regions of the same kind, named NAME.N.
        for i in 1..<max(entries.count, 1) {
            guard let r = range(entries[i], path: path(), sizeCellsZero: parentCells.1 == 0) else { continue }
            regions.append(Region(name: "\(node.name).\(i)", kind: kind, range: r, disabled: disabled, notes: "reg entry \(i) of \(node.name)", location: location))
        }
    }

    /// `dma-ranges` of a bus, decoded for people (the raw property is kept too).
    mutating func dmaRanges(_ node: FlatDeviceTree.Node, path: @autoclosure () -> String, own: (Int, Int), parent: (Int, Int)) throws(MapInputError) -> String? {
        guard let p = node.property(ids.dmaRanges) else { return nil }
        if p.count == 0 { return "dma-ranges: identity" }
        let count = own.0 + parent.0 + own.1
        guard p.count % (count * 4) == 0 else {
            throw fail("ranges-format", "dma-ranges is \(p.count) bytes, not a multiple of \(count * 4)", path: path())
        }
        let entries = stride(from: 0, to: p.count / 4, by: count).map { i in
            "bus \(hex(p.number(at: i, count: own.0))) -> \(hex(p.number(at: i + own.0, count: parent.0))) size \(hex(p.number(at: i + own.0 + parent.0, count: own.1)))"
        }
        return "dma-ranges: " + entries.joined(separator: ", ")
    }

    /// A PCI host bridge: ECAM from `reg`, windows from 3-cell `ranges`.
    mutating func pcie(_ node: FlatDeviceTree.Node, path: @autoclosure () -> String, parentCells: (Int, Int), disabled: Bool, compatible: [String]) throws(MapInputError) -> Region? {
        let entries = try regEntries(node, path: path(), cells: parentCells)
        let ecam = entries.first.flatMap { range($0, path: path(), sizeCellsZero: false) }
        var windows: [PCIeWindow] = []
        if let p = node.property(ids.ranges), p.count > 0 {
            let count = 3 + parentCells.0 + 2
            guard p.count % (count * 4) == 0 else {
                throw fail("ranges-format", "PCI ranges is \(p.count) bytes, not a multiple of \(count * 4) ((3 + parent #address-cells \(parentCells.0) + 2) x 4)", path: path())
            }
            for i in stride(from: 0, to: p.count / 4, by: count) {
                let hi = p.cell(i)
                let pci = p.number(at: i + 1, count: 2)
                let cpu = p.number(at: i + 3, count: parentCells.0)
                let size = p.number(at: i + 3 + parentCells.0, count: 2)
                let space: PCISpace
                switch (hi >> 24) & 3 {
                case 1: space = .io
                case 2: space = .mem32
                case 3: space = .mem64
                default:
                    warn("pci-ranges", "ranges entry \(i / count) is in configuration space, which never translates; skipped", path: path())
                    continue
                }
                guard let cpuRange = AddressRange(base: cpu, size: size), !pci.addingReportingOverflow(size &- 1).overflow else {
                    warn("pci-ranges", "ranges entry \(i / count) is empty or runs past 2^64; skipped", path: path())
                    continue
                }
                windows.append(PCIeWindow(space: space, prefetchable: hi & 0x4000_0000 != 0, cpuRange: cpuRange, pciBase: pci))
            }
        }
        guard ecam != nil || !windows.isEmpty else { return nil }
        var first: UInt8 = 0, last: UInt8 = ecam.map { UInt8(clamping: $0.sizeMinusOne >> 20) } ?? 0
        if let b = node.property(ids.busRange)?.cells, b.count == 2, b[0] <= b[1], b[1] <= 255 {
            first = UInt8(b[0])
            last = UInt8(b[1])
        }
        var region = Region(name: node.name, kind: .pcie, disabled: disabled, compatible: compatible,
                            pcie: PCIeHost(ecam: ecam, firstBus: first, lastBus: last, windows: windows), location: location)
        region.properties = extraProperties(node, skipping: [ids.deviceType, ids.busRange])
        if !node.children.isEmpty { region.notes = "PCI devices below (\(node.children.map(\.name).joined(separator: ", "))) sit in configuration space and are not mapped" }
        return region
    }
}
