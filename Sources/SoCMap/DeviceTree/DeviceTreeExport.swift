/// Turns a map into a device tree (DESIGN "Formats → Device tree").
///
/// The tree says what Linux needs, in plain device-tree words: explicit root cells, `/memory`
/// nodes, `/reserved-memory` with `no-map`, `mmio-sram`, `simple-bus` with `ranges`, PCIe
/// host bridges with 3-cell `ranges`, `status`. What the device tree has no word for (region
/// names, priorities, conditions, initiators, switches, aliases, notes) goes into one
/// `/socmap` node of annotations, so that the nodes themselves stay schema-clean and
/// import can rebuild the map exactly.
public enum DeviceTreeExport {
    /// The device tree of `map`; regions whose `when` is false under `setting` (defaults when
    /// `nil`) are written with `status = "disabled"`.
    public static func tree(of map: SoCMap, setting: SwitchSetting? = nil) -> DeviceTree {
        var builder = Builder(map: map, setting: setting ?? SwitchSetting(map: map))
        return builder.build()
    }

    /// The device-tree node path of every region, by map path, as `tree(of:)` names them.
    public static func nodePaths(of map: SoCMap) -> [String: String] {
        var builder = Builder(map: map, setting: SwitchSetting(map: map))
        _ = builder.build(includeDomains: false)
        var result: [String: String] = [:]
        for a in builder.annotations {
            if let r = a["region"]?.string, let n = a["node"]?.string { result[r] = n }
        }
        return result
    }

    /// The number of 32-bit cells needed for the largest of `values` (1 or 2).
    static func cellsNeeded(_ values: [UInt64]) -> Int { values.contains { $0 > 0xFFFF_FFFF } ? 2 : 1 }

    /// A node-name-safe version of a region name (device-tree node names take 1-31 characters).
    static func nodeName(_ name: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.utf8.count)
        for b in name.utf8 {
            if b == 0x40 { break }  // drop any @unit; the caller adds the real one
            bytes.append(isNodeNameByte(b) ? b : 0x2D)
            if bytes.count == 31 { break }
        }
        return bytes.isEmpty ? "node" : String(decoding: bytes, as: UTF8.self)
    }

    /// The device-tree node-name alphabet: `[0-9a-zA-Z,._+-]`.
    @inline(__always)
    static func isNodeNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2C || b == 0x2E || b == 0x5F || b == 0x2B || b == 0x2D
    }

    /// A simple-bus node name that dt-schema accepts (`foo-bus`, `bus`, `soc`, `axi`, ...).
    static func busName(_ name: String) -> String {
        let lower = name.lowercased().map { ($0.isLetter && $0.isASCII) || ($0.isNumber && $0.isASCII) ? $0 : "-" }
        var s = String(lower)
        while s.contains("--") { s = s.replacing("--", with: "-") }
        s = String(s.drop { $0 == "-" || $0.isNumber })
        while s.hasSuffix("-") { s.removeLast() }
        if ["bus", "soc", "axi", "ahb", "apb", "localbus"].contains(s) || s.hasSuffix("-bus") { return s.isEmpty ? "bus" : s }
        if s.isEmpty { return "bus" }
        return String(s.prefix(27)) + "-bus"
    }
}

private struct Builder {
    let map: SoCMap
    let setting: SwitchSetting
    var annotations: [DTNode] = []
    var reservedMemory: DTNode?
    var reservedIndex: Int?
    let rootCells: Int

    init(map: SoCMap, setting: SwitchSetting) {
        self.map = map
        self.setting = setting
        var values: [UInt64] = [map.addressLimit]
        for r in map.regions.flatMap(RegionTree.expand) {
            if let range = r.range { values += [range.last, range.sizeMinusOne] }
            if let host = r.pcie { values += host.windows.map(\.cpuRange.last) + (host.ecam.map { [$0.last] } ?? []) }
        }
        rootCells = map.addressBits > 32 ? 2 : DeviceTreeExport.cellsNeeded(values)
    }

    mutating func build(includeDomains: Bool = true) -> DeviceTree {
        var root = DTNode(name: "")
        root.set("#address-cells", .cells([UInt32(rootCells)]))
        root.set("#size-cells", .cells([UInt32(rootCells)]))
        root.set("model", .strings([map.model ?? map.name]))
        if !map.compatible.isEmpty { root.set("compatible", .strings(map.compatible)) }
        var children: [DTNode] = []
        var used = Set<String>()
        emit(map.regions, mapPath: "", dtPath: "", cells: (rootCells, rootCells), atRoot: true, into: &children, used: &used)
        if var reserved = reservedMemory, let index = reservedIndex {
            reserved.set("#address-cells", .cells([UInt32(rootCells)]))
            reserved.set("#size-cells", .cells([UInt32(rootCells)]))
            reserved.set("ranges", .empty)
            children.insert(reserved, at: index)
        }
        if includeDomains && !map.domains.isEmpty {
            // Xen dom0less nodes, as the hypervisor reads them from the host tree.
            var chosen = DTNode(name: "chosen")
            chosen.children = map.domains.map { GuestOutputs(map: map, router: GuestRouter(map: map, domain: $0, setting: setting)).xenDomainNode }
            children.append(chosen)
        }
        root.children = children + [metadataNode()]
        return DeviceTree(root: root)
    }

