extension Reader {
    /// Imports a tree socmap exported: the `/socmap` annotations say which node is which
    /// region and carry what the device tree has no word for.
    mutating func annotated(_ metadata: FlatDeviceTree.Node) throws(MapInputError) -> SoCMap {
        let root = tree.root
        var map = SoCMap(name: metadata["map-name"]?.string ?? "imported", model: root["model"]?.string,
                         compatible: root["compatible"]?.strings ?? [], source: source)
        if let bits = metadata["address-bits"]?.u32 { map.addressBits = Int(bits) }
        map.profile = metadata["profile"]?.string
        map.notes = metadata["notes"]?.string
        if let list = metadata.children.first(where: { $0.name == "initiators" }) {
            map.initiators = list.children.compactMap { n in n["id"]?.string.map { Initiator(name: $0, doc: n["doc"]?.string) } }
        }
        if let list = metadata.children.first(where: { $0.name == "switches" }) {
            map.switches = list.children.compactMap { n in
                guard let name = n["id"]?.string, let values = n["values"]?.words, let d = n["default"]?.string else { return nil }
                return Switch(name: name, values: values, defaultValue: d, doc: n["doc"]?.string)
            }
        }
        // Rebuild the region tree from the annotations, which are in map pre-order: three lists
        // (map path, node path, kind) and `region-N` nodes for regions with more to say.
        var built: [(path: String, region: Region)] = []
        let list = metadata.children.first(where: { $0.hasName("regions") })
        let paths = list?["region"]?.words ?? [], nodePaths = list?["node"]?.words ?? [], kinds = list?["kind"]?.words ?? []
        guard paths.count == nodePaths.count && paths.count == kinds.count else {
            throw fail("annotation", "the region, node and kind lists differ in length (\(paths.count), \(nodePaths.count), \(kinds.count))", path: "/socmap/regions")
        }
        var extras: [Int: FlatDeviceTree.Node] = [:]
        for child in list?.children ?? FlatDeviceTree.Children(tree: tree, first: 0, end: 0) {
            let name = child.name
            guard name.hasPrefix("region-"), let index = Int(name.dropFirst(7)), index >= 0, index < paths.count else {
                throw fail("annotation", "unexpected node \(name): annotations are region-N with N below \(paths.count)", path: "/socmap/regions")
            }
            extras[index] = child
        }
        let index = NodeIndex(tree)
        for i in paths.indices {
            let regionPath = paths[i], nodePath = nodePaths[i], annotation = extras[i]
            let where_ = "/socmap/regions (region \(i), \(regionPath))"
            guard let kind = RegionKind(rawValue: kinds[i]) else { throw fail("annotation", "unknown kind '\(kinds[i])'", path: where_) }
            guard let node = index.node(at: nodePath) else { throw fail("annotation", "names node \(nodePath), which the tree does not have", path: where_) }
            let name = String(regionPath.split(separator: "/").last ?? "")
            var r = Region(name: name, kind: kind, location: location)
            let parentCells = try cellsAbove(node, index: index)
            let entries = try regEntries(node, path: nodePath, cells: parentCells)
            if let e = annotation?["extent"]?.cells, e.count == 4 {
                r.range = AddressRange(base: e.number(at: 0, count: 2), last: e.number(at: 2, count: 2))
            } else if kind != .pcie {
                r.range = entries.first.flatMap { range($0, path: nodePath, sizeCellsZero: parentCells.1 == 0) }
            }
            if kind == .pcie {
                r.pcie = try pcie(node, path: nodePath, parentCells: parentCells, disabled: false, compatible: [])?.pcie
            }
            switch annotation?["translation"]?.string {
            case "none"?: r.translation = .none
            case "windows"?:
                let own = try childCells(of: node, path: nodePath)
                r.translation = .windows(try windows(node, path: nodePath, own: (own.address, own.size), parent: parentCells) ?? [])
            default: r.translation = .identity
            }
            r.priority = annotation?["priority"]?.u32.map { Int(Int32(bitPattern: $0)) } ?? 0
            if let w = annotation?["when"]?.string {
                do { r.condition = try Condition(parsing: w) } catch { throw fail("annotation", "bad condition '\(w)': \(error.message)", path: where_) }
            }
            if annotation?["seen-by-none"] != nil { r.seenBy = [] } else { r.seenBy = annotation?["seen-by"]?.words }
            r.disabled = annotation?["disabled"] != nil
            r.overlapIntended = annotation?["overlap-intended"] != nil
            r.notes = annotation?["notes"]?.string
            r.hypervisorOnly = annotation?["hypervisor"] != nil
            r.clipsChildren = annotation?["children-unclipped"] == nil
            // Without map-compatible, the node's compatible is the region's.
            r.compatible = annotation?["map-compatible"]?.words ?? node.property(ids.compatible)?.strings ?? []
            if let target = annotation?["alias-of"]?.string {
                r.alias = AliasTarget(path: target, offset: annotation?["offset"]?.cells.map { $0.number(at: 0, count: 2) } ?? 0)
            }
            if let names = annotation?["properties"]?.words, let types = annotation?["property-types"]?.words, names.count == types.count {
                r.properties = zip(names, types).compactMap { name, type in
                    node[name].map { Property(name: name, value: Self.typedValue($0, type)) }
                }
            }
            built.append((regionPath, r))
        }
        map.regions = Self.assemble(built)
        if let list = metadata.children.first(where: { $0.name == "domains" }) {
            map.domains = try list.children.map { n throws(MapInputError) -> Domain in try domain(n) }
        }
        return map
    }

