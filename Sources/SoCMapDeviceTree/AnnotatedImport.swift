import SoCMap

extension Reader {
    /// Imports a tree socmap exported: the `/socmap` annotations say which node is which
    /// region and carry what the device tree has no word for.
    mutating func annotated(_ metadata: NodeID) throws(MapInputError) -> AddressMap {
        let root = tree.root
        func text(_ node: NodeID, _ name: String) -> String? { tree.property(name, of: node)?.string }
        var hints = ImportHints()
        if let list = tree.property("labels", of: metadata)?.words {
            for i in stride(from: 0, to: list.count - 1, by: 2) { hints.labels[list[i + 1]] = list[i] }
        }
        hints.assignedPhandles = Set(tree.property("assigned-phandles", of: metadata)?.words ?? [])
        if tree.property("verbatim", of: metadata) != nil { return try annotatedVerbatim(metadata, hints: hints) }
        _ = prepareReferences(hints)
        var map = AddressMap(
            name: text(metadata, "map-name") ?? "imported", model: text(root, "model"),
            compatible: tree.property("compatible", of: root)?.strings ?? [], source: source)
        try readMapFields(metadata, into: &map)
        if tree.property("no-model", of: metadata) != nil { map.model = nil }
        map.deviceTree.symbols = tree.property("symbols", of: metadata) != nil
        // Rebuild the region tree from the annotations, which are in map pre-order: three lists
        // (map path, node path, kind) and `region-N` nodes for regions with more to say.
        var built: [(path: String, region: Region)] = []
        let list = tree.child(of: metadata, named: "regions")
        func words(_ name: String) -> [String] { list.flatMap { tree.property(name, of: $0)?.words } ?? [] }
        let paths = words("region")
        let nodePaths = words("node")
        let kinds = words("kind")
        guard paths.count == nodePaths.count && paths.count == kinds.count else {
            throw fail(
                "annotation", "the region, node and kind lists differ in length (\(paths.count), \(nodePaths.count), \(kinds.count))",
                path: "/socmap/regions")
        }
        var extras: [Int: NodeID] = [:]
        for child in list.map({ Array(tree.children(of: $0)) }) ?? [] {
            let name = tree.name(of: child)
            guard name.hasPrefix("region-"), let index = Int(name.dropFirst(7)), index >= 0, index < paths.count else {
                throw fail(
                    "annotation", "unexpected node \(name): annotations are region-N with N below \(paths.count)", path: "/socmap/regions")
            }
            extras[index] = child
        }
        let index = NodeIndex(tree)
        // Map paths first: a reference by path may name a node met later.
        for i in paths.indices { if let node = index.node(at: nodePaths[i]) { mapPaths[node.index] = paths[i] } }
        noteDescriptionPaths(metadata)
        for i in paths.indices {
            let regionPath = paths[i]
            let nodePath = nodePaths[i]
            let annotation = extras[i]
            func note(_ name: String) -> DeviceTree.Property? { annotation.flatMap { tree.property(name, of: $0) } }
            let annotationPath = "/socmap/regions (region \(i), \(regionPath))"
            guard let kind = RegionKind(rawValue: kinds[i]) else {
                throw fail("annotation", "unknown kind '\(kinds[i])'", path: annotationPath)
            }
            guard let node = nodePath.hasPrefix("memreserve:") ? root : index.node(at: nodePath) else {
                throw fail("annotation", "names node \(nodePath), which the tree does not have", path: annotationPath)
            }
            let name = String(regionPath.split(separator: "/").last ?? "")
            var r = Region(name: name, kind: kind, location: location)
            let parentCells = cellsAbove(node)
            if let e = note("extent"), e.count == 16 {
                r.range = AddressRange(base: e.number(at: 0, count: 2) ?? 0, last: e.number(at: 2, count: 2) ?? 0)
                r.memoryReservation = nodePath.hasPrefix("memreserve:")
            } else {
                r.entries = entries(node, cells: parentCells)
            }
            if kind == .pcie {
                r.pcie = pciHost(node, parentCells: parentCells, entries: r.entries)
                let written = property(ids.compatible, of: node)?.strings ?? []
                if let noted = note("ecam-entry")?.u32 {
                    r.pcie?.ecamEntry = noted == .max ? nil : Int(noted)
                } else {
                    r.pcie?.ecamEntry = PCIeHost.configurationEntry(in: r.entries, compatible: written)
                }
            }
            switch note("translation")?.string {
            case "none"?: r.translation = .none
            case "windows"?:
                let own = childCells(of: node)
                r.translation = .windows(windows(node, own: own.pair, parent: parentCells) ?? [])
            default: r.translation = .identity
            }
            r.priority = note("priority")?.u32.map { Int(Int32(bitPattern: $0)) } ?? 0
            if let w = note("when")?.string {
                do { r.condition = try Condition(parsing: w) } catch {
                    throw fail("annotation", "bad condition '\(w)': \(error.message)", path: annotationPath)
                }
            }
            if note("seen-by-none") != nil { r.seenBy = [] } else { r.seenBy = note("seen-by")?.words }
            r.disabled = note("disabled") != nil
            r.overlapIntended = note("overlap-intended") != nil
            r.notes = note("notes")?.string
            r.hypervisorOnly = note("hypervisor") != nil
            r.clipsChildren = note("children-unclipped") == nil
            // Without map-compatible, the node's compatible is the region's.
            r.compatible = note("map-compatible")?.words ?? property(ids.compatible, of: node)?.strings ?? []
            if let target = note("alias-of")?.string {
                r.alias = AliasTarget(path: target, offset: note("offset")?.number(at: 0, count: 2) ?? 0)
            }
            if let names = note("properties")?.words, let types = note("property-types")?.words, names.count == types.count {
                r.properties = zip(names, types).compactMap { name, type in
                    tree.property(name, of: node).map { Region.Property(name: name, value: typedValue($0, type)) }
                }
            }
            if !nodePath.hasPrefix("memreserve:") { r.label = labels[node.index] }
            built.append((regionPath, r))
        }
        map.regions = Self.assemble(built)
        if let names = tree.property("root-properties", of: metadata)?.words,
            let types = tree.property("root-property-types", of: metadata)?.words, names.count == types.count
        {
            map.deviceTree.properties = zip(names, types).compactMap { name, type in
                tree.property(name, of: root).map { Region.Property(name: name, value: typedValue($0, type)) }
            }
        }
        map.deviceTree.nodes = try describedNodes(metadata, skipDomains: tree.child(of: metadata, named: "domains") != nil)
        try readPeople(metadata, into: &map)
        return map
    }