    func metadataNode() -> DTNode {
        var node = DTNode(name: "socmap")
        node.set("compatible", .strings(["socmap,annotations"]))
        node.set("map-name", .strings([map.name]))
        node.set("address-bits", .cells([UInt32(map.addressBits)]))
        if let p = map.profile { node.set("profile", .strings([p])) }
        if let n = map.notes { node.set("notes", .strings([n])) }
        if !map.initiators.isEmpty {
            var list = DTNode(name: "initiators")
            list.children = map.initiators.enumerated().map { i, initiator in
                var n = DTNode(name: "initiator-\(i)")
                n.set("id", .strings([initiator.name]))
                if let doc = initiator.doc { n.set("doc", .strings([doc])) }
                return n
            }
            node.children.append(list)
        }
        if !map.switches.isEmpty {
            var list = DTNode(name: "switches")
            list.children = map.switches.enumerated().map { i, s in
                var n = DTNode(name: "switch-\(i)")
                n.set("id", .strings([s.name]))
                n.set("values", .strings([s.values.joined(separator: " ")]))
                n.set("default", .strings([s.defaultValue]))
                if let doc = s.doc { n.set("doc", .strings([doc])) }
                return n
            }
            node.children.append(list)
        }
        var regions = DTNode(name: "regions")
        regions.children = annotations
        node.children.append(regions)
        if !map.domains.isEmpty { node.children.append(domainsNode()) }
        return node
    }

    /// Domains with every field, for import to restore them.
    func domainsNode() -> DTNode {
        var list = DTNode(name: "domains")
        list.children = map.domains.enumerated().map { i, d in
            var n = DTNode(name: "domain-\(i)")
            n.set("id", .strings([d.name]))
            if d.trusted { n.set("trusted", .empty) }
            if d.iommu { n.set("iommu", .empty) }
            if d.staticMemory { n.set("static-memory", .empty) }
            if d.directMap { n.set("direct-map", .empty) }
            if let b = d.addressBits { n.set("address-bits", .cells([UInt32(b)])) }
            if let c = d.cpus { n.set("cpus", .cells([UInt32(c)])) }
            if let init_ = d.initiator { n.set("initiator", .strings([init_])) }
            if let notes = d.notes { n.set("notes", .strings([notes])) }
            n.children = d.entries.enumerated().map { j, e in
                var en = DTNode(name: "entry-\(j)")
                en.set("id", .strings([e.name]))
                en.set("mode", .strings([e.mode.name]))
                if let h = e.host { en.set("host", .strings([h])) }
                if let slice = e.slice { en.set("slice", .cells(cells(slice.offset, count: 2) + cells(slice.size, count: 2))) }
                if let g = e.guestBase { en.set("guest-base", .cells(cells(g, count: 2))) }
                if let size = e.size { en.set("size", .cells(cells(size, count: 2))) }
                if let m = e.deviceModel { en.set("device-model", .strings([m])) }
                if e.shared { en.set("shared", .empty) }
                if e.dma { en.set("dma", .empty) }
                if let k = e.kind { en.set("kind", .strings([k.rawValue])) }
                if let t = e.e820Type { en.set("e820-type", .cells([t])) }
                return en
            }
            return n
        }
        return list
    }

    func unit(_ value: UInt64) -> String { String(value, radix: 16) }

    func cellsOf(_ value: UInt64, _ count: Int) -> [UInt32] { cells(value, count: count) }

    func uniqueName(_ base: String, unit: String?, used: inout Set<String>) -> String {
        var candidate = unit.map { "\(base)@\($0)" } ?? base
        var n = 1
        while used.contains(candidate) {
            candidate = unit.map { "\(base)-\(n)@\($0)" } ?? "\(base)-\(n)"
            n += 1
        }
        used.insert(candidate)
        return candidate
    }