    mutating func domain(_ n: FlatDeviceTree.Node) throws(MapInputError) -> Domain {
        guard let name = n["id"]?.string else { throw fail("annotation", "a domain annotation lacks its id", path: "/socmap/domains/\(n.name)") }
        var d = Domain(name: name, trusted: n["trusted"] != nil, iommu: n["iommu"] != nil, staticMemory: n["static-memory"] != nil,
                       directMap: n["direct-map"] != nil, addressBits: n["address-bits"]?.u32.map(Int.init), cpus: n["cpus"]?.u32.map(Int.init),
                       initiator: n["initiator"]?.string, notes: n["notes"]?.string)
        for en in n.children {
            guard let id = en["id"]?.string, let mode = en["mode"]?.string.flatMap(GuestMode.init(name:)) else {
                throw fail("annotation", "a domain entry annotation lacks id or mode", path: "/socmap/domains/\(n.name)/\(en.name)")
            }
            var e = DomainEntry(name: id, mode: mode, host: en["host"]?.string)
            if let s = en["slice"]?.cells, s.count == 4 { e.slice = (s.number(at: 0, count: 2), s.number(at: 2, count: 2)) }
            e.guestBase = en["guest-base"]?.cells.map { $0.number(at: 0, count: 2) }
            e.size = en["size"]?.cells.map { $0.number(at: 0, count: 2) }
            e.deviceModel = en["device-model"]?.string
            e.shared = en["shared"] != nil
            e.dma = en["dma"] != nil
            e.kind = en["kind"]?.string.flatMap(RegionKind.init(rawValue:))
            e.e820Type = en["e820-type"]?.u32
            d.entries.append(e)
        }
        return d
    }

    /// The `#address-cells`/`#size-cells` that apply to `node` (its parent's).
    mutating func cellsAbove(_ node: FlatDeviceTree.Node, index: NodeIndex) throws(MapInputError) -> (Int, Int) {
        guard let parent = index.parent(of: node) else { return (2, 1) }
        let c = try childCells(of: parent, path: parent.path)
        return (c.address, c.size)
    }

    static func typedValue(_ p: FlatDeviceTree.Property, _ type: String) -> Property.Value {
        switch type {
        case "empty": return .empty
        case "string": return .string(p.string ?? "")
        case "strings": return .strings(p.strings ?? [])
        case "cells": return .cells(p.cells ?? [])
        default: return .bytes(Array(p.bytes))
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

/// Every node of a tree by path, and every node's parent, found in one walk.
struct NodeIndex {
    let tree: FlatDeviceTree
    private var byPath: [String: Int] = [:]
    private var parents: [Int]

    init(_ tree: FlatDeviceTree) {
        self.tree = tree
        parents = Array(repeating: -1, count: tree.nodes.count)
        guard !tree.nodes.isEmpty else { return }
        byPath.reserveCapacity(tree.nodes.count)
        byPath["/"] = 0
        var paths = [""]  // path of each open node, by depth
        var ends = [tree.nodes[0].end]
        var stack = [0]
        for i in 1..<tree.nodes.count {
            while let end = ends.last, end <= i {
                ends.removeLast()
                stack.removeLast()
                paths.removeLast()
            }
            let path = paths[paths.count - 1] + "/" + FlatDeviceTree.Node(tree: tree, index: i).name
            byPath[path] = i
            parents[i] = stack[stack.count - 1]
            paths.append(path)
            ends.append(tree.nodes[i].end)
            stack.append(i)
        }
    }

    func node(at path: String) -> FlatDeviceTree.Node? { byPath[path].map { FlatDeviceTree.Node(tree: tree, index: $0) } }

    func parent(of node: FlatDeviceTree.Node) -> FlatDeviceTree.Node? {
        parents[node.index] >= 0 ? FlatDeviceTree.Node(tree: tree, index: parents[node.index]) : nil
    }
}
