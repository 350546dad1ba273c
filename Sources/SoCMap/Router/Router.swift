/// One step on the way from an initiator to the decoding unit: a bus window, an identity
/// bus, an alias or a PCIe host window.
public struct Hop: Hashable, Sendable {
    /// What kind of step.
    public enum Kind: Hashable, Sendable {
        /// Through an identity-mapped bus (`ranges;`).
        case identity
        /// Through `ranges` window number `n` of a bus.
        case window(Int)
        /// Through an alias onto another region.
        case alias
        /// Through a PCIe host bridge window into a PCI space.
        case pcie(PCISpace, prefetchable: Bool)
    }

    /// The region crossed (a node index in the router's tree).
    public let region: Int
    /// What kind of step.
    public let kind: Kind
    /// Maps the address before the hop (outer side) to the address after it (inner side).
    public let inward: Displacement
}

/// A map lowered, for one initiator and one switch setting, into an immutable, sorted array
/// of non-overlapping segments, each naming the unit that decodes it and the hops that lead
/// there. Routing an address is a binary search in that array; it allocates nothing.
///
/// ```swift
/// let router = Router(map: map, initiator: "cpu")
/// if let route = router.route(PhysicalAddress(0x4120_0000)) {
///     print(router.tree.nodes[route.unit].path, hex(route.offset))
/// }
/// ```
public struct Router: Sendable {
    /// Which part of a unit a segment decodes to.
    public enum Target: Hashable, Sendable {
        /// The region itself.
        case region
        /// A PCIe host's ECAM configuration space.
        case pcieConfig
        /// Window `n` of a PCIe host (the offset is then a PCI bus address).
        case pcieWindow(Int)
    }

    /// A painted piece: what one region contributes before overlaps are resolved.
    struct Piece: Sendable {
        let range: AddressRange
        let unit: Int
        let target: Target
        /// The root-space address where unit offset 0 lies (wrapping).
        let unitZero: UInt64
        let hopStart: Int32
        let hopCount: Int32
    }

    /// Something the lowering could not follow; `check` reports these.
    public enum Problem: Hashable, Sendable {
        /// An alias whose target path resolves to nothing.
        case aliasTargetMissing(alias: Int)
        /// An alias that reaches itself.
        case aliasCycle(alias: Int)
        /// An alias whose target base plus offset passes 2^64.
        case aliasOffsetOverflow(alias: Int)
    }

    /// The answer for one address.
    public struct Route: Hashable, Sendable {
        /// The segment index.
        public let segment: Int
        /// The routed address.
        public let address: UInt64
        /// The decoding region (node index in `tree`).
        public let unit: Int
        /// Which part of the unit.
        public let target: Target
        /// Offset inside the unit, or the PCI bus address for a PCIe window.
        public let offset: UInt64
    }

    /// One segment of the flat view.
    public struct Segment: Hashable, Sendable {
        /// The addresses the segment covers.
        public let range: AddressRange
        /// The decoding region (node index in `tree`).
        public let unit: Int
        /// Which part of the unit.
        public let target: Target
        /// The offset inside the unit at the segment's base.
        public let offsetAtBase: UInt64

        /// Creates a segment.
        public init(range: AddressRange, unit: Int, target: Target, offsetAtBase: UInt64) {
            self.range = range
            self.unit = unit
            self.target = target
            self.offsetAtBase = offsetAtBase
        }
    }

    /// One hop resolved for a given address.
    public struct HopStep: Hashable, Sendable {
        /// The hop.
        public let hop: Hop
        /// The address on the outer side.
        public let before: UInt64
        /// The address on the inner side.
        public let after: UInt64
    }

    /// The expanded region tree the router was built from.
    public let tree: RegionTree
    /// The initiator whose view this is (`nil`: the map declares none).
    public let initiator: String?
    /// The switch setting the view was built for.
    public let setting: SwitchSetting
    /// Where each region landed in the root space (direct placements, not through aliases);
    /// `nil` for regions not in this view.
    public let placements: [AddressRange?]
    /// What the lowering could not follow.
    public let problems: [Problem]

    private let bases: [UInt64]
    private let lasts: [UInt64]
    private let owners: [Int32]
    private let pieces: [Piece]
    private let hops: [Hop]
    /// The search structure: Eytzinger order for small and medium maps, a static B-tree of
    /// 64-byte nodes for large ones where cache misses dominate.
    @usableFromInline let search: SegmentSearch
    /// Above this many segments the router searches the S-tree (measured in Benchmarks/).
    public static let sTreeThreshold = 16384

