import SoCMap
import SoCMapChecks
import TestSupport
import Testing

@Suite("Isolation checks on domains built in code")
struct DomainCheckTests {
    static let host = AddressMap(
        name: "host",
        regions: [
            r("ram", .dram, 0x4000_0000, 1 << 30),
            Region(name: "xen", kind: .reserved, range: AddressRange(base: 0x7000_0000, size: 1 << 20)!, priority: 1),
            r("nic", .mmio, 0xFEBC_0000, 0x2_0000),
        ])

    func findings(_ domains: [Domain]) -> [String: [String]] {
        var map = Self.host
        map.regions[1].hypervisorOnly = true
        map.domains = domains
        var byCheck: [String: [String]] = [:]
        for d in CheckEngine(checks: DomainChecks.all).run(on: map) { byCheck[d.checkID, default: []].append(d.path ?? "") }
        return byCheck
    }

    @Test func cleanDomainsGiveNothing() {
        let a = Domain(name: "a", entries: [DomainEntry(name: "ram", mode: .translated, host: "/ram", slice: (0, 256 << 20), guestBase: 0)])
        let b = Domain(
            name: "b", iommu: true,
            entries: [
                DomainEntry(name: "ram", mode: .translated, host: "/ram", slice: (256 << 20, 256 << 20), guestBase: 0),
                DomainEntry(name: "nic", mode: .passthrough, host: "/nic", dma: true),
            ])
        #expect(findings([a, b]).isEmpty)
    }

    @Test func isolationProblemsAreFound() {
        let a = Domain(
            name: "a", directMap: true,
            entries: [
                DomainEntry(name: "ram", mode: .translated, host: "/ram", slice: (0, 512 << 20), guestBase: 0),
                DomainEntry(name: "nic", mode: .passthrough, host: "/nic", dma: true),
                DomainEntry(name: "ghost", mode: .direct, host: "/nowhere"),
            ])
        let b = Domain(
            name: "b",
            entries: [
                DomainEntry(name: "ram", mode: .direct, host: "/ram", slice: (256 << 20, 1 << 30 - 256 << 20)),
                DomainEntry(name: "uart", mode: .emulated, guestBase: 0x5000_0000, size: 0x1000, deviceModel: "vpl011"),
            ])
        let found = findings([a, b])
        #expect(found["domain-entry"] == ["domain a / entry ghost"])
        #expect(found["domain-shared-range"] == ["domain b / entry ram"])
        #expect(found["domain-hypervisor-range"] == ["domain b / entry ram"])
        #expect(found["domain-dma-iommu"] == ["domain a / entry nic"])
        #expect(found["domain-direct-map-static"] == ["domain a"])
        #expect(found["domain-direct-map-entry"] == ["domain a / entry ram"])
        #expect(found["domain-ram-over-trap"] == ["domain b / entry ram"])
    }

    /// A domain whose entries cannot be resolved is reported by `check` and refused by the router.
    @Test func unresolvableEntriesAreRefusedByTheRouter() {
        var map = Self.host
        map.domains = [Domain(name: "a", entries: [DomainEntry(name: "ghost", mode: .direct, host: "/nowhere")])]
        let resolved = ResolvedMap(map)
        #expect(throws: RouterError.unresolvableDomain("a", resolved.domains[0].problems)) { try GuestRouter(resolved, domain: "a") }
        #expect(resolved.domains[0].problems.map(\.message) == ["host region: no region '/nowhere'"])
    }
}
