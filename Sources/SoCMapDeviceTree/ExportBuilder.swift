/// Builds the exported device tree in one pre-order pass over the regions, straight into a
/// flat tree: the device nodes as it goes, the `/socmap/regions` annotations into a second
/// flat tree appended at the end. Property values are written as bytes into the arena; no
/// node, property or path object is made per region.
import SoCMap

struct ExportBuilder {
    /// The resolved map, when the caller has one; only the Xen domain nodes need it.
    let resolved: ResolvedMap?
    let map: AddressMap
    let setting: SwitchSetting
    let rootCells: Int
    var out = DeviceTree.Builder()
    /// The annotations: three lists with every region's map path, node path and kind,
    /// in map pre-order, and `region-N` nodes for the regions that need more.
    var regionColumn: [UInt8] = []
    var nodeColumn: [UInt8] = []
    var kindColumn: [UInt8] = []
    var notes = DeviceTree.Builder()
    var annotationCount = 0
    /// Whether each `/reserved-memory` node's `compatible` says what the region's does.
    var reservedCompatibleMatches: [Bool] = []
    /// When not `nil`, filled with each region's node path by map path.
    var nodePaths: [String: String]?
    /// The map path and device-tree path of the region being written, as bytes.
    var mapPath: [UInt8] = []
    var dtPath: [UInt8] = []
    /// Names of the nodes below `/reserved-memory`, in map order, and how many were met.
    var reservedNames: [String] = []
    var reservedMet = 0
    let names: Names

    /// Ids of the property names the exporter writes, interned once in both trees.
    struct Names {
        let addressCells, sizeCells, model, compatible, reg, ranges, deviceType, busRange, noMap, status: DeviceTree.Name
        let translation, region, kind, extent, priority, when, mapCompatible, seenBy, seenByNone, disabled: DeviceTree.Name
        let overlapIntended, hypervisor, childrenUnclipped, notes, aliasOf, offset, properties, propertyTypes, node: DeviceTree.Name
        let regNames, ecamEntry: DeviceTree.Name
    }

    init(map: AddressMap, resolved: ResolvedMap?, setting: SwitchSetting) {
        self.resolved = resolved
        self.map = map
        self.setting = setting
        var values: [UInt64] = [map.addressLimit]
        for r in map.regions.flatMap(RegionTree.expand) {
            for e in r.entries { values += [e.range.last, e.range.sizeMinusOne == .max ? .max : e.range.sizeMinusOne + 1] }
            if let host = r.pcie { values += host.windows.map(\.cpuRange.last) }
        }
        rootCells = map.addressBits > 32 ? 2 : DeviceTreeExport.cellsNeeded(values)
        // Both trees intern the same names in the same order, so ids agree between them.
        let all = [
            "#address-cells", "#size-cells", "model", "compatible", "reg", "ranges", "device_type", "bus-range", "no-map", "status",
            "translation", "region", "kind", "extent", "priority", "when", "map-compatible", "seen-by", "seen-by-none", "disabled",
            "overlap-intended", "hypervisor", "children-unclipped", "notes", "alias-of", "offset", "properties", "property-types", "node",
            "reg-names", "ecam-entry",
        ]
        let capacity = map.regions.count * 4
        out = DeviceTree.Builder(capacity: capacity)
        regionColumn.reserveCapacity(capacity * 16)
        nodeColumn.reserveCapacity(capacity * 16)
        var ids: [DeviceTree.Name] = []
        for name in all {
            ids.append(out.name(name))
            _ = notes.name(name)
        }
        notes.beginNode("regions")
        names = Names(
            addressCells: ids[0], sizeCells: ids[1], model: ids[2], compatible: ids[3], reg: ids[4], ranges: ids[5], deviceType: ids[6],
            busRange: ids[7], noMap: ids[8], status: ids[9], translation: ids[10], region: ids[11], kind: ids[12], extent: ids[13],
            priority: ids[14], when: ids[15], mapCompatible: ids[16], seenBy: ids[17], seenByNone: ids[18], disabled: ids[19],
            overlapIntended: ids[20], hypervisor: ids[21], childrenUnclipped: ids[22], notes: ids[23], aliasOf: ids[24], offset: ids[25],
            properties: ids[26], propertyTypes: ids[27], node: ids[28], regNames: ids[29], ecamEntry: ids[30])
    }