    /// Initiators, switches and domains, as the annotations list them.
    func readPeople(_ metadata: NodeID, into map: inout AddressMap) throws(MapInputError) {
        func text(_ node: NodeID, _ name: String) -> String? { tree.property(name, of: node)?.string }
        if let list = tree.child(of: metadata, named: "initiators") {
            map.initiators = tree.children(of: list).compactMap { n in text(n, "id").map { Initiator(name: $0, doc: text(n, "doc")) } }
        }
        if let list = tree.child(of: metadata, named: "switches") {
            map.switches = tree.children(of: list).compactMap { n in
                guard let name = text(n, "id"), let values = tree.property("values", of: n)?.words, let d = text(n, "default") else {
                    return nil
                }
                return Switch(name: name, values: values, defaultValue: d, doc: text(n, "doc"))
            }
        }
        if let list = tree.child(of: metadata, named: "domains") {
            map.domains = try tree.children(of: list).map { n throws(MapInputError) -> Domain in try domain(n) }
        }
    }

    /// Map paths of the description nodes the annotations list, and of their children.
    mutating func noteDescriptionPaths(_ metadata: NodeID) {
        guard let list = tree.child(of: metadata, named: "nodes") else { return }
        let words = tree.property("attached", of: list)?.words ?? []
        for i in stride(from: 0, to: words.count - 2, by: 3) {
            guard let node = tree.node(at: words[i + 2]) else { continue }
            var stack = [(node, ReferencePlan.join(words[i], tree.name(of: node)))]
            while let (n, path) = stack.popLast() {
                mapPaths[n.index] = path
                for c in tree.children(of: n) { stack.append((c, path + "/" + tree.name(of: c))) }
            }
        }
    }

