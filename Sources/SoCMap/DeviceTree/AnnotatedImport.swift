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
        // Rebuild the region tree from the annotations, which are in map pre-order.
        var built: [(path: String, region: Region)] = []
        let annotations = metadata.children.first(where: { $0.hasName("regions") }).map { Array($0.children) } ?? []
        for annotation in annotations {
            let where_ = "/socmap/regions/\(annotation.name)"
            guard let regionPath = annotation["region"]?.string, let nodePath = annotation["node"]?.string,
                let kind = annotation["kind"]?.string.flatMap(RegionKind.init(rawValue:))
            else { throw fail("annotation", "an annotation lacks region, node or kind", path: where_) }
            guard let node = tree.node(at: nodePath) else { throw fail("annotation", "names node \(nodePath), which the tree does not have", path: where_) }
            let name = String(regionPath.split(separator: "/").last ?? "")
            var r = Region(name: name, kind: kind, location: location)
            let parentCells = try cellsAbove(nodePath)
            let entries = try regEntries(node, path: nodePath, cells: parentCells)
            if let e = annotation["extent"]?.cells, e.count == 4 {
                r.range = AddressRange(base: e.number(at: 0, count: 2), last: e.number(at: 2, count: 2))
            } else if kind != .pcie {
                r.range = entries.first.flatMap { range($0, path: nodePath, sizeCellsZero: parentCells.1 == 0) }
            }
            if kind == .pcie {
                r.pcie = try pcie(node, path: nodePath, parentCells: parentCells, disabled: false, compatible: [])?.pcie
            }
            switch annotation["translation"]?.string {
            case "none"?: r.translation = .none
            case "windows"?:
                let own = try childCells(of: node, path: nodePath)
                r.translation = .windows(try windows(node, path: nodePath, own: (own.address, own.size), parent: parentCells) ?? [])
            default: r.translation = .identity
            }
            r.priority = annotation["priority"]?.u32.map { Int(Int32(bitPattern: $0)) } ?? 0
            if let w = annotation["when"]?.string {
                do { r.condition = try Condition(parsing: w) } catch { throw fail("annotation", "bad condition '\(w)': \(error.message)", path: where_) }
            }
            if annotation["seen-by-none"] != nil { r.seenBy = [] } else { r.seenBy = annotation["seen-by"]?.words }
            r.disabled = annotation["disabled"] != nil
            r.overlapIntended = annotation["overlap-intended"] != nil
            r.notes = annotation["notes"]?.string
            r.hypervisorOnly = annotation["hypervisor"] != nil
            r.clipsChildren = annotation["children-unclipped"] == nil
            r.compatible = annotation["map-compatible"]?.words ?? []
            if let target = annotation["alias-of"]?.string {
                r.alias = AliasTarget(path: target, offset: annotation["offset"]?.cells.map { $0.number(at: 0, count: 2) } ?? 0)
            }
            if let names = annotation["properties"]?.words, let types = annotation["property-types"]?.words, names.count == types.count {
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

    /// The `#address-cells`/`#size-cells` that apply to the node at `path` (its parent's).
    mutating func cellsAbove(_ path: String) throws(MapInputError) -> (Int, Int) {
        var components = path.split(separator: "/").map(String.init)
        components.removeLast()
        let parentPath = "/" + components.joined(separator: "/")
        guard let parent = tree.node(at: parentPath) else { return (2, 1) }
        let c = try childCells(of: parent, path: parentPath)
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