    mutating func build(includeDomains: Bool = true) {
        out.beginNode("")
        out.cells(names.addressCells, [UInt32(rootCells)])
        out.cells(names.sizeCells, [UInt32(rootCells)])
        out.strings(names.model, [map.model ?? map.name])
        if !map.compatible.isEmpty { out.strings(names.compatible, map.compatible) }
        var used = Set<String>(minimumCapacity: map.regions.count)
        emit(map.regions, cells: (rootCells, rootCells), atRoot: true, used: &used)
        if includeDomains && !map.domains.isEmpty {
            // Xen dom0less nodes, as the hypervisor reads them from the host tree.
            out.node("chosen") { chosen in
                let resolved = resolved ?? ResolvedMap(map)
                for d in resolved.domains { GuestOutputs.writeXenDomainNode(d, of: resolved, into: &chosen) }
            }
        }
        metadata()
        out.endNode()
    }

    /// Root-level reserved regions without children go below `/reserved-memory`.
    func isReservedLeaf(_ r: Region, atRoot: Bool) -> Bool { atRoot && r.kind == .reserved && r.children.isEmpty }

    /// `body` for each region, with `repeat` expanded (and no copy of the others).
    func forEachExpanded(_ regions: [Region], _ body: (Region) -> Void) {
        for r in regions {
            if r.repetition == nil { body(r) } else { for copy in RegionTree.expand(r) { body(copy) } }
        }
    }

    /// Cells for a region's own child space.
    func childCells(_ r: Region, parent: (Int, Int)) -> (Int, Int) {
        switch r.translation {
        case .identity: return parent
        case .none, .windows:
            var address = false
            var size = false
            forEachExpanded(r.children) { c in
                for e in c.entries {
                    address = address || e.range.last > 0xFFFF_FFFF
                    size = size || e.range.sizeMinusOne >= 0xFFFF_FFFF
                }
                if case .windows(let ws) = c.translation { address = address || ws.contains { $0.parentRange.last > 0xFFFF_FFFF } }
            }
            if case .windows(let ws) = r.translation {
                address = address || ws.contains { $0.childRange.last > 0xFFFF_FFFF }
                size = size || ws.contains { $0.childRange.sizeMinusOne >= 0xFFFF_FFFF }
            }
            return (address ? 2 : 1, size ? 2 : 1)
        }
    }

    static func uniqueName(_ base: String, unit: UInt64?, used: inout Set<String>) -> String {
        var candidate = name(base, unit: unit)
        var n = 1
        while !used.insert(candidate).inserted {
            candidate = name("\(base)-\(n)", unit: unit)
            n += 1
        }
        return candidate
    }

    /// `base@unit` (lowercase hex), built in one go.
    static func name(_ base: String, unit: UInt64?) -> String {
        guard let unit else { return base }
        let count = base.utf8.count + 1 + HexDigits.count(unit, grouped: false)
        return String(unsafeUninitializedCapacity: count) { buffer in
            var i = 0
            for b in base.utf8 {
                buffer[i] = b
                i += 1
            }
            buffer[i] = UInt8(ascii: "@")
            HexDigits.write(unit, grouped: false, endingAt: count, in: buffer)
            return count
        }
    }

    mutating func emit(_ regions: [Region], cells: (Int, Int), atRoot: Bool, used: inout Set<String>) {
        var reservedName: String?
        forEachExpanded(regions) { r in
            if isReservedLeaf(r, atRoot: atRoot) && reservedName == nil {
                reservedName = reservedMemory(regions, used: &used)
            }
            region(r, cells: cells, atRoot: atRoot, reservedNode: reservedName, used: &used)
        }
    }

    /// `/reserved-memory` with every root-level reserved leaf, written where the first one
    /// stands; returns its name.
    mutating func reservedMemory(_ regions: [Region], used: inout Set<String>) -> String {
        let name = Self.uniqueName("reserved-memory", unit: nil, used: &used)
        out.beginNode(name)
        out.cells(names.addressCells, [UInt32(rootCells)])
        out.cells(names.sizeCells, [UInt32(rootCells)])
        out.empty(names.ranges)
        var reservedUsed = Set<String>()
        forEachExpanded(regions) { r in
            guard isReservedLeaf(r, atRoot: true) else { return }
            reservedNames.append(Self.uniqueName(DeviceTreeExport.nodeName(r.name), unit: r.range?.base, used: &reservedUsed))
            out.beginNode(reservedNames[reservedNames.count - 1])
            writeReg(r, cells: (rootCells, rootCells))
            out.empty(names.noMap)
            finishDeviceNode(r)
            reservedCompatibleMatches.append(compatibleMatches(r))
            out.endNode()
        }
        out.endNode()
        return name
    }

