import SoCMap

extension Reader {
    /// Imports a tree socmap exported: the `/socmap` annotations say which node is which
    /// region and carry what the device tree has no word for.
    mutating func annotated(_ metadata: NodeID) throws(MapInputError) -> AddressMap {
        let root = tree.root
        func text(_ node: NodeID, _ name: String) -> String? { tree.property(name, of: node)?.string }
        var map = AddressMap(
            name: text(metadata, "map-name") ?? "imported", model: text(root, "model"),
            compatible: tree.property("compatible", of: root)?.strings ?? [], source: source)
        if let bits = tree.property("address-bits", of: metadata)?.u32 { map.addressBits = Int(bits) }
        map.profile = text(metadata, "profile")
        map.overlapRule = text(metadata, "overlaps").flatMap(OverlapRule.init(rawValue:)) ?? .priority
        map.notes = text(metadata, "notes")
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
        for i in paths.indices {
            let regionPath = paths[i]
            let nodePath = nodePaths[i]
            let annotation = extras[i]
            func note(_ name: String) -> DeviceTree.Property? { annotation.flatMap { tree.property(name, of: $0) } }
            let annotationPath = "/socmap/regions (region \(i), \(regionPath))"
            guard let kind = RegionKind(rawValue: kinds[i]) else {
                throw fail("annotation", "unknown kind '\(kinds[i])'", path: annotationPath)
            }
            guard let node = index.node(at: nodePath) else {
                throw fail("annotation", "names node \(nodePath), which the tree does not have", path: annotationPath)
            }
            let name = String(regionPath.split(separator: "/").last ?? "")
            var r = Region(name: name, kind: kind, location: location)
            let parentCells = cellsAbove(node)
            if let e = note("extent"), e.count == 16 {
                r.range = AddressRange(base: e.number(at: 0, count: 2) ?? 0, last: e.number(at: 2, count: 2) ?? 0)
            } else {
                r.entries = entries(node, cells: parentCells)
            }
            if kind == .pcie {
                r.pcie = pcie(node, parentCells: parentCells, disabled: false, compatible: [])?.pcie
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
                    tree.property(name, of: node).map { Region.Property(name: name, value: Self.typedValue($0, type)) }
                }
            }
            built.append((regionPath, r))
        }
        map.regions = Self.assemble(built)
        if let list = tree.child(of: metadata, named: "domains") {
            map.domains = try tree.children(of: list).map { n throws(MapInputError) -> Domain in try domain(n) }
        }
        return map
    }

    func domain(_ n: NodeID) throws(MapInputError) -> Domain {
        func p(_ node: NodeID, _ name: String) -> DeviceTree.Property? { tree.property(name, of: node) }
        guard let name = p(n, "id")?.string else { throw fail("annotation", "a domain annotation lacks its id", path: tree.path(of: n)) }
        var d = Domain(
            name: name, trusted: p(n, "trusted") != nil, iommu: p(n, "iommu") != nil, staticMemory: p(n, "static-memory") != nil,
            directMap: p(n, "direct-map") != nil, addressBits: p(n, "address-bits")?.u32.map(Int.init),
            cpus: p(n, "cpus")?.u32.map(Int.init),
            initiator: p(n, "initiator")?.string, notes: p(n, "notes")?.string)
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

    static func typedValue(_ p: DeviceTree.Property, _ type: String) -> Region.Property.Value {
        switch type {
        case "empty": return .empty
        case "string": return .string(p.string ?? "")
        case "strings": return .strings(p.strings ?? [])
        case "cells": return .cells(p.cells ?? [])
        default: return .bytes(Array(p.value))
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
