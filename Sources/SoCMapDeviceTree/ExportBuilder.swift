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
    /// The root's `#address-cells`/`#size-cells`: the map's own, else `rootCells` for both.
    let rootPair: (Int, Int)
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
    /// Nodes are written as the map names them, with nothing derived (`DeviceTreeContent.verbatim`).
    let verbatim: Bool
    /// Labels and phandles, found before writing.
    let references: ReferencePlan
    /// Description nodes by the map path of their parent.
    let attached: [String: [AttachedNode]]
    /// Device-tree paths by map path, when a value writes a node's path and names differ.
    var pathsForValues: [String: String]?
    /// Every label written, with its node's device-tree path, in tree order.
    var labelPaths: [(label: String, path: String)] = []
    /// Device-tree paths of the nodes that got a phandle the map did not give them.
    var assignedPhandlePaths: [String] = []
    /// The `/memreserve/` regions met so far (their index in the reservation block).
    var reservationsMet = 0
    /// Whether to write the `/socmap` annotation node.
    var annotations = true
    /// Annotations of the description nodes: where each attached one hangs, and the type of
    /// every property (`path name type` words).
    var attachedColumn: [String] = []
    var nodeTypes: [String] = []

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
        verbatim = map.deviceTree.verbatim
        references = ReferencePlan(map)
        attached = Dictionary(grouping: map.deviceTree.nodes, by: \.parent)
        var values: [UInt64] = [map.addressLimit]
        for r in map.regions.flatMap(RegionTree.expand) {
            for e in r.entries { values += [e.range.last, e.range.sizeMinusOne == .max ? .max : e.range.sizeMinusOne + 1] }
            if let host = r.pcie { values += host.windows.map(\.cpuRange.last) }
        }
        rootCells = map.addressBits > 32 ? 2 : DeviceTreeExport.cellsNeeded(values)
        rootPair = Self.explicitCells(map.deviceTree.properties) ?? (rootCells, rootCells)
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
        if references.writesPaths && !verbatim && pathsForValues == nil {
            // Values that write node paths need every node's name first: a first pass names them.
            var first = ExportBuilder(map: map, resolved: resolved, setting: setting)
            first.nodePaths = [:]
            first.pathsForValues = [:]
            first.build(includeDomains: false)
            pathsForValues = first.nodePaths
        }
        out.beginNode("")
        let cells = rootPair
        out.cells(names.addressCells, [UInt32(cells.0)])
        out.cells(names.sizeCells, [UInt32(cells.1)])
        if let model = map.model ?? (verbatim ? nil : map.name) { out.strings(names.model, [model]) }
        if !map.compatible.isEmpty { out.strings(names.compatible, map.compatible) }
        writeProperties(map.deviceTree.properties, skipping: [])
        out.reservations = map.regions.filter(\.memoryReservation).compactMap { r in
            r.range.map { DeviceTree.Reservation(address: $0.base, size: $0.sizeMinusOne &+ 1) }
        }
        var used = Set<String>(minimumCapacity: map.regions.count)
        let domains = includeDomains && !map.domains.isEmpty
        let chosenWritten = emit(map.regions, cells: cells, atRoot: true, used: &used, domainsInChosen: domains)
        if domains && !chosenWritten {
            // Xen dom0less nodes, as the hypervisor reads them from the host tree.
            let resolved = resolved ?? ResolvedMap(map)
            out.node("chosen") { chosen in
                for d in resolved.domains { GuestOutputs.writeXenDomainNode(d, of: resolved, into: &chosen) }
            }
        }
        if map.deviceTree.symbols && !labelPaths.isEmpty {
            out.node("__symbols__") { symbols in
                for (label, path) in labelPaths { symbols.setProperty(label, .strings([path])) }
            }
        }
        if annotations { metadata() }
        out.endNode()
    }

    /// Root-level reserved regions without children go below `/reserved-memory` (unless the
    /// map is written verbatim, or they are `/memreserve/` entries).
    func isReservedLeaf(_ r: Region, atRoot: Bool) -> Bool {
        !verbatim && atRoot && r.kind == .reserved && r.children.isEmpty && !r.memoryReservation
    }

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

    /// The children of the node being written: its regions, with the description nodes
    /// attached to it where they go. Returns whether a description node `chosen` took the Xen
    /// domain nodes.
    @discardableResult
    mutating func emit(_ regions: [Region], cells: (Int, Int), atRoot: Bool, used: inout Set<String>, domainsInChosen: Bool = false) -> Bool
    {
        var reservedName: String?
        var chosenWritten = false
        let nodes = attached.isEmpty ? [] : attached[atRoot ? "/" : String(decoding: mapPath, as: UTF8.self)] ?? []
        guard !nodes.isEmpty else {
            // No description node here: the regions as they are (no copy of them).
            forEachExpanded(regions) { r in
                if isReservedLeaf(r, atRoot: atRoot) && reservedName == nil { reservedName = reservedMemory(regions, used: &used) }
                region(r, cells: cells, atRoot: atRoot, reservedNode: reservedName, used: &used)
            }
            return false
        }
        for item in Self.ordered(regions, nodes) {
            switch item {
            case .region(let r):
                if isReservedLeaf(r, atRoot: atRoot) && reservedName == nil {
                    reservedName = reservedMemory(regions, used: &used)
                }
                region(r, cells: cells, atRoot: atRoot, reservedNode: reservedName, used: &used)
            case .node(let a):
                let takesDomains = atRoot && domainsInChosen && a.node.name == "chosen"
                chosenWritten = chosenWritten || takesDomains
                noteAttachment(a)
                descriptionNode(a.node, used: &used, domains: takesDomains)
            }
        }
        return chosenWritten
    }

    /// `/reserved-memory` with every root-level reserved leaf, written where the first one
    /// stands; returns its name.
    mutating func reservedMemory(_ regions: [Region], used: inout Set<String>) -> String {
        let name = Self.uniqueName("reserved-memory", unit: nil, used: &used)
        out.beginNode(name)
        out.cells(names.addressCells, [UInt32(rootPair.0)])
        out.cells(names.sizeCells, [UInt32(rootPair.1)])
        out.empty(names.ranges)
        var reservedUsed = Set<String>()
        forEachExpanded(regions) { r in
            guard isReservedLeaf(r, atRoot: true) else { return }
            reservedNames.append(Self.uniqueName(DeviceTreeExport.nodeName(r.name), unit: r.range?.base, used: &reservedUsed))
            out.beginNode(reservedNames[reservedNames.count - 1])
            let handled = writeReg(r, cells: rootPair)
            out.empty(names.noMap)
            finishDeviceNode(r, handled: handled)
            reservedCompatibleMatches.append(compatibleMatches(r))
            out.endNode()
        }
        out.endNode()
        return name
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
        if verbatim {
            // The tree says the rest: import reads it as any device tree, then applies these.
            guard
                r.priority != 0 || r.condition != nil || r.seenBy != nil || r.overlapIntended || r.hypervisorOnly || r.notes != nil
                    || r.alias != nil
            else { return }
            notes.beginNode("region-\(index)")
            if r.priority != 0 { notes.cells(names.priority, [UInt32(bitPattern: Int32(clamping: r.priority))]) }
            if let c = r.condition { notes.strings(names.when, [c.description]) }
            if let seen = r.seenBy {
                if seen.isEmpty { notes.empty(names.seenByNone) } else { notes.strings(names.seenBy, [seen.joined(separator: " ")]) }
            }
            if r.overlapIntended { notes.empty(names.overlapIntended) }
            if r.hypervisorOnly { notes.empty(names.hypervisor) }
            if let n = r.notes { notes.strings(names.notes, [n]) }
            if let a = r.alias {
                notes.strings(names.aliasOf, [a.path])
                notes.numbers(names.offset, [(a.offset, 2)])
            }
            notes.endNode()
            return
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
