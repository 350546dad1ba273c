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

    /// The region crossed.
    public let region: RegionID
    /// What kind of step.
    public let kind: Kind
    /// Maps the address before the hop (outer side) to the address after it (inner side).
    public let inward: Displacement
}

/// A map lowered, for one initiator and one switch setting, into an immutable, sorted array
/// of non-overlapping segments, each naming the unit that decodes it and the hops that lead
/// there. Routing an address is a search in that array; it allocates nothing.
///
/// Building a router checks the request: an undeclared initiator, an unknown switch or value,
/// or a map with broken names or references is a thrown `RouterError` that says what and where.
///
/// ```swift
/// let router = try Router(map: map, initiator: "cpu")
/// if let route = router.route(PhysicalAddress(0x4120_0000)) {
///     print(router[route.unit].path, hex(route.offset))
/// }
/// ```
public struct Router: Sendable {
    /// Which part of a unit a segment decodes to.
    public enum Target: Hashable, Sendable {
        /// The region itself.
        case region
        /// A PCIe host's ECAM configuration space.
        case pcieConfig
        /// Window `n` of a PCIe host (the route then carries a PCI bus address).
        case pcieWindow(Int)
    }

    /// A painted piece: what one region contributes before overlaps are resolved.
    struct Piece: Sendable {
        let range: AddressRange
        let unit: RegionID
        /// Which of the unit's entries (`reg` entries) the piece shows.
        let entry: Int32
        let target: Target
        /// The root-space address where offset 0 of the target lies (wrapping).
        let unitZero: UInt64
        /// For a PCIe window, the bus address at offset 0.
        let busBase: UInt64?
        let hopStart: Int32
        let hopCount: Int32
    }

    /// The answer for one address.
    public struct Route: Hashable, Sendable {
        /// The index of the segment holding the address.
        public let segment: Int
        /// The routed address.
        public let address: PhysicalAddress
        /// The decoding region.
        public let unit: RegionID
        /// Which of the unit's entries (`reg` entries) holds the address: an index into the
        /// region's `entries` (0 for a PCIe window).
        public let entry: Int
        /// Which part of the unit.
        public let target: Target
        /// The offset inside the unit's entry (its base, its ECAM base), or from the start of
        /// the PCIe window.
        public let offset: UInt64
        /// The PCI bus address, for a PCIe window; `nil` otherwise.
        public let busAddress: UInt64?
    }

    /// One segment of the flat view.
    public struct Segment: Hashable, Sendable {
        /// The addresses the segment covers.
        public let range: AddressRange
        /// The decoding region.
        public let unit: RegionID
        /// Which of the unit's entries.
        public let entry: Int
        /// Which part of the unit.
        public let target: Target
        /// The offset inside the unit's entry (or its ECAM, or its window) at the segment's base.
        public let offsetAtBase: UInt64
        /// The PCI bus address at the segment's base, for a PCIe window.
        public let busAddressAtBase: UInt64?

