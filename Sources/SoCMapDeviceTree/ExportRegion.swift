import SoCMap

/// One region's device node, and the description nodes around it.
extension ExportBuilder {
    /// A child of the node being written.
    enum Child {
        case region(Region)
        case node(AttachedNode)
    }

    /// Regions (with `repeat` expanded) and the description nodes attached beside them, in tree
    /// order: the `first` ones, the regions with each `after` node right after its sibling (and
    /// after the nodes placed there before it), then the nodes without a place.
    static func ordered(_ regions: [Region], _ nodes: [AttachedNode]) -> [Child] {
        var items: [Child] = []
        items.reserveCapacity(regions.count + nodes.count)
        for r in regions {
            if r.repetition == nil { items.append(.region(r)) } else { items += RegionTree.expand(r).map(Child.region) }
        }
        guard !nodes.isEmpty else { return items }
        func name(_ c: Child) -> String {
            switch c {
            case .region(let r): return r.name
            case .node(let a): return a.node.name
            }
        }
        var firsts = 0
        var placedAfter: [String: Int] = [:]
        var tail: [Child] = []
        for a in nodes {
            switch a.placement {
            case .first?:
                items.insert(.node(a), at: firsts)
                firsts += 1
            case .after(let sibling)?:
                guard let i = items.firstIndex(where: { name($0) == sibling }) else {
                    tail.append(.node(a))
                    continue
                }
                let k = placedAfter[sibling, default: 0]
                items.insert(.node(a), at: min(i + 1 + k, items.count))
                placedAfter[sibling] = k + 1
            case nil:
                tail.append(.node(a))
            }
        }
        return items + tail
    }