    /// Lowers `map` for `initiator` (default: the map's first initiator) and `setting`
    /// (default: every switch at its default value).
    ///
    /// - Complexity: O(n log n) in the number of regions.
    public init(map: SoCMap, initiator: String? = nil, setting: SwitchSetting? = nil) {
        self.init(tree: RegionTree(map: map), initiator: initiator ?? map.defaultInitiator, setting: setting ?? SwitchSetting(map: map))
    }

    /// The search structures a router can use; tests force each one.
    enum Layout { case automatic, eytzinger, sTree }

    /// Lowers an already expanded tree.
    public init(tree: RegionTree, initiator: String?, setting: SwitchSetting) {
        self.init(tree: tree, initiator: initiator, setting: setting, forcedLayout: .automatic)
    }

    init(tree: RegionTree, initiator: String?, setting: SwitchSetting, forcedLayout: Layout) {
        var lowering = Lowering(tree: tree, initiator: initiator, setting: setting)
        lowering.run()
        let swept = sweep(lowering.pieces.map(\.range))
        self.tree = tree
        self.initiator = initiator
        self.setting = setting
        placements = lowering.placements
        problems = lowering.problems
        pieces = lowering.pieces
        hops = lowering.hops
        bases = swept.bases
        lasts = swept.lasts
        owners = swept.owners
        let useSTree = forcedLayout == .sTree || (forcedLayout == .automatic && swept.bases.count > Self.sTreeThreshold)
        search = SegmentSearch(sortedBases: swept.bases, lasts: swept.lasts, sTree: useSTree)
    }

    /// The number of segments in the flat view.
    public var segmentCount: Int { bases.count }

    /// The index of the segment holding `address`, or `nil` when it is unassigned.
    ///
    /// - Complexity: O(log n) over an Eytzinger (cache-friendly, branch-light) layout;
    ///   allocates nothing.
    @inlinable @inline(__always)
    public func segmentIndex(of address: PhysicalAddress) -> Int? {
        let s = search.segment(holding: address.rawValue)
        return s >= 0 ? s : nil
    }

    /// The same answer by plain binary search over the sorted bases: the reference the
    /// Eytzinger search is tested against.
    func segmentIndexByBinarySearch(of address: PhysicalAddress) -> Int? {
        let a = address.rawValue
        let low = basesNotAbove(a, in: bases)
        return low > 0 && lasts[low - 1] >= a ? low - 1 : nil
    }

    /// Routes one address: the unit that decodes it and the offset inside, or `nil` when
    /// nothing decodes it in this view.
    ///
    /// - Complexity: O(log n); allocates nothing.
    public func route(_ address: PhysicalAddress) -> Route? {
        guard let s = segmentIndex(of: address) else { return nil }
        let piece = pieces[Int(owners[s])]
        return Route(segment: s, address: address.rawValue, unit: piece.unit, target: piece.target, offset: address.rawValue &- piece.unitZero)
    }

    /// Segment `i` of the flat view.
    public func segment(_ i: Int) -> Segment {
        let piece = pieces[Int(owners[i])]
        return Segment(range: AddressRange(uncheckedBase: bases[i], last: lasts[i]), unit: piece.unit, target: piece.target, offsetAtBase: bases[i] &- piece.unitZero)
    }

    /// Every segment, in address order.
    public var segments: [Segment] { (0..<segmentCount).map(segment) }

    /// The hops taken to reach the unit for `route`, outermost first, with the address on
    /// each side.
    public func hops(for route: Route) -> [HopStep] {
        let piece = pieces[Int(owners[route.segment])]
        var address = route.address
        var steps: [HopStep] = []
        for i in Int(piece.hopStart)..<Int(piece.hopStart + piece.hopCount) {
            let hop = hops[i]
            let after = hop.inward.apply(address)
            steps.append(HopStep(hop: hop, before: address, after: after))
            address = after
        }
        return steps
    }

    /// The nearest segments strictly below and above an unassigned `address`.
    public func neighbours(of address: PhysicalAddress) -> (below: Segment?, above: Segment?) {
        let a = address.rawValue
        // `low` is the first segment with base > a.
        let low = basesNotAbove(a, in: bases)
        var below: Segment?
        var i = low - 1
        while i >= 0 {
            if lasts[i] < a { below = segment(i); break }
            i -= 1
        }
        return (below, low < bases.count ? segment(low) : nil)
    }
}
