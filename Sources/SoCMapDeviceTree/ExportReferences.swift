import SoCMap

/// What export needs to write references: each label's node, each node's phandle (the one the
/// map gives it, or one assigned because something refers to it), found in one walk before the
/// tree is written. Everything is keyed by map path (a region's path, or a description node's
/// below its region).
struct ReferencePlan {
    /// The map path of each label.
    private(set) var labels: [String: String] = [:]
    /// Phandles by map path: the map's own (`phandle` properties) and the assigned ones.
    private(set) var phandles: [String: UInt32] = [:]
    /// Map paths of the nodes whose phandle export assigns (written as a `phandle` property
    /// that the map does not have).
    private(set) var assigned = Set<String>()
    /// Whether some value writes a node's path (`{path: ...}`), which needs node paths first.
    private(set) var writesPaths = false

    static func join(_ parent: String, _ name: String) -> String { parent == "/" || parent.isEmpty ? "/" + name : parent + "/" + name }

    init(_ map: AddressMap) {
        var targets: [NodeReference] = []
        func collect(_ properties: [Region.Property], at path: String) {
            for p in properties {
                switch p.value {
                case .references(let cells): targets += cells.compactMap(\.reference)
                case .pathOf:
                    writesPaths = true
                case .cells(let c) where c.count == 1 && (p.name == "phandle" || (p.name == "linux,phandle" && phandles[path] == nil)):
                    phandles[path] = c[0]
                default: break
                }
            }
        }
        // Paths are built only for what needs one (a label, a phandle): most regions have neither.
        var stack: [String] = []
        func path(_ name: String) -> String { "/" + (stack + [name]).joined(separator: "/") }
        func regions(_ list: [Region]) {
            for r in list {
                for r in r.repetition == nil ? [r] : RegionTree.expand(r) {
                    if let l = r.label { labels[l] = path(r.name) }
                    if r.properties.contains(where: { Self.matters($0) }) { collect(r.properties, at: path(r.name)) }
                    if !r.children.isEmpty {
                        stack.append(r.name)
                        regions(r.children)
                        stack.removeLast()
                    }
                }
            }
        }
        func node(_ n: DescriptionNode, parent: String) {
            let path = Self.join(parent, n.name)
            if let l = n.label { labels[l] = path }
            collect(n.properties, at: path)
            for c in n.children { node(c, parent: path) }
        }
        collect(map.deviceTree.properties, at: "/")
        regions(map.regions)
        for a in map.deviceTree.nodes { node(a.node, parent: a.parent) }
        // Assign phandles as dtc does: counting from 1, skipping the ones the map uses.
        var used = Set(phandles.values)
        var next: UInt32 = 1
        for t in targets {
            guard let path = self.path(of: t), phandles[path] == nil else { continue }
            while used.contains(next) { next += 1 }
            phandles[path] = next
            used.insert(next)
            assigned.insert(path)
        }
    }

    /// Whether a property bears on references: a reference, a node path, or a phandle.
    static func matters(_ p: Region.Property) -> Bool {
        switch p.value {
        case .references, .pathOf: return true
        default: return p.name == "phandle" || p.name == "linux,phandle"
        }
    }

    /// The map path a reference names, if any.
    func path(of r: NodeReference) -> String? {
        switch r {
        case .label(let l): return labels[l]
        case .path(let p): return p
        }
    }

    /// The phandle a reference resolves to (0 when it names nothing: a map built in code that
    /// the file reader would have refused).
    func phandle(of r: NodeReference) -> UInt32 {
        path(of: r).flatMap { phandles[$0] } ?? 0
    }
}
