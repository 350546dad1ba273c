import Foundation
import SoCMap
import SoCMapChecks
import SoCMapFile
import SoCMapViews
import TestSupport
import Testing

@Suite("Guest domains: two-stage decode and isolation checks")
struct DomainTests {
    func decode(_ map: String, _ domain: String, _ address: UInt64) throws -> String {
        let m = try bundledMap(map)
        return GuestDecodeAnswer(address: GuestPhysicalAddress(address), router: try GuestRouter(ResolvedMap(m), domain: domain)).text
    }

    @Test func x86NVRAMDomains() throws {
        #expect(
            try decode("x86-nvram-domains.yaml", "domU1", 0x1_8000_1000) == """
                0x1_8000_1000 (domain domU1): entry nvram-slice (direct) [0x1_8000_0000, 0x1_ffff_ffff] offset 0x1000
                  stage 2: guest 0x1_8000_1000 -> host 0x1_8000_1000
                  host 0x1_8000_1000: /nvram (dram) offset 0x1000
                    decodes [0x1_8000_0000, 0x3_7fff_ffff]
                """)
        #expect(
            try decode("x86-nvram-domains.yaml", "domU2", 0x1_0000_0010) == """
                0x1_0000_0010 (domain domU2): entry nvram-slice (translated) [0x1_0000_0000, 0x1_7fff_ffff] offset 0x10
                  stage 2: guest 0x1_0000_0010 -> host 0x2_0000_0010
                  host 0x2_0000_0010: /nvram (dram) offset 0x8000_0010
                    decodes [0x1_8000_0000, 0x3_7fff_ffff]
                """)
        #expect(
            try decode("x86-nvram-domains.yaml", "domU1", 0xFED0_1004)
                == "0xfed0_1004 (domain domU1): trapped to device model qemu-16550: entry uart (emulated, device model qemu-16550) [0xfed0_1000, 0xfed0_1fff] offset 0x4"
        )
        #expect(try decode("x86-nvram-domains.yaml", "domU1", 0xFEBC_0010).contains("host 0xfebc_0010: /nic (mmio) offset 0x10"))
        #expect(
            try decode("x86-nvram-domains.yaml", "domU2", 0x1_8000_0000) == """
                0x1_8000_0000 (domain domU2): stage-2 fault: no guest entry maps this address
                  below: entry nvram-slice (translated) [0x1_0000_0000, 0x1_7fff_ffff]
                  above: none
                """)
    }

    @Test func zynqXen() throws {
        #expect(
            try decode("zynq-7000-xen.yaml", "domU1", 0x10) == """
                0x10 (domain domU1): entry ram (translated) [0x0, 0xfff_ffff] offset 0x10
                  stage 2: guest 0x10 -> host 0x2000_0010
                  host 0x2000_0010: /ddr (dram) offset 0x2000_0010
                    decodes [0x10_0000, 0x37ff_ffff]
                    via /ddr-main (alias of /ddr +0x10_0000): 0x2000_0010 -> 0x2000_0010
                """)
        // The PL window is direct: guest == host, no stage-2 move, straight to the AXI GPIO.
        let pl = try decode("zynq-7000-xen.yaml", "domU1", 0x4120_0004)
        #expect(
            pl.hasPrefix(
                "0x4120_0004 (domain domU1): entry pl (direct) [0x4000_0000, 0x7fff_ffff] offset 0x120_0004\n  stage 2: guest 0x4120_0004 -> host 0x4120_0004\n  host 0x4120_0004: /m-axi-gp0/axi-interconnect/axi_gpio_0 (mmio) offset 0x4"
            ))
        #expect(
            try decode("zynq-7000-xen.yaml", "domU1", 0xF8F0_1000).hasPrefix("0xf8f0_1000 (domain domU1): trapped to device model xen-vgic")
        )
        #expect(try decode("zynq-7000-xen.yaml", "domU1", 0x1000_0000).contains("stage-2 fault"))
        #expect(try decode("zynq-7000-xen.yaml", "dom0", 0xE000_1000).contains("host 0xe000_1000: /iop/uart1 (mmio) offset 0x0"))
    }

    /// Each isolation check fires on the broken fixture, and the bundled domain maps are clean.
    @Test(arguments: [
        ("domain-entry", "domain a / entry ghost"), ("domain-shared-range", "domain b / entry ram"),
        ("domain-hypervisor-range", "domain b / entry hv-window"),
        ("domain-dma-iommu", "domain a / entry nic"), ("domain-direct-mismatch", "domain a / entry bad-direct"),
        ("domain-direct-map-static", "domain a"),
        ("domain-direct-map-entry", "domain a / entry moved"), ("domain-passthrough-alignment", "domain a / entry nic"),
        ("domain-ram-over-trap", "domain b / entry ram"),
        ("domain-address-bits", "domain b / entry high"), ("domain-entry-overlap", "domain b / entry dup"),
    ])
    func isolationChecksFire(id: String, path: String) throws {
        let map = try MapFile.parse(try fixture("isolation-broken.yaml"), file: "isolation-broken.yaml").map
        let found = CheckEngine().run(on: map).filter { $0.checkID == id }
        #expect(
            found.contains { $0.path == path && $0.location?.file == "isolation-broken.yaml" && $0.severity == .error },
            "\(id): \(found.map(\.description))")
        for clean in ["x86-nvram-domains.yaml", "zynq-7000-xen.yaml"] {
            #expect(!CheckEngine().run(on: try bundledMap(clean)).contains { $0.checkID == id })
        }
    }

    @Test func everyDomainCheckHasAFixture() throws {
        let map = try MapFile.parse(try fixture("isolation-broken.yaml"), file: "isolation-broken.yaml").map
        let fired = Set(CheckEngine().run(on: map).map(\.checkID))
        #expect(Set(DomainChecks.all.map(\.id)).subtracting(fired).isEmpty)
    }

    @Test func sharedRangesMayBeDeclared() throws {
        let text = """
            name: t
            regions: [{name: ram, kind: dram, base: 0, size: 1G}]
            domains:
              - {name: a, entries: [{name: s, host: /ram, size: 1M, mode: direct, shared: true}]}
              - {name: b, entries: [{name: s, host: /ram, size: 1M, mode: translated, guest-base: 0x1000_0000, shared: true}]}
            """
        #expect(!CheckEngine().run(on: try MapFile.parse(text, file: "t.yaml").map).contains { $0.checkID == "domain-shared-range" })
    }

    @Test func domainInputErrors() {
        let base = "name: t\nregions: [{name: ram, kind: dram, base: 0, size: 1G}]\ndomains:\n"
        #expect(inputErrors(base + "  - {name: a, entries: [{host: /ram, mode: sideways}]}\n").first?.checkID == "bad-value")
        #expect(
            inputErrors(base + "  - {name: a, entries: [{host: /ram, mode: translated}]}\n").first?.message.contains("guest-base") == true)
        #expect(
            inputErrors(base + "  - {name: a, entries: [{name: u, mode: emulated, size: 4K, guest-base: 0x0}]}\n").first?.message.contains(
                "device-model") == true)
        #expect(inputErrors(base + "  - {name: a, entries: [{name: u, mode: direct}]}\n").first?.checkID == "missing-key")
        #expect(inputErrors(base + "  - {name: a, truste: true}\n").first?.message.contains("did you mean 'trusted'") == true)
    }

    /// `layout: xen-arm64`: Xen's fixed guest windows (the vGIC of the host's GIC version),
    /// RAM placed from GUEST_RAM0_BASE in order and on into GUEST_RAM1_BASE, explicit entries
    /// kept; an unknown layout is a located error with a suggestion.
    @Test func xenGuestLayout() throws {
        func domain(gic: String, ram: [String]) throws -> ResolvedDomain {
            let text = """
                name: t
                regions:
                  - {name: ram, kind: dram, base: 0x8000_0000, size: 8G}
                  - {name: gic, kind: mmio, base: 0x800_0000, size: 64K, compatible: "\(gic)"}
                domains:
                  - name: d
                    layout: xen-arm64
                    entries:
                \(ram.map { "      - \($0)" }.joined(separator: "\n"))
                """
            let map = try MapFile.parse(text, file: "t.yaml").map
            #expect(map.domains[0].entries.count == ram.count, "the map keeps what was written")
            return try #require(ResolvedMap(map).domain(named: "d"))
        }
        let v3 = try domain(
            gic: "arm,gic-v3",
            ram: [
                "{name: low, host: /ram, size: 2G, mode: translated}", "{name: more, host: /ram, offset: 2G, size: 2G, mode: translated}",
                "{name: console, size: 4K, mode: emulated, guest-base: 0x1c09_0000, device-model: vpl011}",
            ])
        func at(_ d: ResolvedDomain, _ name: String) -> AddressRange? { d.mappings.first { $0.entry.name == name }?.guest }
        #expect(at(v3, "low") == AddressRange(base: 0x4000_0000, size: 0x8000_0000))
        #expect(at(v3, "more") == AddressRange(base: 0x2_0000_0000, size: 0x8000_0000), "past GUEST_RAM0's 3 GiB: RAM1")
        #expect(
            at(v3, "gicd") == AddressRange(base: 0x0300_1000, size: 0x1_0000)
                && at(v3, "gicr") == AddressRange(base: 0x0302_0000, size: 0x100_0000))
        #expect(
            at(v3, "gicc") == nil && at(v3, "console") == AddressRange(base: 0x1c09_0000, size: 0x1000), "the domain's own console stays")
        #expect(at(v3, "grant-table") == AddressRange(base: 0x3800_0000, size: 0x100_0000))
        let v2 = try domain(gic: "arm,cortex-a15-gic", ram: ["{name: ram, host: /ram, size: 256M, mode: translated}"])
        #expect(
            at(v2, "gicd") == AddressRange(base: 0x0300_1000, size: 0x1000)
                && at(v2, "gicc") == AddressRange(base: 0x0300_2000, size: 0x2000))
        #expect(at(v2, "gicr") == nil && at(v2, "console") == AddressRange(base: 0x2200_0000, size: 0x1000))
        let bad = inputErrors("name: t\nregions: []\ndomains:\n  - {name: a, layout: xen-arm}\n")
        #expect(bad.first?.checkID == "bad-value" && bad.first?.message.contains("did you mean 'xen-arm64'") == true)
        #expect(bad.first?.location?.line == 4)
    }
}