    func domain(_ n: NodeID) throws(MapInputError) -> Domain {
        func p(_ node: NodeID, _ name: String) -> DeviceTree.Property? { tree.property(name, of: node) }
        guard let name = p(n, "id")?.string else { throw fail("annotation", "a domain annotation lacks its id", path: tree.path(of: n)) }
        var d = Domain(
            name: name, trusted: p(n, "trusted") != nil, iommu: p(n, "iommu") != nil, staticMemory: p(n, "static-memory") != nil,
            directMap: p(n, "direct-map") != nil, addressBits: p(n, "address-bits")?.u32.map(Int.init),
            cpus: p(n, "cpus")?.u32.map(Int.init),
            initiator: p(n, "initiator")?.string, notes: p(n, "notes")?.string)
        d.nodes = p(n, "nodes")?.words ?? []
        d.layout = p(n, "layout")?.string
        for en in tree.children(of: n) {
            guard let id = p(en, "id")?.string, let mode = p(en, "mode")?.string.flatMap(GuestMode.init(name:)) else {
                throw fail("annotation", "a domain entry annotation lacks id or mode", path: tree.path(of: en))
            }
            var e = DomainEntry(name: id, mode: mode, host: p(en, "host")?.string)
            if let s = p(en, "slice"), s.count == 16 { e.slice = (s.number(at: 0, count: 2) ?? 0, s.number(at: 2, count: 2) ?? 0) }
            e.guestBase = p(en, "guest-base")?.number(at: 0, count: 2)
            e.size = p(en, "size")?.number(at: 0, count: 2)
            e.deviceModel = p(en, "device-model")?.string
            e.shared = p(en, "shared") != nil
            e.dma = p(en, "dma") != nil
            e.kind = p(en, "kind")?.string.flatMap(RegionKind.init(rawValue:))
            e.e820Type = p(en, "e820-type")?.u32
            d.entries.append(e)
        }
        return d
    }

    /// The `#address-cells`/`#size-cells` that apply to `node` (its parent's).
    mutating func cellsAbove(_ node: NodeID) -> (Int, Int) {
        guard let parent = tree.parent(of: node) else { return (2, 1) }
        return childCells(of: parent).pair
    }

    /// A property read back with the type the annotations give it.
    func typedValue(_ p: DeviceTree.Property, _ type: String) -> Region.Property.Value {
        switch type {
        case "empty": return .empty
        case "string": return .string(p.string ?? "")
        case "strings": return .strings(p.strings ?? [])
        case "cells": return .cells(p.cells ?? [])
        default:
            if type.hasPrefix("refs:"), let cells = p.cells, cells.count == type.count - 5 {
                return .references(
                    zip(cells, type.dropFirst(5)).map { cell, letter in
                        guard letter != "n", let node = phandleNodes[cell] else { return .number(cell) }
                        return .reference(reference(to: node, byLabel: letter == "l"))
                    })
            }
            if type.hasPrefix("path:"), let path = p.string, let node = tree.node(at: path) {
                return .pathOf(reference(to: node, byLabel: type == "path:l"))
            }
            return .bytes(Array(p.value))
        }
    }

    /// A reference to `node` by label (when it has one and `byLabel`) or by map path.
    func reference(to node: NodeID, byLabel: Bool) -> NodeReference {
        if byLabel, let l = labels[node.index] { return .label(l) }
        return .path(mapPaths[node.index] ?? tree.path(of: node))
    }