    /// `reg` with every entry of the region, and `reg-names` when some entry is named.
    mutating func writeReg(_ r: Region, cells: (Int, Int)) {
        guard !r.entries.isEmpty else { return }
        if r.entries.count == 1 {
            out.pair(names.reg, r.entries[0].range.base, cells.0, r.entries[0].range.sizeMinusOne &+ 1, cells.1)
        } else {
            out.setProperty(names.reg) { bytes in
                for e in r.entries {
                    BigEndian.appendNumber(e.range.base, cells: cells.0, to: &bytes)
                    BigEndian.appendNumber(e.range.sizeMinusOne &+ 1, cells: cells.1, to: &bytes)
                }
            }
        }
        if r.entries.contains(where: { $0.name != nil }) { out.strings(names.regNames, r.entries.map { $0.name ?? "" }) }
    }

    /// Status and the map's own properties, the last of a device node's properties.
    mutating func finishDeviceNode(_ r: Region) {
        if r.disabled || !(r.condition?.evaluate(setting) ?? true) { out.strings(names.status, ["disabled"]) }
        for p in r.properties { out.setProperty(p.name, Self.value(p.value)) }
    }

    /// One region: its device node (unless it lives in `/reserved-memory`, written already),
    /// its annotation, and its children.
    mutating func region(_ r: Region, cells: (Int, Int), atRoot: Bool, reservedNode: String?, used: inout Set<String>) {
        let annotationIndex = annotationCount
        annotationCount += 1
        let mapPathLength = mapPath.count
        let dtPathLength = dtPath.count
        defer {
            mapPath.removeSubrange(mapPathLength...)
            dtPath.removeSubrange(dtPathLength...)
        }
        mapPath.append(0x2F)
        mapPath.append(contentsOf: r.name.utf8)
        var translationNote: String?
        var hasReg = false
        var sameCompatible = false
        var ownCells = cells
        let nodeName: String
        if isReservedLeaf(r, atRoot: atRoot) {
            // Written by `reservedMemory`, in the same order; only the path is needed here.
            nodeName = reservedNames[reservedMet]
            sameCompatible = reservedCompatibleMatches[reservedMet]
            reservedMet += 1
            dtPath.append(0x2F)
            dtPath.append(contentsOf: (reservedNode ?? "reserved-memory").utf8)
            hasReg = r.range != nil || r.properties.contains { $0.name == "reg" }
        } else {
            (nodeName, translationNote, hasReg, ownCells) = deviceNode(r, cells: cells, atRoot: atRoot, used: &used)
            sameCompatible = compatibleMatches(r)
        }
        dtPath.append(0x2F)
        dtPath.append(contentsOf: nodeName.utf8)
        annotation(r, index: annotationIndex, translation: translationNote, hasReg: hasReg, sameCompatible: sameCompatible)
        if !r.children.isEmpty {
            var childUsed = Set<String>(minimumCapacity: r.children.count)
            emit(r.children, cells: ownCells, atRoot: false, used: &childUsed)
        }
        if !isReservedLeaf(r, atRoot: atRoot) { out.endNode() }
    }

