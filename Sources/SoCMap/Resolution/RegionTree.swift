/// A typed handle on one region of a `RegionTree` (and of the routers and resolved maps built
/// on it): what a route names as its unit. Look it up with `tree[id]` or `router[id]`.
public struct RegionID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Position in the tree's pre-order.
    public let index: Int

    @inlinable
    init(_ index: Int) { self.index = index }

    public static func < (a: RegionID, b: RegionID) -> Bool { a.index < b.index }

    /// `#12`
    public var description: String { "#\(index)" }
}

/// The region tree of a map with repetitions expanded, every region numbered and given
/// its path (`/m-axi-gp0/axi-interconnect/gpio`). Routers, checks and views work on this.
public struct RegionTree: Sendable {
    /// One region in the tree.
    public struct Node: Sendable {
        /// Its handle.
        public let id: RegionID
        /// The region (its `children` are the unexpanded originals; use `children` here).
        public let region: Region
        /// `/parent/name`
        public let path: String
        /// The parent, `nil` at the top level.
        public let parent: RegionID?
        /// The children, in declaration order.
        public internal(set) var children: [RegionID]
        /// 0 at the top level.
        public let depth: Int
        /// Position among its siblings, for the later-declared-wins rule.
        public let siblingIndex: Int

        /// The region's name.
        public var name: String { region.name }
        /// The region's kind.
        public var kind: RegionKind { region.kind }
    }

    /// Every node, parents before children (pre-order).
    public private(set) var nodes: [Node] = []
    /// The top-level regions.
    public private(set) var roots: [RegionID] = []
    private var byPath: [String: RegionID] = [:]
    private var byName: [String: [RegionID]] = [:]

    /// Builds the tree of `map`, expanding repetitions.
    public init(map: AddressMap) {
        // Sized once: growing the path index as it fills is most of the time of a large map.
        func count(_ regions: [Region]) -> Int { regions.reduce(0) { $0 + max($1.repetition?.count ?? 1, 0) * (1 + count($1.children)) } }
        let total = count(map.regions)
        nodes.reserveCapacity(total)
        byPath.reserveCapacity(total)
        roots = add(map.regions, parent: nil, parentPath: "", depth: 0)
    }

    private mutating func add(_ regions: [Region], parent: RegionID?, parentPath: String, depth: Int) -> [RegionID] {
        var ids: [RegionID] = []
        for region in regions.flatMap(Self.expand) {
            let id = RegionID(nodes.count)
            let path = parentPath + "/" + region.name
            nodes.append(Node(id: id, region: region, path: path, parent: parent, children: [], depth: depth, siblingIndex: ids.count))
            if byPath[path] == nil { byPath[path] = id }
            byName[region.name, default: []].append(id)
            ids.append(id)
            nodes[id.index].children = add(region.children, parent: id, parentPath: path, depth: depth + 1)
        }
        return ids
    }

    /// The node of `id`.
    public subscript(id: RegionID) -> Node { nodes[id.index] }

    /// Every region's handle, in pre-order.
    public var ids: [RegionID] { nodes.map(\.id) }

    /// The number of regions.
    public var count: Int { nodes.count }

    /// Every group of siblings: the top level, then each region's children.
    public var siblingGroups: [[RegionID]] { [roots] + nodes.map(\.children) }

    /// The copies a repetition stands for; copies whose range would overflow are dropped
    /// (the map loader reports them).
    public static func expand(_ region: Region) -> [Region] {
        guard let rep = region.repetition else { return [region] }
        var copies: [Region] = []
        for i in 0..<max(rep.count, 0) {
            var copy = region
            copy.repetition = nil
            copy.name = repeatedName(region.name, index: i)
            let (step, o1) = rep.stride.multipliedReportingOverflow(by: UInt64(i))
            let moved = copy.entries.map { Displacement(delta: step, forward: true).apply($0.range) }
            guard !o1, !moved.contains(where: { $0 == nil }) else { break }
            for k in copy.entries.indices { copy.entries[k].range = moved[k]! }
            copies.append(copy)
        }
        return copies
    }

    /// `uart{i}` → `uart3`; a name without `{i}` gets `-3` appended.
    public static func repeatedName(_ name: String, index: Int) -> String {
        name.contains("{i}") ? name.replacing("{i}", with: String(index)) : "\(name)-\(index)"
    }

    /// Finds a region by absolute path (`/a/b`) or by a name that is unique in the map.
    public func resolve(_ reference: String) -> RegionID? {
        if reference.hasPrefix("/") { return byPath[reference] }
        if let ids = byName[reference], ids.count == 1 { return ids[0] }
        return nil
    }

    /// Why `resolve` failed: "no region" or "ambiguous: /a/x, /b/x".
    public func explainUnresolved(_ reference: String) -> String {
        if !reference.hasPrefix("/"), let ids = byName[reference], ids.count > 1 {
            return "'\(reference)' is ambiguous: " + ids.map { self[$0].path }.joined(separator: ", ")
        }
        return "no region '\(reference)'"
    }

    /// The ancestors of a node, nearest first.
    public func ancestors(of id: RegionID) -> [RegionID] {
        var result: [RegionID] = []
        var current = self[id].parent
        while let p = current {
            result.append(p)
            current = self[p].parent
        }
        return result
    }

    /// The node and its descendants, in pre-order.
    public func subtree(_ id: RegionID) -> [RegionID] {
        [id] + self[id].children.flatMap(subtree)
    }

    /// All region names, for did-you-mean suggestions.
    public var allNames: [String] { Array(byName.keys) }
}
