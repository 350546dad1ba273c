import Foundation
import SoCMap
import SoCMapViews
import TestSupport
import Testing

/// A device-tree-like map: an interconnect whose named second entry lies inside its device,
/// three LEDs sharing one register, and a disabled SPI controller.
func sharedRegisterSoC() -> AddressMap {
    func entries(_ list: [(String?, UInt64, UInt64)]) -> [Region.Entry] {
        list.map { Region.Entry(range: AddressRange(base: $0.1, size: $0.2)!, name: $0.0) }
    }
    var interconnect = Region(
        name: "interconnect@4a000000", kind: .mmio, entries: entries([("ap", 0x4A10_0000, 0x100), ("sysc", 0x4A00_0100, 0x10)]),
        children: [Region(name: "target@0", kind: .mmio, entries: entries([(nil, 0x4A00_0000, 0x1000)]))])
    interconnect.clipsChildren = false
    let leds = (0..<3).map { Region(name: "led@8,\($0)", kind: .mmio, entries: entries([(nil, 0x1C01_0008, 4)])) }
    let spi = Region(name: "spi@700600", kind: .mmio, entries: entries([(nil, 0xF270_0600, 0x50)]), disabled: true)
    var map = AddressMap(name: "shared", regions: [interconnect, r("apbregs", .bus, 0x1C01_0000, 0x1000, children: leds), spi])
    map.overlapRule = .deviceTree
    return map
}

@Suite("Decode answers name the entry, every claimant and disabled units")
struct ClaimViewTests {
    @Test func textNamesEntryAndOtherClaimants() throws {
        let router = try Router(map: sharedRegisterSoC())
        #expect(
            DecodeAnswer(address: PhysicalAddress(0x4A00_0104), router: router).text == """
                0x4a00_0104: /interconnect@4a000000/target@0 (mmio) offset 0x104
                  decodes [0x4a00_0000, 0x4a00_0fff]
                  via /interconnect@4a000000 (mmio, identity): 0x4a00_0104 -> 0x4a00_0104
                  also claimed by /interconnect@4a000000 (mmio) reg 1 "sysc" [0x4a00_0100, 0x4a00_010f]
                """)
        #expect(
            DecodeAnswer(address: PhysicalAddress(0x4A10_0004), router: router).text.hasPrefix(
                #"0x4a10_0004: /interconnect@4a000000 (mmio) reg 0 "ap" offset 0x4"#))
        let led = DecodeAnswer(address: PhysicalAddress(0x1C01_0008), router: router).text.split(separator: "\n")
        #expect(led.first == "0x1c01_0008: /apbregs/led@8,0 (mmio) offset 0x0")
        #expect(led.filter { $0.hasPrefix("  also claimed by /apbregs/led@8,") }.count == 2)
    }

    @Test func disabledUnitIsNamedWhereNothingAnswers() throws {
        let router = try Router(map: sharedRegisterSoC())
        let answer = DecodeAnswer(address: PhysicalAddress(0xF270_0610), router: router)
        #expect(!answer.isDecoded)
        let lines = answer.text.split(separator: "\n")
        #expect(lines.first == "0xf270_0610: unassigned")
        #expect(lines.last == "  disabled: /spi@700600 (mmio) [0xf270_0600, 0xf270_064f]")
        let json = try #require(try parsedJSON(answer.json.compact) as? [String: Any])
        #expect(json["status"] as? String == "unassigned")
        let disabled = try #require(json["disabled"] as? [[String: Any]])
        #expect(disabled.count == 1 && disabled[0]["unit"] as? String == "/spi@700600" && disabled[0]["base"] as? String == "0xf2700600")
    }

    @Test func jsonCarriesEntryAndClaims() throws {
        let router = try Router(map: sharedRegisterSoC())
        let bus = try #require(
            try parsedJSON(DecodeAnswer(address: PhysicalAddress(0x4A10_0004), router: router).json.compact) as? [String: Any])
        #expect(bus["entry"] as? Int == 0 && bus["entry-name"] as? String == "ap")
        let dev = try #require(
            try parsedJSON(DecodeAnswer(address: PhysicalAddress(0x4A00_0104), router: router).json.compact) as? [String: Any])
        #expect(dev["entry"] == nil)
        let claims = try #require(dev["also-claimed-by"] as? [[String: Any]])
        #expect(
            claims.count == 1 && claims[0]["unit"] as? String == "/interconnect@4a000000" && claims[0]["entry-name"] as? String == "sysc")
        #expect(dev["disabled"] == nil)
        // show's JSON: every entry of the unit, structured; segments carry entry and name.
        let show = try #require(try parsedJSON(MapViews(router: router, mapName: "shared").json.compact) as? [String: Any])
        let regions = try #require(show["regions"] as? [[String: Any]])
        let unitJSON = try #require(regions.first { $0["path"] as? String == "/interconnect@4a000000" })
        let listed = try #require(unitJSON["entries"] as? [[String: Any]])
        #expect(listed.map { $0["entry"] as? Int } == [0, 1] && listed.map { $0["name"] as? String } == ["ap", "sysc"])
        #expect(listed[1]["base"] as? String == "0x4a000100" && listed[1]["last"] as? String == "0x4a00010f")
        let segments = try #require(show["segments"] as? [[String: Any]])
        #expect(segments.contains { $0["unit"] as? String == "/interconnect@4a000000" && $0["entry-name"] as? String == "ap" })
    }

    /// `show --disabled`: every format marks the disabled unit where it would decode; without
    /// the option it is absent.
    @Test func showIncludingDisabledMarksThem() throws {
        let router = try Router(map: sharedRegisterSoC())
        let plain = MapViews(router: router, mapName: "shared")
        let all = MapViews(router: router, mapName: "shared", includingDisabled: true)
        #expect(!plain.treeText.contains("spi@700600") && !plain.flat.contains("spi@700600") && !plain.iomem.contains("spi@700600"))
        #expect(all.treeText.contains("00000000f2700600-00000000f270064f (prio 0, mmio): spi@700600 [disabled]"))
        #expect(all.flat.contains("00000000f2700600-00000000f270064f (disabled, mmio): spi@700600"))
        #expect(all.iomem.contains("f2700600-f270064f : spi@700600 [disabled]"))
        #expect(all.json.compact.contains(#""disabled":true"#) && !plain.json.compact.contains(#""disabled":true"#))
    }
}