    /// Begins the device node of `r` and writes its properties; returns its name, what the
    /// annotation says of its translation, whether it has `reg`, and its children's cells.
    mutating func deviceNode(_ r: Region, cells: (Int, Int), atRoot: Bool, used: inout Set<String>) -> (String, String?, Bool, (Int, Int)) {
        var translationNote: String?
        var ownCells = cells
        let name: String
        switch r.kind {
        case .pcie:
            let host = r.pcie!
            // The unit address is the first `reg` address (dtc unit_address_vs_reg), the ECAM or not.
            let unitValue = r.range?.base ?? host.windows.first?.cpuRange.base
            // A host without `reg` is no PCI host node (the binding requires `reg`): it keeps its
            // windows but not the PCI device_type. An ECAM without compatible is the generic one.
            name = Self.uniqueName(r.entries.isEmpty ? "pci-host" : "pcie", unit: unitValue, used: &used)
            out.beginNode(name)
            if r.ecam != nil || !r.compatible.isEmpty {
                out.strings(names.compatible, r.compatible.isEmpty ? ["pci-host-ecam-generic"] : r.compatible)
            }
            if !r.entries.isEmpty { out.strings(names.deviceType, ["pci"]) }
            out.cells(names.addressCells, [3])
            out.cells(names.sizeCells, [2])
            writeReg(r, cells: cells)
            out.cells(names.busRange, [UInt32(host.firstBus), UInt32(host.lastBus)])
            out.setProperty(names.ranges) { bytes in
                for w in host.windows {
                    BigEndian.appendCell(w.space.physHi | (w.prefetchable ? 0x4000_0000 : 0), to: &bytes)
                    BigEndian.appendNumber(w.pciBase, cells: 2, to: &bytes)
                    BigEndian.appendNumber(w.cpuRange.base, cells: cells.0, to: &bytes)
                    BigEndian.appendNumber(w.cpuRange.sizeMinusOne &+ 1, cells: 2, to: &bytes)
                }
            }
        default:
            let range = r.range
            let isBus = (r.kind == .bus || r.kind == .plWindow) && r.translation != .none
            if atRoot && r.kind == .dram {
                name = Self.uniqueName("memory", unit: range?.base, used: &used)
                out.beginNode(name)
                out.strings(names.deviceType, ["memory"])
            } else if isBus {
                var unitValue: UInt64?
                switch r.translation {
                case .identity: unitValue = range?.base
                case .windows(let ws): unitValue = ws.first?.parentRange.base
                case .none: unitValue = nil
                }
                name = Self.uniqueName(DeviceTreeExport.busName(r.name), unit: unitValue, used: &used)
                out.beginNode(name)
                out.strings(names.compatible, r.compatible.contains("simple-bus") ? r.compatible : r.compatible + ["simple-bus"])
            } else if r.kind == .alias {
                name = Self.uniqueName(DeviceTreeExport.nodeName(r.name), unit: nil, used: &used)
                out.beginNode(name)
            } else {
                name = Self.uniqueName(DeviceTreeExport.nodeName(r.name), unit: range?.base, used: &used)
                out.beginNode(name)
                if r.kind == .sram && r.children.isEmpty && !r.compatible.contains("mmio-sram") {
                    out.strings(names.compatible, r.compatible + ["mmio-sram"])
                } else if !r.compatible.isEmpty {
                    out.strings(names.compatible, r.compatible)
                }
            }
            // Aliases carry no `reg`: they would repeat their target's unit address (dtc's
            // unique_unit_address) and are no device; their range travels in the annotation.
            if !isBus, r.kind != .alias { writeReg(r, cells: cells) }
            if r.kind == .sram && r.children.isEmpty, let range {
                // The SRAM's own offsets start at 0; a size of 4 GiB or more takes two cells.
                let sizeCells = range.sizeMinusOne >= 0xFFFF_FFFF ? 2 : 1
                out.cells(names.addressCells, [UInt32(sizeCells)])
                out.cells(names.sizeCells, [UInt32(sizeCells)])
                out.numbers(names.ranges, [(0, sizeCells), (range.base, cells.0), (range.sizeMinusOne &+ 1, sizeCells)])
                translationNote = "identity"
            } else if !r.children.isEmpty || isBus {
                ownCells = childCells(r, parent: cells)
                out.cells(names.addressCells, [UInt32(ownCells.0)])
                out.cells(names.sizeCells, [UInt32(ownCells.1)])
                switch r.translation {
                case .none:
                    translationNote = "none"
                case .identity:
                    if let range {
                        out.numbers(names.ranges, [(range.base, ownCells.0), (range.base, cells.0), (range.sizeMinusOne &+ 1, ownCells.1)])
                    } else {
                        out.empty(names.ranges)
                    }
                    translationNote = "identity"
                case .windows(let ws):
                    let own = ownCells
                    out.setProperty(names.ranges) { bytes in
                        for w in ws {
                            BigEndian.appendNumber(w.childRange.base, cells: own.0, to: &bytes)
                            BigEndian.appendNumber(w.parentRange.base, cells: cells.0, to: &bytes)
                            BigEndian.appendNumber(w.childRange.sizeMinusOne &+ 1, cells: own.1, to: &bytes)
                        }
                    }
                    translationNote = "windows"
                }
            }
        }
        finishDeviceNode(r)
        return (name, translationNote, out.currentValue(names.reg) != nil, ownCells)
    }

