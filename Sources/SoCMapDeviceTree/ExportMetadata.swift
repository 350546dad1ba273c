import SoCMap

extension ExportBuilder {
    /// `/socmap`: the map's own fields, initiators, switches, the annotations and domains.
    mutating func metadata() {
        out.beginNode("socmap")
        out.strings(names.compatible, ["socmap,annotations"])
        out.setProperty("map-name", .strings([map.name]))
        out.setProperty("address-bits", .cells([UInt32(map.addressBits)]))
        if let p = map.profile { out.setProperty("profile", .strings([p])) }
        if map.overlapRule != .priority { out.setProperty("overlaps", .strings([map.overlapRule.rawValue])) }
        if verbatim { out.setProperty("verbatim", .empty) }
        // The root says `model` = the map's name when the map has no model.
        if !verbatim && map.model == nil { out.setProperty("no-model", .empty) }
        if map.deviceTree.symbols { out.setProperty("symbols", .empty) }
        if !map.deviceTree.symbols && !labelPaths.isEmpty {
            out.setProperty("labels", .strings([labelPaths.map { "\($0.label) \($0.path)" }.joined(separator: " ")]))
        }
        if !assignedPhandlePaths.isEmpty { out.setProperty("assigned-phandles", .strings([assignedPhandlePaths.joined(separator: " ")])) }
        if !verbatim && !map.deviceTree.properties.isEmpty {
            out.setProperty("root-properties", .strings([map.deviceTree.properties.map(\.name).joined(separator: " ")]))
            out.setProperty(
                "root-property-types", .strings([map.deviceTree.properties.map { Self.typeName($0.value) }.joined(separator: " ")]))
        }

        if let n = map.notes { out.strings(names.notes, [n]) }
        // Children only after every property of the node.
        if !attachedColumn.isEmpty {
            out.node("nodes") { nodes in
                nodes.setProperty("attached", .strings([attachedColumn.joined(separator: " ")]))
                if !nodeTypes.isEmpty { nodes.setProperty("types", .strings([nodeTypes.joined(separator: " ")])) }
            }
        }
        if !map.initiators.isEmpty {
            out.node("initiators") { list in
                for (i, initiator) in map.initiators.enumerated() {
                    list.node("initiator-\(i)") { n in
                        n.setProperty("id", .strings([initiator.name]))
                        if let doc = initiator.doc { n.setProperty("doc", .strings([doc])) }
                    }
                }
            }
        }
        if !map.switches.isEmpty {
            out.node("switches") { list in
                for (i, s) in map.switches.enumerated() {
                    list.node("switch-\(i)") { n in
                        n.setProperty("id", .strings([s.name]))
                        n.setProperty("values", .strings([s.values.joined(separator: " ")]))
                        n.setProperty("default", .strings([s.defaultValue]))
                        if let doc = s.doc { n.setProperty("doc", .strings([doc])) }
                    }
                }
            }
        }
        out.beginNode("regions")
        for (id, column) in [(names.region, regionColumn), (names.node, nodeColumn), (names.kind, kindColumn)] {
            out.setProperty(id) { bytes in
                bytes.append(contentsOf: column)
                bytes.append(0)
            }
        }
        // The `region-N` notes, built beside the device nodes under a root of their own.
        notes.endNode()
        let annotations = notes.tree()
        for child in annotations.children(of: annotations.root) { out.append(child, of: annotations) }
        out.endNode()
        if !map.domains.isEmpty { writeDomains() }
        out.endNode()
    }

    /// Domains with every field, for import to restore them.
    mutating func writeDomains() {
        out.node("domains") { list in
            for (i, d) in map.domains.enumerated() {
                list.node("domain-\(i)") { n in
                    n.setProperty("id", .strings([d.name]))
                    if d.trusted { n.setProperty("trusted", .empty) }
                    if d.iommu { n.setProperty("iommu", .empty) }
                    if d.staticMemory { n.setProperty("static-memory", .empty) }
                    if d.directMap { n.setProperty("direct-map", .empty) }
                    if let b = d.addressBits { n.setProperty("address-bits", .cells([UInt32(b)])) }
                    if let c = d.cpus { n.setProperty("cpus", .cells([UInt32(c)])) }
                    if let initiator = d.initiator { n.setProperty("initiator", .strings([initiator])) }
                    if let layout = d.layout { n.setProperty("layout", .strings([layout])) }
                    if let notes = d.notes { n.setProperty("notes", .strings([notes])) }
                    if !d.nodes.isEmpty { n.setProperty("nodes", .strings([d.nodes.joined(separator: " ")])) }
                    for (j, e) in d.entries.enumerated() {
                        n.node("entry-\(j)") { en in Self.writeEntry(e, into: &en) }
                    }
                }
            }
        }
    }

    static func writeEntry(_ e: DomainEntry, into en: inout DeviceTree.Builder) {
        en.setProperty("id", .strings([e.name]))
        en.setProperty("mode", .strings([e.mode.name]))
        if let h = e.host { en.setProperty("host", .strings([h])) }
        if let slice = e.slice { en.numbers(en.name("slice"), [(slice.offset, 2), (slice.size, 2)]) }
        if let g = e.guestBase { en.numbers(en.name("guest-base"), [(g, 2)]) }
        if let size = e.size { en.numbers(en.name("size"), [(size, 2)]) }
        if let m = e.deviceModel { en.setProperty("device-model", .strings([m])) }
        if e.shared { en.setProperty("shared", .empty) }
        if e.dma { en.setProperty("dma", .empty) }
        if let k = e.kind { en.setProperty("kind", .strings([k.rawValue])) }
        if let t = e.e820Type { en.setProperty("e820-type", .cells([t])) }
    }

    /// A value's type for the annotations: `empty`, `string`, `strings`, `cells`, `bytes`;
    /// `refs:` with one letter per cell (`n` number, `l` label, `p` path) for cells with
    /// references; `path:l` or `path:p` for a node's path.
    static func typeName(_ v: Region.Property.Value) -> String {
        func letter(_ r: NodeReference) -> String {
            if case .label = r { return "l" }
            return "p"
        }
        switch v {
        case .empty: return "empty"
        case .string: return "string"
        case .strings: return "strings"
        case .cells: return "cells"
        case .bytes: return "bytes"
        case .references(let cells):
            return "refs:"
                + cells.map { c in
                    switch c {
                    case .number: return "n"
                    case .reference(let r): return letter(r)
                    }
                }.joined()
        case .pathOf(let r): return "path:" + letter(r)
        }
    }

    /// Notes where an attached description node hangs: its parent's map path, its place
    /// (`-` none, `^` first, `>NAME` after a sibling) and its device-tree path.
    mutating func noteAttachment(_ a: AttachedNode) {
        let place: String
        switch a.placement {
        case nil: place = "-"
        case .first?: place = "^"
        case .after(let s)?: place = ">" + s
        }
        let dt = String(decoding: dtPath, as: UTF8.self) + "/" + a.node.name
        attachedColumn.append("\(a.parent) \(place) \(dt)")
    }

    /// Notes the types of a description node's properties (the node being written), for
    /// import to read them back as the map wrote them. Verbatim maps read back as any device
    /// tree does, and need none.
    mutating func describe(_ n: DescriptionNode) {
        guard !verbatim else { return }
        let dt = String(decoding: dtPath, as: UTF8.self)
        for p in n.properties { nodeTypes.append("\(dt) \(p.name) \(Self.typeName(p.value))") }
    }
}