        /// Creates a segment.
        public init(
            range: AddressRange, unit: RegionID, entry: Int = 0, target: Target, offsetAtBase: UInt64, busAddressAtBase: UInt64? = nil
        ) {
            self.range = range
            self.unit = unit
            self.entry = entry
            self.target = target
            self.offsetAtBase = offsetAtBase
            self.busAddressAtBase = busAddressAtBase
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

    /// The resolved map the router was built from.
    public let map: ResolvedMap
    /// The initiator whose view this is (`nil`: the map declares none).
    public let initiator: String?
    /// The switch setting the view was built for.
    public let setting: SwitchSetting

    private let placements: [AddressRange?]
    private let entryPlacements: [Int: [AddressRange?]]
    private let disabledPlacements: [RegionID: AddressRange]
    private let bases: [UInt64]
    private let lasts: [UInt64]
    private let owners: [Int32]
    private let pieces: [Piece]
    private let disabledPieces: [Piece]
    /// Stabbing indexes over the pieces, for naming every unit that claims an address.
    private let claimIndex: StabbingIndex
    private let disabledIndex: StabbingIndex
    private let hops: [Hop]
    @usableFromInline let search: SegmentSearch

    /// Lowers `map` for `initiator` (default: the map's first initiator) and `setting`
    /// (default: every switch at its default value).
    ///
    /// - Throws: `RouterError` when the initiator is not declared, the setting names a switch or
    ///   value the map does not have, or the map has structural problems.
    /// - Complexity: O(n log n) in the number of regions.
    public init(_ map: ResolvedMap, initiator: String? = nil, setting: SwitchSetting? = nil) throws(RouterError) {
        let view = try map.view(initiator: initiator, setting: setting)
        self.init(unchecked: map, initiator: view.initiator, setting: view.setting)
    }

    /// Resolves `map` and lowers it for `initiator` with the switches set in `switches`
    /// (others at their defaults).
    ///
    /// - Throws: `RouterError`, as `init(_:initiator:setting:)`.
    public init(map: AddressMap, initiator: String? = nil, switches: [String: String] = [:]) throws(RouterError) {
        try self.init(ResolvedMap(map), initiator: initiator, setting: try SwitchSetting(switches, for: map))
    }

    /// Lowers a map without checking the request: for checks, which look at every view of
    /// maps whose problems they report (broken aliases are then left out of the view).
    package init(unchecked map: ResolvedMap, initiator: String?, setting: SwitchSetting) {
        var lowering = Lowering(tree: map.tree, initiator: initiator, setting: setting, rule: map.map.overlapRule)
        lowering.run()
        let swept = sweep(lowering.pieces.map(\.range))
        self.map = map
        self.initiator = initiator
        self.setting = setting
        placements = lowering.placements
        entryPlacements = lowering.entryPlacements
        disabledPlacements = lowering.disabledPlacements
        pieces = lowering.pieces
        disabledPieces = lowering.disabledPieces
        claimIndex = StabbingIndex(lowering.pieces.map(\.range))
        disabledIndex = StabbingIndex(lowering.disabledPieces.map(\.range))
        hops = lowering.hops
        bases = swept.bases
        lasts = swept.lasts
        owners = swept.owners
        search = SegmentSearch(sortedBases: swept.bases, lasts: swept.lasts)
    }

    /// The expanded region tree.
    public var tree: RegionTree { map.tree }

    /// The region a route or segment names.
    public subscript(unit: RegionID) -> RegionTree.Node { map.tree[unit] }

    /// Where region `id` landed in this view (directly, not through aliases): its first entry,
    /// or for a PCIe host the span of its entries and windows; `nil` for regions not in it.
    public func placement(of id: RegionID) -> AddressRange? { placements[id.index] }

    /// Where each of region `id`'s entries landed in this view, in entry order (`nil` for an
    /// entry that cannot be translated or that the view does not show).
    public func entryPlacements(of id: RegionID) -> [AddressRange?] {
        if let known = entryPlacements[id.index] { return known }
        return tree[id].region.entries.count == 1 && tree[id].kind != .pcie
            ? [placements[id.index]] : tree[id].region.entries.map { _ in nil }
    }

    /// Where a region switched off by `status = "disabled"` (or inside such a subtree) would
    /// decode in this view; `nil` for every other region.
    public func disabledPlacement(of id: RegionID) -> AddressRange? { disabledPlacements[id] }

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
    package func segmentIndexByBinarySearch(of address: PhysicalAddress) -> Int? {
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
        let offset = address.rawValue &- piece.unitZero
        return Route(
            segment: s, address: address, unit: piece.unit, entry: Int(piece.entry), target: piece.target, offset: offset,
            busAddress: piece.busBase.map { $0 &+ offset })
    }

    /// Segment `i` of the flat view.
    public func segment(_ i: Int) -> Segment {
        let piece = pieces[Int(owners[i])]
        let offset = bases[i] &- piece.unitZero
        return Segment(
            range: AddressRange(uncheckedBase: bases[i], last: lasts[i]), unit: piece.unit, entry: Int(piece.entry), target: piece.target,
            offsetAtBase: offset,
            busAddressAtBase: piece.busBase.map { $0 &+ offset })
    }

    /// Every segment, in address order.
    public var segments: [Segment] { (0..<segmentCount).map(segment) }

    /// The hops taken to reach the unit for `route`, outermost first, with the address on
    /// each side.
    public func hops(for route: Route) -> [HopStep] {
        let piece = pieces[Int(owners[route.segment])]
        var address = route.address.rawValue
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
            if lasts[i] < a {
                below = segment(i)
                break
            }
            i -= 1
        }
        return (below, low < bases.count ? segment(low) : nil)
    }

    /// A unit's claim on an address: which unit, which of its entries or parts, and where that
    /// part lies in this view.
    public struct Claim: Hashable, Sendable {
        /// The claiming region.
        public let unit: RegionID
        /// Which of its entries.
        public let entry: Int
        /// Which part of it.
        public let target: Target
        /// The addresses that part covers in this view (after clipping).
        public let range: AddressRange
    }

    /// Every claim on `address` in this view, the one that decodes it first, then the others
    /// in the order the overlap rule ranks them (one claim per unit entry or part).
    ///
    /// - Complexity: O(log n + k) for the k pieces that reach past the address.
    public func claims(at address: PhysicalAddress) -> [Claim] {
        Self.claims(at: address, in: pieces, index: claimIndex)
    }

    /// The disabled units (status "disabled", or inside such a subtree) that hold `address` in
    /// this view, deepest first.
    public func disabledClaims(at address: PhysicalAddress) -> [Claim] {
        Self.claims(at: address, in: disabledPieces, index: disabledIndex)
    }

    private static func claims(at address: PhysicalAddress, in pieces: [Piece], index: StabbingIndex) -> [Claim] {
        var seen = Set<Claim>()
        return index.stab(address.rawValue).sorted().compactMap { i in
            let p = pieces[i]
            let claim = Claim(unit: p.unit, entry: Int(p.entry), target: p.target, range: p.range)
            return seen.insert(claim).inserted ? claim : nil
        }
    }
}

extension Router {
    /// The segments with neighbours merged where QEMU's `flatview_simplify` would merge them:
    /// same unit, entry and target, touching, with contiguous offsets (reached through
    /// different hops, which the router keeps apart for decoding). What a flat view lists.
    public var mergedSegments: [Segment] {
        var result: [Segment] = []
        for s in segments {
            if let last = result.last, last.unit == s.unit, last.entry == s.entry, last.target == s.target,
                last.range.last &+ 1 == s.range.base,
                last.offsetAtBase &+ (s.range.base &- last.range.base) == s.offsetAtBase
            {
                result[result.count - 1] = Segment(
                    range: last.range.span(s.range), unit: s.unit, entry: s.entry, target: s.target, offsetAtBase: last.offsetAtBase,
                    busAddressAtBase: last.busAddressAtBase)
            } else {
                result.append(s)
            }
        }
        return result
    }
}
