public import SoCMap

/// Per-initiator views as a System Device Tree says them (Lopper's specification): one
/// `cpus,cluster` node per initiator, whose `address-map` lists quartets of *cluster
/// address*, *phandle of the node holding the resource*, *root address* and *size*.
///
/// Export writes one quartet per span of the initiator's flat view (the unit that decodes it,
/// where it lands for the cluster, where the node lies in the root space); reserved holes
/// decode nothing and get none. Import (`Reader.applySystemDeviceTree`) reads them back.
public enum SystemDeviceTree {
    /// The cluster node of an initiator: `cpus-` and its name (made a node name).
    public static func clusterNodeName(_ initiator: String) -> String { Names.nodeName("cpus-" + initiator, unit: nil) }

    /// The initiator a cluster node stands for: its node name without unit address, less a
    /// leading `cpus-` (`cpus-cluster-r5` → `cluster-r5`, `cpus-hp` → `hp`); `/cpus` is `cpus`.
    public static func initiatorName(ofCluster nodeName: String) -> String {
        let base = nodeName.split(separator: "@", maxSplits: 1).first.map(String.init) ?? nodeName
        return base.hasPrefix("cpus-") && base.count > 5 ? String(base.dropFirst(5)) : base
    }

    /// One quartet: the cluster sees `size` bytes at `clusterAddress`, which are the resource
    /// of `node` (a map path) at `rootAddress`.
    public struct Quartet: Hashable, Sendable {
        /// Where the cluster sees the resource.
        public var clusterAddress: UInt64
        /// The map path of the node holding it.
        public var node: String
        /// Where the node's resource lies (root space; an indirect bus's own addresses for a
        /// node on one).
        public var rootAddress: UInt64
        /// How many bytes the cluster sees.
        public var size: UInt64

        /// Creates a quartet.
        public init(clusterAddress: UInt64, node: String, rootAddress: UInt64, size: UInt64) {
            self.clusterAddress = clusterAddress
            self.node = node
            self.rootAddress = rootAddress
            self.size = size
        }
    }

    /// The quartets of one view: a span of its flat view each (the root address where the
    /// unit's entry lies whoever sees it), reserved holes left out, spans that cannot be sized
    /// in 64 bits (the whole space) split in two.
    public static func quartets(of router: Router) -> [Quartet] {
        var result: [Quartet] = []
        for s in router.mergedSegments {
            let node = router.tree[s.unit]
            guard node.kind != .reserved else { continue }
            let origin: UInt64
            switch s.target {
            case .region, .pcieConfig:
                let placed = router.map.entryPlacements(of: s.unit)
                origin = (placed.indices.contains(s.entry) ? placed[s.entry]?.base : nil) ?? node.region.entries[s.entry].range.base
            case .pcieWindow(let i):
                origin = node.region.pcie?.windows[i].cpuRange.base ?? s.range.base
            }
            let root = origin &+ s.offsetAtBase
            if s.range.sizeMinusOne == .max {
                let half = UInt64(1) << 63
                result.append(Quartet(clusterAddress: 0, node: node.path, rootAddress: root, size: half))
                result.append(Quartet(clusterAddress: half, node: node.path, rootAddress: root &+ half, size: half))
            } else {
                result.append(Quartet(clusterAddress: s.range.base, node: node.path, rootAddress: root, size: s.range.sizeMinusOne + 1))
            }
        }
        return result
    }

