/// A guest domain's view, flattened: guest-physical segments, each naming the domain entry
/// that owns it, with the host router behind it. A guest lookup is one search; the host part
/// of a two-stage decode is a second search in the host router.
public struct GuestRouter: Sendable {
    /// A domain entry resolved to guest and host ranges.
    public struct Mapping: Sendable {
        /// Position in the domain's entry list.
        public let index: Int
        /// The entry.
        public let entry: DomainEntry
        /// Where the guest sees it.
        public let guest: AddressRange
        /// The host range behind it (`nil` for a guest-only emulated device).
        public let host: AddressRange?
        /// The host region (node index in the host router's tree).
        public let hostRegion: Int?
    }

    /// The answer for one guest address.
    public struct Route: Hashable, Sendable {
        /// The guest address.
        public let address: UInt64
        /// The segment index.
        public let segment: Int
        /// The mapping (index into `mappings`).
        public let mapping: Int
        /// Offset inside the entry.
        public let offset: UInt64
        /// The host-physical address stage 2 produces (`nil` when the access traps).
        public let hostAddress: UInt64?
    }

    /// The domain.
    public let domain: Domain
    /// The host view the guest's host addresses are decoded in.
    public let host: Router
    /// Resolved entries, in declaration order.
    public let mappings: [Mapping]
    /// Entries that could not be resolved: (entry index, why).
    public let problems: [(entry: Int, message: String)]
    private let bases: [UInt64]
    private let lasts: [UInt64]
    private let owners: [Int32]

    /// Builds the guest view of `domain` in `map` (switches at `setting`, default when `nil`).
    public init(map: SoCMap, domain: Domain, setting: SwitchSetting? = nil) {
        self.init(context: CheckContext(map: map), domain: domain, setting: setting)
    }

    /// Builds the guest view on an existing context (its expanded tree is reused).
    public init(context: CheckContext, domain: Domain, setting: SwitchSetting? = nil) {
        let map = context.map
        let resolved = Self.resolve(domain, in: context)
        self.domain = domain
        host = Router(tree: context.tree, initiator: domain.initiator ?? map.defaultInitiator, setting: setting ?? SwitchSetting(map: map))
        mappings = resolved.mappings
        problems = resolved.problems
        let swept = sweep(mappings.map(\.guest))
        bases = swept.bases
        lasts = swept.lasts
        owners = swept.owners
    }

    /// Resolves every entry of `domain` against the host regions' root-space placements.
    public static func resolve(_ domain: Domain, in context: CheckContext) -> (mappings: [Mapping], problems: [(entry: Int, message: String)]) {
        var mappings: [Mapping] = []
        var problems: [(entry: Int, message: String)] = []
        for (i, e) in domain.entries.enumerated() {
            var hostRange: AddressRange?
            var hostRegion: Int?
            if let path = e.host {
                guard let id = context.tree.resolve(path) else {
                    problems.append((i, "host region: " + context.tree.explainUnresolved(path)))
                    continue
                }
                guard let placed = context.staticPlacements[id] else {
                    problems.append((i, "host region \(context.tree.nodes[id].path) has no host-physical address (unreachable through its buses)"))
                    continue
                }
                hostRegion = id
                hostRange = placed
                if let slice = e.slice {
                    guard let start = placed.base.addingReportingOverflow(slice.offset).overflow ? nil : placed.base + slice.offset,
                        let sliced = AddressRange(base: start, size: slice.size), placed.contains(sliced)
                    else {
                        problems.append((i, "slice +\(hex(slice.offset)) size \(hex(slice.size)) lies outside host region \(context.tree.nodes[id].path) \(placed)"))
                        continue
                    }
                    hostRange = sliced
                }
            }
            let span = hostRange?.sizeMinusOne ?? (e.size.map { $0 &- 1 } ?? 0)
            let base = e.guestBase ?? hostRange?.base ?? 0
            guard !base.addingReportingOverflow(span).overflow else {
                problems.append((i, "guest range from \(hex(base)) runs past 0xffff_ffff_ffff_ffff"))
                continue
            }
            let guest = AddressRange(uncheckedBase: base, last: base + span)
            mappings.append(Mapping(index: i, entry: e, guest: guest, host: hostRange, hostRegion: hostRegion))
        }
        return (mappings, problems)
    }

    /// The number of guest segments.
    public var segmentCount: Int { bases.count }

    /// Guest segment `i`: its range and mapping index.
    public func segment(_ i: Int) -> (range: AddressRange, mapping: Int) {
        (AddressRange(uncheckedBase: bases[i], last: lasts[i]), Int(owners[i]))
    }

    /// Routes a guest address through stage 2; `nil` is a stage-2 fault.
    ///
    /// - Complexity: O(log n); allocates nothing.
    public func route(_ address: UInt64) -> Route? {
        let low = basesNotAbove(address, in: bases)
        guard low > 0, lasts[low - 1] >= address else { return nil }
        let m = mappings[Int(owners[low - 1])]
        let offset = address - m.guest.base
        let hostAddress = m.entry.mode == .emulated ? nil : m.host.map { $0.base &+ offset }
        return Route(address: address, segment: low - 1, mapping: Int(owners[low - 1]), offset: offset, hostAddress: hostAddress)
    }

    /// The nearest guest segments below and above a faulting address.
    public func neighbours(of address: UInt64) -> (below: Int?, above: Int?) {
        let first = basesNotAbove(address, in: bases)
        let below = first - 1
        return (below >= 0 && lasts[below] < address ? below : nil, first < bases.count ? first : nil)
    }
}