    /// One region: its device node (unless it lives in `/reserved-memory`, written already, or
    /// is a `/memreserve/` entry), its annotation, and its children.
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
        if r.memoryReservation {
            // In the blob's reservation block: no node.
            dtPath.append(contentsOf: "memreserve:\(reservationsMet)".utf8)
            reservationsMet += 1
            annotation(r, index: annotationIndex, translation: nil, hasReg: false, sameCompatible: r.compatible.isEmpty)
            return
        }
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
            sameCompatible = verbatim || compatibleMatches(r)
        }
        dtPath.append(0x2F)
        dtPath.append(contentsOf: nodeName.utf8)
        noteNamesAndHandles(label: r.label)
        annotation(r, index: annotationIndex, translation: translationNote, hasReg: hasReg, sameCompatible: sameCompatible)
        if !r.children.isEmpty || (!attached.isEmpty && attached[String(decoding: mapPath, as: UTF8.self)] != nil) {
            var childUsed = Set<String>(minimumCapacity: r.children.count)
            emit(r.children, cells: ownCells, atRoot: false, used: &childUsed)
        }
        if !isReservedLeaf(r, atRoot: atRoot) { out.endNode() }
    }

    /// Records the written node's path (by map path), its label, and its phandle if export
    /// gave it one; `mapPath` and `dtPath` are the node's.
    mutating func noteNamesAndHandles(label: String?) {
        guard nodePaths != nil || label != nil || !references.assigned.isEmpty else { return }
        let map = String(decoding: mapPath, as: UTF8.self)
        let dt = String(decoding: dtPath, as: UTF8.self)
        if nodePaths != nil { nodePaths![map] = dt }
        if let label { labelPaths.append((label, dt)) }
        if references.assigned.contains(map) { assignedPhandlePaths.append(dt) }
    }

    /// Begins the device node of `r` and writes its properties; returns its name, what the
    /// annotation says of its translation, whether it has `reg`, and its children's cells.
    mutating func deviceNode(_ r: Region, cells: (Int, Int), atRoot: Bool, used: inout Set<String>) -> (String, String?, Bool, (Int, Int)) {
        var translationNote: String?
        var ownCells = cells
        var handled: Set<String> = []
        let name = beginDeviceNode(r, atRoot: atRoot, used: &used)
        let isBus = (r.kind == .bus || r.kind == .plWindow) && (verbatim || r.translation != .none)
        if r.kind == .pcie {
            let host = r.pcie!
            let explicitCells = Self.explicitCells(r.properties)
            if !verbatim || explicitCells == nil {
                out.cells(names.addressCells, [3])
                out.cells(names.sizeCells, [2])
            }
            handled = writeReg(r, cells: cells)
            if !verbatim && !has(r, "bus-range") { out.cells(names.busRange, [UInt32(host.firstBus), UInt32(host.lastBus)]) }
            var issues: [Encoding.Issue] = []
            if let raw = explicitProperty(r, "ranges"),
                Self.sameWindows(Encoding.pciWindows(raw, parentAddressCells: cells.0, issues: &issues), host.windows)
            {
                // Written in its place among the map's properties.
            } else {
                handled.insert("ranges")
                if !host.windows.isEmpty || !verbatim {
                    out.setProperty(names.ranges, bytes: Encoding.pciRanges(host.windows, parentAddressCells: cells.0))
                }
            }
            ownCells = explicitCells ?? (3, 2)
        } else {
            // Aliases carry no `reg`: they would repeat their target's unit address (dtc's
            // unique_unit_address) and are no device; their range travels in the annotation.
            if r.kind != .alias && (verbatim || !isBus) { handled = writeReg(r, cells: cells) }
            if !verbatim && r.kind == .sram && r.children.isEmpty, let range = r.range {
                // The SRAM's own offsets start at 0; a size of 4 GiB or more takes two cells.
                let sizeCells = range.sizeMinusOne >= 0xFFFF_FFFF ? 2 : 1
                out.cells(names.addressCells, [UInt32(sizeCells)])
                out.cells(names.sizeCells, [UInt32(sizeCells)])
                out.numbers(names.ranges, [(0, sizeCells), (range.base, cells.0), (range.sizeMinusOne &+ 1, sizeCells)])
                translationNote = "identity"
            } else if !r.children.isEmpty || isBus {
                if let explicit = Self.explicitCells(r.properties) {
                    ownCells = explicit
                } else if verbatim {
                    // What the tree said by saying nothing: the specification's defaults.
                    ownCells = (2, 1)
                } else {
                    ownCells = childCells(r, parent: cells)
                    out.cells(names.addressCells, [UInt32(ownCells.0)])
                    out.cells(names.sizeCells, [UInt32(ownCells.1)])
                }
                let (note, rangesHandled) = writeRanges(r, own: ownCells, parent: cells)
                translationNote = note
                if rangesHandled { handled.insert("ranges") }
            }
        }
        finishDeviceNode(r, handled: handled)
        return (name, translationNote, out.currentValue(names.reg) != nil, ownCells)
    }

    /// Names the node and begins it with `compatible` and `device_type`: as the map says when
    /// it is written verbatim, else with the unit address, bus name and compatible strings that
    /// Linux and dt-schema expect.
    mutating func beginDeviceNode(_ r: Region, atRoot: Bool, used: inout Set<String>) -> String {
        let name: String
        var compatible = r.compatible
        var deviceType: String?
        let isBus = (r.kind == .bus || r.kind == .plWindow) && r.translation != .none
        // A region named with its unit address (`pcie@10000000`) names its node as written.
        let named = !verbatim && r.name.utf8.contains(0x40) && r.repetition == nil && SoCMap.Names.isValidNodeName(r.name.utf8)
        if verbatim || named {
            // Written as named (a bad or repeated name is refused by the writer, naming it).
            name = r.name
            if named { used.insert(name) }
            if r.kind == .dram && atRoot { deviceType = "memory" }
            if r.kind == .pcie && !r.entries.isEmpty { deviceType = "pci" }
        } else if r.kind == .pcie {
            // The unit address is the first `reg` address (dtc unit_address_vs_reg), the ECAM or not.
            let unitValue = r.range?.base ?? r.pcie!.windows.first?.cpuRange.base
            // A host without `reg` is no PCI host node (the binding requires `reg`): it keeps its
            // windows but not the PCI device_type. An ECAM without compatible is the generic one.
            name = Self.uniqueName(r.entries.isEmpty ? "pci-host" : "pcie", unit: unitValue, used: &used)
            if r.ecam != nil && compatible.isEmpty { compatible = ["pci-host-ecam-generic"] }
            if !r.entries.isEmpty { deviceType = "pci" }
        } else if atRoot && r.kind == .dram {
            name = Self.uniqueName("memory", unit: r.range?.base, used: &used)
            deviceType = "memory"
            // The memory binding takes no compatible; the annotation keeps the map's.
            compatible = []
        } else if isBus {
            var unitValue: UInt64?
            switch r.translation {
            case .identity: unitValue = r.range?.base
            case .windows(let ws): unitValue = ws.first?.parentRange.base
            case .none: unitValue = nil
            }
            name = Self.uniqueName(DeviceTreeExport.busName(r.name), unit: unitValue, used: &used)
            if !compatible.contains("simple-bus") { compatible.append("simple-bus") }
        } else if r.kind == .alias {
            name = Self.uniqueName(DeviceTreeExport.nodeName(r.name), unit: nil, used: &used)
        } else {
            name = Self.uniqueName(DeviceTreeExport.nodeName(r.name), unit: r.range?.base, used: &used)
            if r.kind == .sram && r.children.isEmpty && !compatible.contains("mmio-sram") { compatible.append("mmio-sram") }
        }
        out.beginNode(name)
        if !compatible.isEmpty { out.strings(names.compatible, compatible) }
        if let deviceType, !has(r, "device_type") { out.strings(names.deviceType, [deviceType]) }
        return name
    }

    /// `reg` and `reg-names` from the entries, unless the map wrote them and they still say
    /// what its entries say (an odd `reg` a device tree had, kept by import): those are written
    /// in their place among the map's properties. Returns the names written from the entries
    /// (the map's own are then skipped).
    mutating func writeReg(_ r: Region, cells: (Int, Int)) -> Set<String> {
        let rawReg = explicitProperty(r, "reg")
        let rawNames = explicitProperty(r, "reg-names")
        let generated = r.entries.isEmpty ? nil : Encoding.reg(r.entries, cells: cells)
        let generatedNames = Encoding.regNames(r.entries)
        if rawReg != nil || rawNames != nil {
            let reg = rawReg ?? DeviceTree.Property(name: "reg", value: generated ?? [])
            var issues: [Encoding.Issue] = []
            let decoded = Encoding.entries(reg: reg, names: rawNames?.strings ?? generatedNames, cells: cells, issues: &issues)
            // Memory read from linux,usable-memory keeps its reg as written.
            if decoded == r.entries || (rawReg != nil && has(r, "linux,usable-memory")) {
                if rawReg == nil, let generated { out.setProperty(names.reg, bytes: generated) }
                if rawNames == nil, let n = generatedNames { out.strings(names.regNames, n) }
                return []
            }
        }
        if let generated { out.setProperty(names.reg, bytes: generated) }
        if let n = generatedNames { out.strings(names.regNames, n) }
        return ["reg", "reg-names"]
    }

    /// `ranges` of a node with a child level; returns the annotation's translation word and
    /// whether it wrote `ranges` from the translation (else the map's own is written in place).
    mutating func writeRanges(_ r: Region, own: (Int, Int), parent: (Int, Int)) -> (String, Bool) {
        let note: String
        switch r.translation {
        case .none: note = "none"
        case .identity: note = "identity"
        case .windows: note = "windows"
        }
        if let raw = explicitProperty(r, "ranges") {
            let translatable = (1...4).contains(own.0) && own.1 > 0 && (1...4).contains(parent.0) && parent.1 > 0
            let said: Translation
            if raw.count == 0 {
                said = .identity
            } else if translatable {
                var issues: [Encoding.Issue] = []
                said = .windows(Encoding.windows(raw, own: own, parent: parent, issues: &issues))
            } else {
                said = .none
            }
            if Self.sameTranslation(said, r.translation) { return (note, false) }
        }
        if case .identity = r.translation, !verbatim, r.clipsChildren, let range = r.range {
            out.numbers(names.ranges, [(range.base, own.0), (range.base, parent.0), (range.sizeMinusOne &+ 1, own.1)])
        } else if let bytes = Encoding.ranges(r.translation, own: own, parent: parent) {
            out.setProperty(names.ranges, bytes: bytes)
        }
        return (note, true)
    }

    /// `status`, then the map's own properties (except the ones already written from fields),
    /// then a phandle export assigned.
    mutating func finishDeviceNode(_ r: Region, handled: Set<String>) {
        let off = r.disabled || !(r.condition?.evaluate(setting) ?? true)
        var skipping = handled
        if let raw = explicitProperty(r, "status"), Encoding.isDisabled(raw) == off {
            // Written in its place among the map's properties.
        } else {
            skipping.insert("status")
            if off { out.strings(names.status, ["disabled"]) }
        }
        writeProperties(r.properties, skipping: skipping)
    }

    /// Properties with their references resolved, and the phandle export assigned to the node
    /// being written (at `mapPath`), if any.
    mutating func writeProperties(_ properties: [Region.Property], skipping: Set<String>) {
        for p in properties where !skipping.contains(p.name) { out.setProperty(p.name, value(p.value)) }
        guard !references.assigned.isEmpty else { return }
        let path = mapPath.isEmpty ? "/" : String(decoding: mapPath, as: UTF8.self)
        if references.assigned.contains(path), let handle = references.phandles[path] { out.setProperty("phandle", .cells([handle])) }
    }

    /// A description node and its children, below the node being written.
    mutating func descriptionNode(_ n: DescriptionNode, used: inout Set<String>, domains: Bool = false) {
        used.insert(n.name)
        let mapLength = mapPath.count
        let dtLength = dtPath.count
        defer {
            mapPath.removeSubrange(mapLength...)
            dtPath.removeSubrange(dtLength...)
        }
        mapPath.append(0x2F)
        mapPath.append(contentsOf: n.name.utf8)
        dtPath.append(0x2F)
        dtPath.append(contentsOf: n.name.utf8)
        out.beginNode(n.name)
        writeProperties(n.properties, skipping: [])
        noteNamesAndHandles(label: n.label)
        describe(n)
        var childUsed = Set<String>()
        for c in n.children { descriptionNode(c, used: &childUsed) }
        if domains {
            let resolved = resolved ?? ResolvedMap(map)
            for d in resolved.domains { GuestOutputs.writeXenDomainNode(d, of: resolved, into: &out) }
        }
        out.endNode()
    }

    // MARK: Values

    /// A property value as bytes, references resolved.
    func value(_ v: Region.Property.Value) -> DeviceTree.Value {
        switch v {
        case .empty: return .empty
        case .string(let s): return .strings([s])
        case .strings(let list): return .strings(list)
        case .cells(let c): return .cells(c)
        case .bytes(let b): return .bytes(b)
        case .references(let cells):
            return .cells(
                cells.map { c in
                    switch c {
                    case .number(let n): return n
                    case .reference(let r): return references.phandle(of: r)
                    }
                })
        case .pathOf(let r):
            let path = references.path(of: r) ?? ""
            return .strings([verbatim ? path : pathsForValues?[path] ?? path])
        }
    }

    func has(_ r: Region, _ name: String) -> Bool { r.properties.contains { $0.name == name } }

    /// A property the map gives the region, as bytes (references resolved).
    func explicitProperty(_ r: Region, _ name: String) -> DeviceTree.Property? {
        r.properties.first { $0.name == name }.map { DeviceTree.Property(name: name, value($0.value)) }
    }

    /// `#address-cells`/`#size-cells` among `properties`, when both are there as one cell.
    static func explicitCells(_ properties: [Region.Property]) -> (Int, Int)? {
        func one(_ name: String) -> Int? {
            guard case .cells(let c)? = properties.first(where: { $0.name == name })?.value, c.count == 1 else { return nil }
            return Int(c[0])
        }
        guard let a = one("#address-cells"), let s = one("#size-cells") else { return nil }
        return (a, s)
    }

    static func sameTranslation(_ a: Translation, _ b: Translation) -> Bool {
        switch (a, b) {
        case (.none, .none), (.identity, .identity): return true
        case (.windows(let x), .windows(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.childRange == $1.childRange && $0.parentRange == $1.parentRange }
        default: return false
        }
    }

    static func sameWindows(_ a: [PCIeWindow], _ b: [PCIeWindow]) -> Bool {
        a.count == b.count
            && zip(a, b).allSatisfy {
                $0.space == $1.space && $0.prefetchable == $1.prefetchable && $0.cpuRange == $1.cpuRange && $0.pciBase == $1.pciBase
            }
    }
}