    /// `map` with one `cpus,cluster` node per initiator (one named `cpus-all` when it has
    /// none; the `cpus` initiator's goes on `/cpus`) under the root, carrying the view of
    /// `setting` as an `address-map`; cluster nodes the map already had (an imported System
    /// Device Tree's) are replaced, and alias regions left out (the address-maps say them).
    ///
    /// - Throws: `RouterError` when a view cannot be built.
    public static func withClusters(_ map: AddressMap, setting: SwitchSetting) throws(RouterError) -> AddressMap {
        let resolved = ResolvedMap(map)
        let cells = map.addressBits > 32 ? 2 : 1
        var copy = map
        copy.deviceTree.nodes.removeAll { $0.parent == "/" && isCluster($0.node) }
        // Aliases are views; the address-maps carry them (a tree has no node for one).
        func dropAliases(_ regions: inout [Region]) {
            regions.removeAll { $0.kind == .alias }
            for i in regions.indices { dropAliases(&regions[i].children) }
        }
        dropAliases(&copy.regions)
        // A bus no initiator sees in place (reached only through aliases, like the Zynq-7000's
        // OCM) is what the specification calls an indirect bus: its children keep their bus
        // addresses, which the quartets give, and no cluster sees it by default.
        func markIndirect(_ regions: inout [Region]) {
            for i in regions.indices {
                if regions[i].kind == .bus, regions[i].seenBy == [], regions[i].translation == .identity {
                    regions[i].compatible = ["indirect-bus"]
                    regions[i].translation = .none
                }
                markIndirect(&regions[i].children)
            }
        }
        markIndirect(&copy.regions)
        let views: [(name: String, initiator: String?)] =
            map.initiators.isEmpty ? [("all", nil)] : map.initiators.map { ($0.name, $0.name) }
        for view in views {
            let router = try Router(resolved, initiator: view.initiator, setting: setting)
            var cellsOut: [Region.Property.Cell] = []
            for q in quartets(of: router) {
                cellsOut += number(q.clusterAddress, cells: cells)
                cellsOut.append(.reference(.path(q.node)))
                cellsOut += number(q.rootAddress, cells: cells) + number(q.size, cells: cells)
            }
            var mapping: [Region.Property] = [
                .init(name: "#ranges-address-cells", value: .cells([UInt32(cells)])),
                .init(name: "#ranges-size-cells", value: .cells([UInt32(cells)])),
            ]
            if !cellsOut.isEmpty { mapping.append(.init(name: "address-map", value: .references(cellsOut))) }
            // The default cluster is /cpus itself, when the map has it.
            if view.name == "cpus", let i = copy.deviceTree.nodes.firstIndex(where: { $0.parent == "/" && $0.node.name == "cpus" }) {
                let names = Set(mapping.map(\.name))
                copy.deviceTree.nodes[i].node.properties.removeAll { names.contains($0.name) }
                copy.deviceTree.nodes[i].node.properties += mapping
                continue
            }
            let properties: [Region.Property] = [
                .init(name: "compatible", value: .strings(["cpus,cluster"])),
                .init(name: "#address-cells", value: .cells([1])),
                .init(name: "#size-cells", value: .cells([0])),
            ]
            let node = DescriptionNode(name: clusterNodeName(view.name), properties: properties + mapping)
            copy.deviceTree.nodes.append(AttachedNode(parent: "/", node: node))
        }
        return copy
    }

    static func isCluster(_ node: DescriptionNode) -> Bool {
        node.properties.contains { p in
            guard p.name == "compatible" else { return false }
            switch p.value {
            case .string(let s): return s == "cpus,cluster"
            case .strings(let s): return s.contains("cpus,cluster")
            case .bytes(let b): return b.split(separator: 0).contains { $0.elementsEqual("cpus,cluster".utf8) }
            default: return false
            }
        }
    }

    static func number(_ value: UInt64, cells: Int) -> [Region.Property.Cell] {
        cells == 1
            ? [.number(UInt32(truncatingIfNeeded: value))] : [.number(UInt32(value >> 32)), .number(UInt32(truncatingIfNeeded: value))]
    }
}

extension Reader {
    /// One cluster of a System Device Tree with its quartets read.
    struct Cluster {
        var initiator: String
        var node: DeviceTree.NodeID
        var quartets: [SystemDeviceTree.Quartet]
        /// Whether the node has an `address-map` at all (one that reads as nothing still makes
        /// the tree a System Device Tree, and the cluster one that sees nothing).
        var hasAddressMap = false
    }

    /// The `cpus,cluster` nodes under the root, and `/cpus` (the default cluster).
    func isCluster(_ node: DeviceTree.NodeID) -> Bool {
        tree.property("compatible", of: node)?.strings?.contains("cpus,cluster") == true
    }

    /// The default cluster, `/cpus`.
    func isDefaultCluster(_ node: DeviceTree.NodeID) -> Bool { tree.name(of: node) == "cpus" }

