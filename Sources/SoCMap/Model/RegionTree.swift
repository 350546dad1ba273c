/// The region tree of a map with repetitions expanded, every region numbered and given
/// its path (`/m-axi-gp0/axi-interconnect/gpio`). Routers, checks and views work on this.
public struct RegionTree: Sendable {
    /// One region in the tree.
    public struct Node: Sendable {
        /// The region (its `children` are the unexpanded originals; use `children` here).
        public let region: Region
        /// `/parent/name`
        public let path: String
        /// Index of the parent node, `nil` at the top level.
        public let parent: Int?
        /// Indices of the children, in declaration order.
        public internal(set) var children: [Int]
        /// 0 at the top level.
        public let depth: Int
        /// Position among its siblings, for the later-declared-wins rule.
        public let siblingIndex: Int
    }

    /// Every node, parents before children (pre-order).
    public private(set) var nodes: [Node] = []
    /// The top-level nodes.
    public private(set) var roots: [Int] = []
    private var byPath: [String: Int] = [:]
    private var byName: [String: [Int]] = [:]

    /// Builds the tree of `map`, expanding repetitions.
    public init(map: SoCMap) {
        roots = add(map.regions, parent: nil, parentPath: "", depth: 0)
    }

    private mutating func add(_ regions: [Region], parent: Int?, parentPath: String, depth: Int) -> [Int] {
        var ids: [Int] = []
        for region in regions.flatMap(Self.expand) {
            let id = nodes.count
            let path = parentPath + "/" + region.name
            nodes.append(Node(region: region, path: path, parent: parent, children: [], depth: depth, siblingIndex: ids.count))
            if byPath[path] == nil { byPath[path] = id }
            byName[region.name, default: []].append(id)
            ids.append(id)
            nodes[id].children = add(region.children, parent: id, parentPath: path, depth: depth + 1)
        }
        return ids
    }

    /// The copies a repetition stands for; copies whose range would overflow are dropped
    /// (the map loader reports them).
    public static func expand(_ region: Region) -> [Region] {
        guard let rep = region.repetition else { return [region] }
        var copies: [Region] = []
        for i in 0..<max(rep.count, 0) {
            var copy = region
            copy.repetition = nil
            copy.name = repeatedName(region.name, index: i)
            if let range = region.range {
                let (step, o1) = rep.stride.multipliedReportingOverflow(by: UInt64(i))
                guard !o1, let moved = Displacement(delta: step, forward: true).apply(range) else { break }
                copy.range = moved
            }
            copies.append(copy)
        }
        return copies
    }

    /// `uart{i}` → `uart3`; a name without `{i}` gets `-3` appended.
    public static func repeatedName(_ name: String, index: Int) -> String {
        name.contains("{i}") ? name.replacing("{i}", with: String(index)) : "\(name)-\(index)"
    }

    /// Finds a region by absolute path (`/a/b`) or by a name that is unique in the map.
    public func resolve(_ reference: String) -> Int? {
        if reference.hasPrefix("/") { return byPath[reference] }
        if let ids = byName[reference], ids.count == 1 { return ids[0] }
        return nil
    }

    /// Why `resolve` failed: "no region" or "ambiguous: /a/x, /b/x".
    public func explainUnresolved(_ reference: String) -> String {
        if !reference.hasPrefix("/"), let ids = byName[reference], ids.count > 1 {
            return "'\(reference)' is ambiguous: " + ids.map { nodes[$0].path }.joined(separator: ", ")
        }
        return "no region '\(reference)'"
    }

    /// The ancestors of a node, nearest first.
    public func ancestors(of id: Int) -> [Int] {
        var result: [Int] = []
        var current = nodes[id].parent
        while let p = current {
            result.append(p)
            current = nodes[p].parent
        }
        return result
    }

    /// All region names, for did-you-mean suggestions.
    public var allNames: [String] { Array(byName.keys) }
}
