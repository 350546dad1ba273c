/// A guest domain's view, flattened: guest-physical segments, each naming the stage-2 mapping
/// (domain entry) that owns it, with the host router behind it. A guest lookup is one search;
/// the host part of a two-stage decode is a second search in the host router.
///
/// ```swift
/// let guest = try GuestRouter(resolved, domain: "domU1")
/// if let route = guest.route(GuestPhysicalAddress(0x10)), let host = route.hostAddress {
///     print(guest.host.route(host).map { guest.host[$0.unit].path } ?? "unassigned")
/// }
/// ```
public struct GuestRouter: Sendable {
    /// The answer for one guest address.
    public struct Route: Hashable, Sendable {
        /// The guest address.
        public let address: GuestPhysicalAddress
        /// The index of the guest segment holding it.
        public let segment: Int
        /// The mapping (index into `mappings`).
        public let mapping: Int
        /// Offset inside the entry.
        public let offset: UInt64
        /// The host-physical address stage 2 produces (`nil` when the access traps).
        public let hostAddress: PhysicalAddress?
    }

    /// The resolved domain.
    public let resolved: ResolvedDomain
    /// The host view the guest's host addresses are decoded in.
    public let host: Router
    private let bases: [UInt64]
    private let lasts: [UInt64]
    private let owners: [Int32]

    /// Builds the guest view of the domain named `domain` (switches at `setting`, default when
    /// `nil`).
    ///
    /// - Throws: `RouterError` when the map has no such domain, the map has structural
    ///   problems, an entry cannot be resolved, or the domain's initiator or a switch is unknown.
    public init(_ map: ResolvedMap, domain: String, setting: SwitchSetting? = nil) throws(RouterError) {
        guard let resolved = map.domain(named: domain) else {
            throw .unknownDomain(domain, known: map.map.domains.map(\.name), map: map.map.name)
        }
        try map.validate()
        if !resolved.problems.isEmpty { throw .unresolvableDomain(domain, resolved.problems) }
        let host = try Router(map, initiator: resolved.domain.initiator, setting: setting)
        self.init(resolved: resolved, host: host)
    }

    /// Builds the guest view on an existing host router (checks use it on maps they report).
    package init(resolved: ResolvedDomain, host: Router) {
        self.resolved = resolved
        self.host = host
        let swept = sweep(resolved.mappings.map(\.guest))
        bases = swept.bases
        lasts = swept.lasts
        owners = swept.owners
    }

    /// The domain.
    public var domain: Domain { resolved.domain }

    /// Resolved entries, in declaration order.
    public var mappings: [Stage2Mapping] { resolved.mappings }

    /// The number of guest segments.
    public var segmentCount: Int { bases.count }

    /// Guest segment `i`: its guest-physical range and mapping index.
    public func segment(_ i: Int) -> (range: AddressRange, mapping: Int) {
        (AddressRange(uncheckedBase: bases[i], last: lasts[i]), Int(owners[i]))
    }

    /// Routes a guest address through stage 2; `nil` is a stage-2 fault.
    ///
    /// - Complexity: O(log n); allocates nothing.
    public func route(_ address: GuestPhysicalAddress) -> Route? {
        let a = address.rawValue
        let low = basesNotAbove(a, in: bases)
        guard low > 0, lasts[low - 1] >= a else { return nil }
        let index = Int(owners[low - 1])
        let m = resolved.mappings[index]
        return Route(address: address, segment: low - 1, mapping: index, offset: a - m.guest.base, hostAddress: m.hostAddress(for: address))
    }

    /// The nearest guest segments below and above a faulting address.
    public func neighbours(of address: GuestPhysicalAddress) -> (below: Int?, above: Int?) {
        let first = basesNotAbove(address.rawValue, in: bases)
        let below = first - 1
        return (below >= 0 && lasts[below] < address.rawValue ? below : nil, first < bases.count ? first : nil)
    }
}