    /// Reads each cluster's `address-map` (quartets sized by its `#ranges-address-cells` and
    /// `#ranges-size-cells`, root addresses by the root's `#address-cells`); a quartet whose
    /// phandle no node has, of size 0, or a value of the wrong length is a warning and left out.
    mutating func clusters(rootAddressCells: Int) -> [Cluster] {
        var result: [Cluster] = []
        for node in tree.children(of: tree.root) where isCluster(node) || isDefaultCluster(node) {
            let name = SystemDeviceTree.initiatorName(ofCluster: tree.name(of: node))
            var cluster = Cluster(initiator: name, node: node, quartets: [])
            defer { result.append(cluster) }
            guard let map = tree.property("address-map", of: node) else { continue }
            cluster.hasAddressMap = true
            let ac = Int(tree.property("#ranges-address-cells", of: node)?.u32 ?? UInt32(rootAddressCells))
            let sc = Int(tree.property("#ranges-size-cells", of: node)?.u32 ?? 1)
            // The specification sizes root addresses by the root's #address-cells; Lopper reads
            // them with #ranges-address-cells, as the trees it meets (and the specification's own
            // examples) write them. Lopper's reading first, the specification's when only it fits.
            let fits = { (rootCells: Int) in map.count % (4 * (ac + 1 + rootCells + sc)) == 0 }
            guard (1...2).contains(ac), (1...2).contains(sc), let rac = fits(ac) ? ac : fits(rootAddressCells) ? rootAddressCells : nil
            else {
                warn(
                    "address-map",
                    "address-map is \(map.count) bytes, not a whole number of \(ac)+1+\(rootAddressCells)+\(sc)-cell quartets; the cluster sees nothing",
                    node)
                continue
            }
            if rac != rootAddressCells {
                warn(
                    "address-map",
                    "address-map root addresses read with #ranges-address-cells (\(ac) cells), as Lopper reads them; the specification sizes them by the root's #address-cells (\(rootAddressCells))",
                    node)
            }
            let width = ac + 1 + rac + sc
            for k in 0..<(map.count / (4 * width)) {
                let i = k * width
                guard let c = map.number(at: i, count: ac), let ph = map.cell(i + ac),
                    let a = map.number(at: i + ac + 1, count: rac),
                    let size = map.number(at: i + ac + 1 + rac, count: sc)
                else { continue }
                guard let target = phandleNodes[ph] else {
                    warn("address-map", "address-map quartet \(k) refers to phandle \(hex(UInt64(ph))), which no node has; left out", node)
                    continue
                }
                guard size > 0 else {
                    warn("address-map", "address-map quartet \(k) has size 0; left out", node)
                    continue
                }
                cluster.quartets.append(.init(clusterAddress: c, node: tree.path(of: target), rootAddress: a, size: size))
            }
        }
        return result
    }

