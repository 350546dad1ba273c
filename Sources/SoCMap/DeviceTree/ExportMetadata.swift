extension ExportBuilder {
    /// `/socmap`: the map's own fields, initiators, switches, the annotations and domains.
    mutating func metadata() {
        out.beginNode("socmap")
        out.strings(names.compatible, ["socmap,annotations"])
        out.addProperty("map-name", .strings([map.name]))
        out.addProperty("address-bits", .cells([UInt32(map.addressBits)]))
        if let p = map.profile { out.addProperty("profile", .strings([p])) }
        if let n = map.notes { out.strings(names.notes, [n]) }
        if !map.initiators.isEmpty {
            var list = DTNode(name: "initiators")
            list.children = map.initiators.enumerated().map { i, initiator in
                var n = DTNode(name: "initiator-\(i)")
                n.set("id", .strings([initiator.name]))
                if let doc = initiator.doc { n.set("doc", .strings([doc])) }
                return n
            }
            out.add(list)
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
            out.add(list)
        }
        out.beginNode("regions")
        for (id, column) in [(names.region, regionColumn), (names.node, nodeColumn), (names.kind, kindColumn)] {
            out.addProperty(id: id) { bytes in
                bytes.append(contentsOf: column)
                bytes.append(0)
            }
        }
        out.append(notes)
        out.endNode()
        if !map.domains.isEmpty { out.add(domainsNode()) }
        out.endNode()
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