    /// Whether the open device node's `compatible` is exactly the region's (import then reads
    /// it from the node, and the annotation need not repeat it).
    func compatibleMatches(_ r: Region) -> Bool {
        guard let value = out.currentValue(names.compatible) else { return r.compatible.isEmpty }
        var at = value.startIndex
        for c in r.compatible {
            for b in c.utf8 {
                guard at < value.endIndex, value[at] == b else { return false }
                at += 1
            }
            guard at < value.endIndex, value[at] == 0 else { return false }
            at += 1
        }
        return at == value.endIndex
    }

    /// The annotation: the region's map path, node path and kind in the three lists, and a
    /// `region-N` node with whatever else the device node cannot say, when there is any.
    mutating func annotation(_ r: Region, index: Int, translation: String?, hasReg: Bool, sameCompatible: Bool) {
        // One string each, entries separated by spaces (no path or kind holds one), as the other
        // annotation lists are: dt-schema reads an unknown property as text only when it is a
        // single string.
        if index > 0 {
            regionColumn.append(0x20)
            nodeColumn.append(0x20)
            kindColumn.append(0x20)
        }
        regionColumn.append(contentsOf: mapPath)
        nodeColumn.append(contentsOf: dtPath)
        kindColumn.append(contentsOf: r.kind.rawValue.utf8)
        if nodePaths != nil {
            nodePaths![String(decoding: mapPath, as: UTF8.self)] = String(decoding: dtPath, as: UTF8.self)
        }
        let extent = r.range.flatMap { range in !hasReg && r.kind != .pcie ? range : nil }
        // Which entry is the ECAM, when the written node does not say it by the bindings' rule.
        var ecamNote: UInt32?
        if let host = r.pcie {
            let written = out.currentValue(names.compatible).map { DeviceTree.Property(name: "compatible", slice: $0).strings ?? [] } ?? []
            if PCIeHost.configurationEntry(in: r.entries, compatible: written) != host.ecamEntry {
                ecamNote = host.ecamEntry.map(UInt32.init) ?? .max
            }
        }
        guard
            ecamNote != nil || translation != nil || extent != nil || r.priority != 0 || r.condition != nil || !sameCompatible
                || r.seenBy != nil
                || r.disabled
                || r.overlapIntended || r.hypervisorOnly || !r.clipsChildren || r.notes != nil || r.alias != nil || !r.properties.isEmpty
        else { return }
        notes.beginNode("region-\(index)")
        if let translation { notes.strings(names.translation, [translation]) }
        if let ecamNote { notes.cells(names.ecamEntry, [ecamNote]) }
        if let range = extent { notes.pair(names.extent, range.base, 2, range.last, 2) }
        if r.priority != 0 { notes.cells(names.priority, [UInt32(bitPattern: Int32(clamping: r.priority))]) }
        if let c = r.condition { notes.strings(names.when, [c.description]) }
        if !sameCompatible { notes.strings(names.mapCompatible, [r.compatible.joined(separator: " ")]) }
        if let seen = r.seenBy {
            if seen.isEmpty { notes.empty(names.seenByNone) } else { notes.strings(names.seenBy, [seen.joined(separator: " ")]) }
        }
        if r.disabled { notes.empty(names.disabled) }
        if r.overlapIntended { notes.empty(names.overlapIntended) }
        if r.hypervisorOnly { notes.empty(names.hypervisor) }
        if !r.clipsChildren { notes.empty(names.childrenUnclipped) }
        if let n = r.notes { notes.strings(names.notes, [n]) }
        if let a = r.alias {
            notes.strings(names.aliasOf, [a.path])
            notes.numbers(names.offset, [(a.offset, 2)])
        }
        if !r.properties.isEmpty {
            notes.strings(names.properties, [r.properties.map(\.name).joined(separator: " ")])
            notes.strings(names.propertyTypes, [r.properties.map { Self.typeName($0.value) }.joined(separator: " ")])
        }
        notes.endNode()
    }
}