    /// Turns a System Device Tree's clusters into initiators: every cluster (and `/cpus`) is
    /// one; what the tree places natively is seen by `/cpus` alone; a unit a cluster's quartets
    /// cover wholly where it lies is seen by that cluster too; any other quartet (a remap, part
    /// of a unit, a unit on an `indirect-bus`) becomes an alias seen by that cluster only.
    /// Nothing changes for a tree without any `address-map`.
    mutating func applySystemDeviceTree(_ map: inout AddressMap, rootAddressCells: Int) {
        // Most trees have no cluster with an address-map: nothing is resolved for them.
        var clusters = clusters(rootAddressCells: rootAddressCells)
        guard clusters.contains(where: \.hasAddressMap) else { return }
        let native = ResolvedMap(map)
        guard let router = try? Router(native) else { return }
        // A quartet naming a node that is no region: an empty bus (a PL aperture with nothing
        // configured behind it) is a fine target that shows nothing; a node with registers of
        // its own should have been read as a unit.
        for c in clusters.indices {
            var kept: [SystemDeviceTree.Quartet] = []
            for q in clusters[c].quartets {
                if native.tree.resolve(q.node) != nil {
                    kept.append(q)
                } else if let target = tree.node(at: q.node), tree.property("reg", of: target) != nil {
                    warn("address-map", "address-map refers to \(q.node), which was not read as a unit; left out", clusters[c].node)
                }
            }
            clusters[c].quartets = kept
        }
        // Where each unit decodes natively, by path.
        var spans: [String: [AddressRange]] = [:]
        for s in router.mergedSegments { spans[native.tree[s.unit].path, default: []].append(s.range) }
        let hasDefault = clusters.contains { isDefaultCluster($0.node) }
        var seen: [String: [String]] = [:]
        var aliases: [Region] = []
        for cluster in clusters where !isDefaultCluster(cluster.node) || !cluster.quartets.isEmpty {
            var covered: [String: [AddressRange]] = [:]
            for (k, q) in cluster.quartets.enumerated() {
                guard let window = AddressRange(base: q.rootAddress, size: q.size) else {
                    warn("address-map", "address-map quartet \(k) runs past the 64-bit space; left out", cluster.node)
                    continue
                }
                guard let ref = native.tree.resolve(q.node) else { continue }
                for u in native.tree.subtree(ref) {
                    let node = native.tree[u]
                    if let placed = spans[node.path] {
                        for span in placed {
                            guard let part = span.intersection(window) else { continue }
                            if q.clusterAddress == q.rootAddress {
                                covered[node.path, default: []].append(part)
                            } else {
                                aliases += alias(
                                    for: node, part: part, unitBase: native.placement(of: u)?.base,
                                    shift: (q.clusterAddress, q.rootAddress), cluster)
                            }
                        }
                    } else if node.parent == ref || u == ref, node.kind != .bus, let own = node.region.range,
                        let part = own.intersection(window)
                    {
                        // On an indirect bus: reg-space addresses, as the specification's examples use.
                        aliases += alias(for: node, part: part, unitBase: own.base, shift: (q.clusterAddress, q.rootAddress), cluster)
                    }
                }
            }
            for (path, parts) in covered.sorted(by: { $0.key < $1.key }) {
                let whole = spans[path, default: []].allSatisfy { span in parts.contains { $0.contains(span) } }
                if whole {
                    seen[path, default: []].append(cluster.initiator)
                } else {
                    guard let id = native.tree.resolve(path) else { continue }
                    for part in parts {
                        aliases += alias(for: native.tree[id], part: part, unitBase: native.placement(of: id)?.base, shift: (0, 0), cluster)
                    }
                }
            }
        }
        let defaultSeen = hasDefault ? ["cpus"] : []
        func mark(_ regions: inout [Region], parent: String) {
            for i in regions.indices {
                let path = Reader.join(parent, regions[i].name)
                if regions[i].kind != .bus {
                    var who = defaultSeen
                    for name in seen[path] ?? [] where !who.contains(name) { who.append(name) }
                    regions[i].seenBy = who
                }
                mark(&regions[i].children, parent: path)
            }
        }
        mark(&map.regions, parent: "/")
        for (i, var a) in aliases.enumerated() {
            a.name += "-\(i)"
            map.regions.append(a)
        }
        map.initiators = clusters.map {
            Initiator(name: $0.initiator, doc: "System Device Tree cluster \(tree.path(of: $0.node))")
        }
    }

    /// An alias showing `part` of a unit (in root or reg-space addresses, the unit starting at
    /// `unitBase` there) at `part.base - root + cluster`, seen by `cluster` only; none, with a
    /// warning, when the part lies below the unit's first entry (an alias cannot reach back).
    mutating func alias(
        for node: RegionTree.Node, part: AddressRange, unitBase: UInt64?, shift: (cluster: UInt64, root: UInt64), _ cluster: Cluster
    ) -> [Region] {
        guard let unitBase, part.base >= unitBase else {
            warn(
                "address-map",
                "the part \(part) of \(node.path) lies below its first reg entry; an alias cannot show it, so \(cluster.initiator) does not see it",
                cluster.node)
            return []
        }
        let at = shift.cluster &+ (part.base &- shift.root)
        var region = Region(
            name: "\(Names.nodeName(cluster.initiator, unit: nil))-map", kind: .alias,
            range: AddressRange(base: at, size: part.sizeMinusOne &+ 1),
            seenBy: [cluster.initiator], alias: AliasTarget(path: node.path, offset: part.base &- unitBase))
        region.notes = "address-map of \(tree.path(of: cluster.node)): \(node.path) \(part) at \(hex(at))"
        return [region]
    }
}