    /// Cells for a region's own child space.
    func childCells(_ r: Region, parent: (Int, Int)) -> (Int, Int) {
        switch r.translation {
        case .identity: return parent
        case .none, .windows:
            var addresses: [UInt64] = [], sizes: [UInt64] = []
            for c in r.children.flatMap(RegionTree.expand) {
                if let range = c.range { addresses.append(range.last); sizes.append(range.sizeMinusOne) }
                if case let .windows(ws) = c.translation { addresses += ws.map(\.parentRange.last) }
            }
            if case let .windows(ws) = r.translation {
                addresses += ws.map(\.childRange.last)
                sizes += ws.map(\.childRange.sizeMinusOne)
            }
            return (DeviceTreeExport.cellsNeeded(addresses), DeviceTreeExport.cellsNeeded(sizes))
        }
    }

    mutating func emit(_ regions: [Region], mapPath: String, dtPath: String, cells: (Int, Int), atRoot: Bool, into children: inout [DTNode], used: inout Set<String>) {
        var reservedUsed = Set<String>()
        for r in regions.flatMap(RegionTree.expand) {
            let path = mapPath + "/" + r.name
            let active = !r.disabled && (r.condition?.evaluate(setting) ?? true)
            var node: DTNode
            var annotation = DTNode(name: "region-\(annotations.count)")
            let annotationIndex = annotations.count
            annotations.append(annotation)
            var ownCells = cells
            let placeInReserved = atRoot && r.kind == .reserved && r.children.isEmpty
            switch r.kind {
            case .pcie:
                let host = r.pcie!
                let unitValue = host.ecam?.base ?? host.windows.first?.cpuRange.base
                // A host without ECAM is no `pci-host-ecam-generic` (the PCI binding requires `reg`):
                // it keeps its windows but not the PCI device_type.
                node = DTNode(name: uniqueName(host.ecam == nil ? "pci-host" : "pcie", unit: unitValue.map(unit), used: &used))
                if host.ecam != nil || !r.compatible.isEmpty {
                    node.set("compatible", .strings(r.compatible.isEmpty ? ["pci-host-ecam-generic"] : r.compatible))
                }
                if host.ecam != nil { node.set("device_type", .strings(["pci"])) }
                node.set("#address-cells", .cells([3]))
                node.set("#size-cells", .cells([2]))
                if let e = host.ecam { node.set("reg", .cells(cellsOf(e.base, cells.0) + cellsOf(e.sizeMinusOne &+ 1, cells.1))) }
                node.set("bus-range", .cells([UInt32(host.firstBus), UInt32(host.lastBus)]))
                node.set("ranges", .cells(host.windows.flatMap { w -> [UInt32] in
                    let hi = w.space.physHi | (w.prefetchable ? 0x4000_0000 : 0)
                    return [hi] + cellsOf(w.pciBase, 2) + cellsOf(w.cpuRange.base, cells.0) + cellsOf(w.cpuRange.sizeMinusOne &+ 1, 2)
                }))
            default:
                let range = r.range
                let isBus = (r.kind == .bus || r.kind == .plWindow) && r.translation != .none
                if atRoot && r.kind == .dram {
                    node = DTNode(name: uniqueName("memory", unit: range.map { unit($0.base) }, used: &used))
                    node.set("device_type", .strings(["memory"]))
                } else if isBus {
                    var unitValue: UInt64?
                    switch r.translation {
                    case .identity: unitValue = range?.base
                    case let .windows(ws): unitValue = ws.first?.parentRange.base
                    case .none: unitValue = nil
                    }
                    node = DTNode(name: uniqueName(DeviceTreeExport.busName(r.name), unit: unitValue.map(unit), used: &used))
                    node.set("compatible", .strings(r.compatible.contains("simple-bus") ? r.compatible : r.compatible + ["simple-bus"]))
                } else if placeInReserved {
                    node = DTNode(name: uniqueName(DeviceTreeExport.nodeName(r.name), unit: range.map { unit($0.base) }, used: &reservedUsed))
                } else if r.kind == .alias {
                    node = DTNode(name: uniqueName(DeviceTreeExport.nodeName(r.name), unit: nil, used: &used))
                } else {
                    node = DTNode(name: uniqueName(DeviceTreeExport.nodeName(r.name), unit: range.map { unit($0.base) }, used: &used))
                    let compatible = r.kind == .sram && r.children.isEmpty && !r.compatible.contains("mmio-sram") ? r.compatible + ["mmio-sram"] : r.compatible
                    if !compatible.isEmpty { node.set("compatible", .strings(compatible)) }
                }
                // Aliases carry no `reg`: they would repeat their target's unit address (dtc's
                // unique_unit_address) and are no device; their range travels in the annotation.
                if let range, !isBus, r.kind != .alias {
                    node.set("reg", .cells(cellsOf(range.base, cells.0) + cellsOf(range.sizeMinusOne &+ 1, cells.1)))
                }
                if placeInReserved { node.set("no-map", .empty) }
                if r.kind == .sram && r.children.isEmpty, let range {
                    node.set("#address-cells", .cells([1]))
                    node.set("#size-cells", .cells([1]))
                    node.set("ranges", .cells([0] + cellsOf(range.base, cells.0) + [UInt32(truncatingIfNeeded: range.sizeMinusOne &+ 1)]))
                    annotation.set("translation", .strings(["identity"]))
                } else if !r.children.isEmpty || isBus {
                    ownCells = childCells(r, parent: cells)
                    node.set("#address-cells", .cells([UInt32(ownCells.0)]))
                    node.set("#size-cells", .cells([UInt32(ownCells.1)]))
                    switch r.translation {
                    case .none:
                        annotation.set("translation", .strings(["none"]))
                    case .identity:
                        if let range {
                            node.set("ranges", .cells(cellsOf(range.base, ownCells.0) + cellsOf(range.base, cells.0) + cellsOf(range.sizeMinusOne &+ 1, ownCells.1)))
                        } else {
                            node.set("ranges", .empty)
                        }
                        annotation.set("translation", .strings(["identity"]))
                    case let .windows(ws):
                        node.set("ranges", .cells(ws.flatMap { cellsOf($0.childRange.base, ownCells.0) + cellsOf($0.parentRange.base, cells.0) + cellsOf($0.childRange.sizeMinusOne &+ 1, ownCells.1) }))
                        annotation.set("translation", .strings(["windows"]))
                    }
                }
            }
            if !active { node.set("status", .strings(["disabled"])) }
            for p in r.properties {
                node.set(p.name, Self.value(p.value))
            }
            // The annotation: everything the nodes above cannot say.
            annotation.set("region", .strings([path]))
            annotation.set("kind", .strings([r.kind.rawValue]))
            if let range = r.range, node["reg"] == nil, r.kind != .pcie { annotation.set("extent", .cells(cellsOf(range.base, 2) + cellsOf(range.last, 2))) }
            if r.priority != 0 { annotation.set("priority", .cells([UInt32(bitPattern: Int32(clamping: r.priority))])) }
            if let c = r.condition { annotation.set("when", .strings([c.description])) }
            if !r.compatible.isEmpty { annotation.set("map-compatible", .strings([r.compatible.joined(separator: " ")])) }
            if let seen = r.seenBy {
                if seen.isEmpty { annotation.set("seen-by-none", .empty) } else { annotation.set("seen-by", .strings([seen.joined(separator: " ")])) }
            }
            if r.disabled { annotation.set("disabled", .empty) }
            if r.overlapIntended { annotation.set("overlap-intended", .empty) }
            if r.hypervisorOnly { annotation.set("hypervisor", .empty) }
            if !r.clipsChildren { annotation.set("children-unclipped", .empty) }
            if let n = r.notes { annotation.set("notes", .strings([n])) }
            if let a = r.alias {
                annotation.set("alias-of", .strings([a.path]))
                annotation.set("offset", .cells(cellsOf(a.offset, 2)))
            }
            if !r.properties.isEmpty {
                annotation.set("properties", .strings([r.properties.map(\.name).joined(separator: " ")]))
                annotation.set("property-types", .strings([r.properties.map { Self.typeName($0.value) }.joined(separator: " ")]))
            }
            if !r.children.isEmpty {
                var childUsed = Set<String>()
                let childDT = dtPath + "/" + node.name
                emit(r.children, mapPath: path, dtPath: childDT, cells: ownCells, atRoot: false, into: &node.children, used: &childUsed)
            }
            if placeInReserved {
                annotation.set("node", .strings(["/reserved-memory/" + node.name]))
                if reservedMemory == nil {
                    reservedMemory = DTNode(name: uniqueName("reserved-memory", unit: nil, used: &used))
                    reservedIndex = children.count
                }
                reservedMemory!.children.append(node)
            } else {
                annotation.set("node", .strings([dtPath + "/" + node.name]))
                children.append(node)
            }
            annotations[annotationIndex] = annotation
        }
    }

    static func value(_ v: Property.Value) -> DTProperty.Value {
        switch v {
        case .empty: return .empty
        case .string(let s): return .strings([s])
        case .strings(let list): return .strings(list)
        case .cells(let c): return .cells(c)
        case .bytes(let b): return .bytes(b)
        }
    }

    static func typeName(_ v: Property.Value) -> String {
        switch v {
        case .empty: return "empty"
        case .string: return "string"
        case .strings: return "strings"
        case .cells: return "cells"
        case .bytes: return "bytes"
        }
    }
}