    /// The map fields the annotations carry: name, address bits, profile, overlap rule, notes.
    func readMapFields(_ metadata: NodeID, into map: inout AddressMap) throws(MapInputError) {
        func text(_ name: String) -> String? { tree.property(name, of: metadata)?.string }
        if let name = text("map-name") { map.name = name }
        if let bits = tree.property("address-bits", of: metadata)?.u32 { map.addressBits = Int(bits) }
        map.profile = text("profile")
        map.overlapRule = text("overlaps").flatMap(OverlapRule.init(rawValue:)) ?? .priority
        map.notes = text("notes")
    }

    /// The description nodes the annotations list, each read from the tree with the property
    /// types the annotations give.
    mutating func describedNodes(_ metadata: NodeID, skipDomains: Bool) throws(MapInputError) -> [AttachedNode] {
        guard let list = tree.child(of: metadata, named: "nodes") else { return [] }
        let words = tree.property("attached", of: list)?.words ?? []
        let typeWords = tree.property("types", of: list)?.words ?? []
        guard words.count % 3 == 0, typeWords.count % 3 == 0 else {
            throw fail("annotation", "the attached and types lists are not whole triples", path: "/socmap/nodes")
        }
        var types: [String: [(String, String)]] = [:]
        for i in stride(from: 0, to: typeWords.count, by: 3) {
            types[typeWords[i], default: []].append((typeWords[i + 1], typeWords[i + 2]))
        }
        var result: [AttachedNode] = []
        for i in stride(from: 0, to: words.count, by: 3) {
            guard let node = tree.node(at: words[i + 2]) else {
                throw fail("annotation", "lists node \(words[i + 2]), which the tree does not have", path: "/socmap/nodes")
            }
            let place = words[i + 1]
            let placement: AttachedNode.Placement? = place == "-" ? nil : place == "^" ? .first : .after(String(place.dropFirst()))
            result.append(
                AttachedNode(parent: words[i], placement: placement, node: described(node, types: types, skipDomains: skipDomains)))
        }
        return result
    }

    /// A description node written by socmap, properties typed as the annotations say.
    func described(_ node: NodeID, types: [String: [(String, String)]], skipDomains: Bool) -> DescriptionNode {
        let path = tree.path(of: node)
        let typed = types[path] ?? []
        var n = DescriptionNode(name: tree.name(of: node), label: labels[node.index])
        n.properties = tree.properties(of: node).compactMap { p in
            if p.name == "phandle" && assignedPhandleNodes.contains(node.index) { return nil }
            let type = typed.first { $0.0 == p.name }?.1
            return Region.Property(name: p.name, value: type.map { typedValue(p, $0) } ?? value(of: p))
        }
        n.children = tree.children(of: node).compactMap { c in
            if skipDomains && tree.property("compatible", of: c)?.strings?.contains("xen,domain") == true { return nil }
            return described(c, types: types, skipDomains: skipDomains)
        }
        return n
    }

    /// The host part of a PCI node: the ECAM among `entries`, the bus range, the windows.
    mutating func pciHost(_ node: NodeID, parentCells: (Int, Int), entries: [Region.Entry]) -> PCIeHost {
        var windows: [PCIeWindow] = []
        if let p = property(ids.ranges, of: node), p.count > 0 {
            var issues: [Encoding.Issue] = []
            windows = Encoding.pciWindows(p, parentAddressCells: parentCells.0, issues: &issues)
        }
        var host = PCIeHost(ecamEntry: nil, windows: windows)
        if let b = property(ids.busRange, of: node)?.cells, b.count == 2, b[0] <= b[1], b[1] <= 255 {
            host.firstBus = UInt8(b[0])
            host.lastBus = UInt8(b[1])
        }
        return host
    }

