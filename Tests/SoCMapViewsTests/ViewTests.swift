import Foundation
import SoCMap
import SoCMapViews
import TestSupport
import Testing

/// A small SoC built in code: RAM, a bus with a translated window holding a UART, a PCIe host,
/// and a guest with translated RAM and an emulated UART.
func smallSoC() -> AddressMap {
    let pcie = Region.pcieHost(
        name: "pcie",
        ecam: AddressRange(base: 0x40_1000_0000, size: 0x1000_0000),
        windows: [
            PCIeWindow(space: .io, cpuRange: AddressRange(base: 0x3EFF_0000, size: 0x1_0000)!, pciBase: 0),
            PCIeWindow(
                space: .mem32, prefetchable: true, cpuRange: AddressRange(base: 0x1000_0000, size: 0x2EFF_0000)!, pciBase: 0x1000_0000),
        ])
    var map = AddressMap(
        name: "small",
        regions: [
            r("ram", .dram, 0x4000_0000, 1 << 30),
            r(
                "apb", .bus, 0x0900_0000, 0x10_0000, children: [r("uart", .mmio, 0x1000, 0x1000)],
                translation: .windows([window(0, 0x0900_0000, 0x10_0000)])),
            pcie,
        ])
    map.domains = [
        Domain(
            name: "guest",
            entries: [
                DomainEntry(name: "ram", mode: .translated, host: "/ram", slice: (0x1000_0000, 0x0800_0000), guestBase: 0),
                DomainEntry(name: "vuart", mode: .emulated, guestBase: 0x0900_0000, size: 0x1000, deviceModel: "vpl011"),
            ])
    ]
    return map
}

/// Parses JSON text with Foundation: every `--json` rendering must be real JSON.
func parsedJSON(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
}

@Suite("Decode answers and views, on maps built in code")
struct ViewTests {
    @Test func decodeAnswerTextNamesUnitOffsetAndHops() throws {
        let router = try Router(map: smallSoC())
        #expect(
            DecodeAnswer(address: PhysicalAddress(0x0900_1004), router: router).text == """
                0x900_1004: /apb/uart (mmio) offset 0x4
                  decodes [0x900_1000, 0x900_1fff]
                  via /apb (bus, window 0): 0x900_1004 -> 0x1004
                """)
        #expect(
            DecodeAnswer(address: PhysicalAddress(0x3EFF_0010), router: router).text.hasPrefix(
                "0x3eff_0010: /pcie (pcie) I/O space, bus address 0x10"))
        #expect(
            DecodeAnswer(address: PhysicalAddress(0x1000_0040), router: router).text.hasPrefix(
                "0x1000_0040: /pcie (pcie) prefetchable 32-bit memory space, bus address 0x1000_0040"))
        #expect(
            DecodeAnswer(address: PhysicalAddress(0x40_1010_8000), router: router).text.contains(
                "bus 1, device 1, function 0, register 0x0"))
        let hole = DecodeAnswer(address: PhysicalAddress(0x8000_0000), router: router)
        #expect(
            !hole.isDecoded
                && hole.text
                    == "0x8000_0000: unassigned\n  below: /ram [0x4000_0000, 0x7fff_ffff]\n  above: /pcie [0x40_1000_0000, 0x40_1fff_ffff]"
        )
    }

    @Test func decodeAnswerJSONParsesAndCarriesTheBusAddress() throws {
        let router = try Router(map: smallSoC())
        let window = try #require(
            try parsedJSON(DecodeAnswer(address: PhysicalAddress(0x1000_0040), router: router).json.compact) as? [String: Any])
        #expect(
            window["status"] as? String == "decoded" && window["bus-address"] as? String == "0x10000040"
                && window["space"] as? String == "mem32")
        let hole = try #require(
            try parsedJSON(DecodeAnswer(address: PhysicalAddress(0x8000_0000), router: router).json.pretty) as? [String: Any])
        #expect(hole["status"] as? String == "unassigned" && (hole["above"] as? [String: Any])?["unit"] as? String == "/pcie")
    }

    @Test func guestDecodeCrossesStageTwo() throws {
        let guest = try GuestRouter(ResolvedMap(smallSoC()), domain: "guest")
        let ram = GuestDecodeAnswer(address: GuestPhysicalAddress(0x10), router: guest)
        #expect(ram.isDecoded && ram.route?.hostAddress == PhysicalAddress(0x5000_0010))
        #expect(
            ram.text.hasPrefix(
                "0x10 (domain guest): entry ram (translated) [0x0, 0x7ff_ffff] offset 0x10\n  stage 2: guest 0x10 -> host 0x5000_0010\n  host 0x5000_0010: /ram (dram) offset 0x1000_0010"
            ))
        let trap = GuestDecodeAnswer(address: GuestPhysicalAddress(0x0900_0004), router: guest)
        #expect(
            trap.text
                == "0x900_0004 (domain guest): trapped to device model vpl011: entry vuart (emulated, device model vpl011) [0x900_0000, 0x900_0fff] offset 0x4"
        )
        let fault = try #require(
            try parsedJSON(GuestDecodeAnswer(address: GuestPhysicalAddress(0x2000_0000), router: guest).json.compact) as? [String: Any])
        #expect(fault["status"] as? String == "stage-2-fault")
    }

    @Test func mapViewsRenderLikeQEMU() throws {
        let views = MapViews(router: try Router(map: smallSoC()), mapName: "small")
        #expect(views.flat.split(separator: "\n").contains("  0000000009001000-0000000009001fff (prio 0, mmio): uart"))
        #expect(
            views.flat.split(separator: "\n").contains(
                "  0000000010000000-000000003efeffff (prio 0, pcie-mem32-pref): pcie @0000000010000000"))
        #expect(views.iomem.split(separator: "\n").first == "09000000-090fffff : apb")
        let json = try #require(try parsedJSON(views.json.pretty) as? [String: Any])
        #expect((json["segments"] as? [Any])?.count == views.router.segmentCount)
        let guest = GuestViews(router: try GuestRouter(ResolvedMap(smallSoC()), domain: "guest"))
        #expect(try parsedJSON(guest.json.pretty) is [String: Any])
        #expect(guest.flat.contains("0000000009000000-0000000009000fff (emulated, mmio): vuart -> vpl011"))
    }

    @Test func jsonQuotesEverythingItMust() throws {
        let text = JSON.object([
            ("k\"ey", .string("tab\there\nnew \u{1} \\ ü")), ("n", .int(-3)), ("b", .bool(true)), ("z", .null), ("a", .array([])),
        ]).compact
        let back = try #require(try parsedJSON(text) as? [String: Any])
        #expect(back["k\"ey"] as? String == "tab\there\nnew \u{1} \\ ü" && back["n"] as? Int == -3)
    }
}
