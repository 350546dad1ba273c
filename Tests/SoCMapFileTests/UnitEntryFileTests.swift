import SoCMap
import SoCMapFile
import TestSupport
import Testing

@Suite("Map files: units with several named ranges, the overlap rule")
struct UnitEntryFileTests {
    static let text = """
        name: t
        overlaps: device-tree
        regions:
          - name: pcie@fd0e0000
            kind: pcie
            reg:
              - {name: breg, base: 0xfd0e_0000, size: 4K}
              - {name: pcireg, base: 0xfd48_0000, size: 4K}
              - {name: cfg, base: 0x80_0000_0000, size: 256M}
            windows:
              - {space: mem32, base: 0xe000_0000, size: 256M, pci-base: 0xe000_0000}
          - name: dwc@f0000000
            kind: pcie
            reg:
              - {name: dbi, base: 0xf000_0000, size: 4K}
              - {name: other, base: 0xf100_0000, size: 1M}
            ecam: other
          - name: serial@e0000000
            kind: mmio
            reg:
              - {base: 0xe000_0000, size: 4K}
              - {name: fifo, base: 0xe000_8000, last: 0xe000_80ff}

        """

    @Test func regListsNamesAndTheRuleAreRead() throws {
        let map = try MapFile.parse(Self.text, file: "t.yaml").map
        #expect(map.overlapRule == .deviceTree)
        let host = map.regions[0]
        #expect(host.entries.map(\.name) == ["breg", "pcireg", "cfg"])
        // The configuration space is the entry named cfg, not the first one.
        #expect(host.pcie?.ecamEntry == 2 && host.pcie?.lastBus == 255)
        #expect(map.regions[1].pcie?.ecamEntry == 1)
        #expect(map.regions[2].entries.map(\.name) == [nil, "fifo"])
        #expect(map.regions[2].entries[1].range == AddressRange(base: 0xE000_8000, size: 0x100))
    }

    /// `fmt` writes the list, the names, an `ecam` that is not derivable, and the rule; its
    /// output reads back to the same map and formats to itself.
    @Test func formatRoundTrips() throws {
        let file = try MapFile.parse(Self.text, file: "t.yaml")
        let once = MapWriter.format(file)
        #expect(once.contains("overlaps: device-tree") && once.contains("ecam: other") && !once.contains("ecam: cfg"))
        let again = try MapFile.parse(once, file: "t.yaml")
        #expect(again.map.withoutLocations() == file.map.withoutLocations())
        #expect(MapWriter.format(again) == once)
    }

    /// Random maps (named second entries, hosts with their ECAM second, disabled units, either
    /// overlap rule) survive being written without any source layout and read back.
    @Test(arguments: Array(UInt64(1)...UInt64(60)))
    func randomMapsSurviveTheFileFormat(seed: UInt64) throws {
        let map = randomMap(seed: seed)
        let text = MapWriter.format(MapFile(map: map))
        let back = try MapFile.parse(text, file: "random.yaml").map
        #expect(back.withoutLocations() == map.withoutLocations(), "\(text)")
    }

    @Test func badEntriesAreLocatedErrors() throws {
        let both = inputErrors("name: t\nregions:\n  - name: a\n    kind: mmio\n    base: 0\n    reg: [{base: 0, size: 4}]\n")
        #expect(both.map(\.checkID) == ["bad-value"] && both.first?.location?.line == 6)
        #expect(both.first?.message.contains("both 'reg' and 'base'") == true)
        let key = inputErrors("name: t\nregions:\n  - name: a\n    kind: mmio\n    reg:\n      - {base: 0, sise: 4}\n")
        #expect(key.first?.checkID == "unknown-key" && key.first?.location?.line == 6)
        let ecam = inputErrors(
            "name: t\nregions:\n  - name: p\n    kind: pcie\n    reg: [{name: cfg, base: 0, size: 1M}]\n    ecam: cgf\n")
        #expect(ecam.map(\.checkID) == ["bad-value"] && ecam.first?.message.contains("did you mean 'cfg'") == true)
        let rule = inputErrors("name: t\noverlaps: devicetree\nregions: []\n")
        #expect(rule.first?.message.contains("did you mean 'device-tree'") == true && rule.first?.location?.line == 2)
    }
}