    /// A tree socmap exported verbatim (a map imported from a device tree): read as any device
    /// tree, then given back what the annotations add (names, kinds, priorities, notes, ...).
    mutating func annotatedVerbatim(_ metadata: NodeID, hints: ImportHints) throws(MapInputError) -> AddressMap {
        var map = generic(hints: hints)
        try readMapFields(metadata, into: &map)
        let list = tree.child(of: metadata, named: "regions")
        func words(_ name: String) -> [String] { list.flatMap { tree.property(name, of: $0)?.words } ?? [] }
        let paths = words("region")
        let nodePaths = words("node")
        let kinds = words("kind")
        var byNode: [String: (index: Int, path: String, kind: RegionKind?)] = [:]
        for i in paths.indices where i < nodePaths.count && i < kinds.count {
            byNode[nodePaths[i]] = (i, paths[i], RegionKind(rawValue: kinds[i]))
        }
        var notes: [Int: NodeID] = [:]
        for child in list.map({ Array(tree.children(of: $0)) }) ?? [] {
            if let i = Int(tree.name(of: child).dropFirst(7)) { notes[i] = child }
        }
        var reservation = 0
        func apply(_ regions: inout [Region], parent: String) {
            for k in regions.indices {
                var nodePath = parent == "/" ? "/" + regions[k].name : parent + "/" + regions[k].name
                if regions[k].memoryReservation {
                    nodePath = "memreserve:\(reservation)"
                    reservation += 1
                }
                if let a = byNode[nodePath] {
                    regions[k].name = String(a.path.split(separator: "/").last ?? Substring(regions[k].name))
                    if let kind = a.kind { regions[k].kind = kind }
                    if let n = notes[a.index] { applyNotes(n, to: &regions[k]) }
                }
                apply(&regions[k].children, parent: nodePath)
            }
        }
        apply(&map.regions, parent: "/")
        try readPeople(metadata, into: &map)
        return map
    }

    /// What a `region-N` annotation says beyond the tree, applied to a region read from it.
    func applyNotes(_ n: NodeID, to r: inout Region) {
        func note(_ name: String) -> DeviceTree.Property? { tree.property(name, of: n) }
        r.priority = note("priority")?.u32.map { Int(Int32(bitPattern: $0)) } ?? r.priority
        if let w = note("when")?.string { r.condition = try? Condition(parsing: w) }
        if note("seen-by-none") != nil { r.seenBy = [] } else if let s = note("seen-by")?.words { r.seenBy = s }
        if note("overlap-intended") != nil { r.overlapIntended = true }
        if note("hypervisor") != nil { r.hypervisorOnly = true }
        if let text = note("notes")?.string { r.notes = text }
        if let target = note("alias-of")?.string {
            r.alias = AliasTarget(path: target, offset: note("offset")?.number(at: 0, count: 2) ?? 0)
        }
    }

    /// Nests regions given in pre-order with their map paths.
    static func assemble(_ items: [(path: String, region: Region)]) -> [Region] {
        var index = 0
        func children(of parent: String) -> [Region] {
            var result: [Region] = []
            while index < items.count {
                let path = items[index].path
                let parentOf = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
                guard parentOf == parent else { break }
                var region = items[index].region
                index += 1
                region.children = children(of: path)
                result.append(region)
            }
            return result
        }
        return children(of: "")
    }
}

/// Every node of a tree by path, found in one walk.
struct NodeIndex {
    private var byPath: [String: DeviceTree.NodeID] = [:]

    init(_ tree: DeviceTree) {
        byPath.reserveCapacity(tree.nodeCount)
        var paths: [String] = []  // by node index
        paths.reserveCapacity(tree.nodeCount)
        for node in tree.allNodes {
            let path = tree.parent(of: node).map { Reader.join(paths[$0.index], tree.name(of: node)) } ?? "/"
            paths.append(path)
            byPath[path] = node
        }
    }

    func node(at path: String) -> DeviceTree.NodeID? { byPath[path] }
}
