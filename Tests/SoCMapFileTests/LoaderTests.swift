import Foundation
import SoCMap
import SoCMapChecks
import SoCMapFile
import SoCMapViews
import TestSupport
import Testing

@Suite("Map files: bad input gives located one-line errors")
struct LoaderTests {
    let header = "name: t\nregions:\n"

    func only(_ text: String) -> Diagnostic? {
        let d = inputErrors(text)
        #expect(d.count == 1, "\(d.map(\.description))")
        return d.first
    }

    @Test func malformedYAML() throws {
        let d = try #require(only("name: t\nregions: [\n  - {name: a\n"))
        #expect(d.checkID == "yaml-syntax")
        #expect(d.location?.file == "test.yaml" && (d.location?.line ?? 0) >= 3)
        #expect(!d.description.contains("\n"))
    }

    @Test func unknownKeySuggestsTheRightOne() throws {
        let all = inputErrors(header + "  - name: a\n    kind: mmio\n    base: 0x1000\n    sise: 4K\n")
        #expect(all.map(\.checkID) == ["unknown-key", "missing-key"])
        let d = try #require(all.first)
        #expect(d.checkID == "unknown-key")
        #expect(d.message.contains("did you mean 'size'"))
        #expect(d.location?.line == 6 && d.location?.column == 5)
        #expect(d.path == "/a")
        #expect(d.description.hasPrefix("test.yaml:6:5: error: /a: unknown key 'sise'"))
    }

    @Test func unknownKindSuggestsTheRightOne() throws {
        let d = try #require(only(header + "  - {name: a, kind: mmoi, base: 0, size: 1}\n"))
        #expect(d.message.contains("did you mean 'mmio'"))
    }

    @Test(arguments: ["0xZZ", "12Q", "0x1_0000_0000_0000_0000", "-4", "1.5G"])
    func badNumbers(text: String) throws {
        let d = try #require(only(header + "  - {name: a, kind: mmio, base: \(text), size: 4K}\n"))
        #expect(d.checkID == "bad-number")
        #expect(d.location?.line == 3 && d.location?.column == 33)
    }

    @Test func overflowingAndEmptyRanges() throws {
        #expect(only(header + "  - {name: a, kind: mmio, base: 0xffff_ffff_ffff_f000, size: 0x2000}\n")?.checkID == "range-overflow")
        #expect(only(header + "  - {name: a, kind: mmio, base: 0x1000, size: 0}\n")?.checkID == "range-empty")
        #expect(only(header + "  - {name: a, kind: mmio, base: 0x1000, last: 0xfff}\n")?.checkID == "range-empty")
        #expect(
            only(header + "  - {name: a, kind: mmio, base: 0x1000, size: 1, repeat: {count: 3, stride: 0x7fff_ffff_ffff_ffff}}\n")?.checkID
                == "range-overflow")
        // The very top of the space is fine.
        #expect(inputErrors(header + "  - {name: a, kind: mmio, base: 0xffff_ffff_ffff_f000, size: 4K}\n").isEmpty)
    }

    @Test func conditionSyntaxPointsIntoTheCondition() throws {
        let d = try #require(
            only("name: t\nswitches:\n  - {name: s, values: [a, b]}\nregions:\n  - {name: r, kind: mmio, base: 0, size: 1, when: s = a}\n"))
        #expect(d.checkID == "condition-syntax")
        #expect(d.location?.line == 5 && d.location?.column == 53)
    }

    @Test func missingKeysAndBadValues() {
        #expect(only("regions: []\n")?.checkID == "missing-key")
        #expect(only("name: t\n")?.checkID == "missing-key")
        #expect(only(header + "  - {name: a, kind: mmio}\n")?.checkID == "missing-key")
        #expect(only(header + "  - {name: 'a b', kind: mmio, base: 0, size: 1}\n")?.checkID == "bad-value")
        #expect(
            only("name: t\nswitches:\n  - {name: s, values: [a, b], default: c}\nregions: []\n")?.message.contains("not one of its values")
                == true)
        #expect(only(header + "  - {name: a, kind: mmio, base: 0, size: 1, target: /x}\n")?.checkID == "bad-value")
        #expect(only(header + "  - {name: a, kind: bus, ranges: sideways}\n")?.checkID == "bad-value")
        #expect(only("").map { $0.checkID } == "missing-key")
    }

    @Test func duplicateKeysAreRejected() throws {
        let d = try #require(only(header + "  - name: a\n    kind: mmio\n    base: 0\n    base: 1\n    size: 1\n"))
        #expect(d.checkID == "duplicate-key")
        // Located at the second occurrence.
        #expect(d.location?.line == 6 && d.location?.column == 5)
        #expect(d.message == "duplicate key 'base' in a mapping")
        // Large mappings (hashed rather than compared pairwise) too.
        let many = (0..<20).map { "      p\($0): 1\n" }.joined()
        let big = try #require(
            only(header + "  - name: a\n    kind: mmio\n    base: 0\n    size: 1\n    properties:\n" + many + "      p7: 2\n"))
        #expect(big.checkID == "duplicate-key" && big.location?.line == 28 && big.location?.column == 7)
    }

    @Test func anchorsAndAliasesResolve() throws {
        let text =
            header
            + "  - {name: a, kind: mmio, base: &b 0x1000, size: &s 4K, properties: {x: &c [1, 2]}}\n  - {name: b, kind: mmio, base: 0x2000, size: *s, properties: {y: *c}}\n"
        let map = try MapFile.parse(text, file: "t.yaml").map
        #expect(map.regions[1].range == AddressRange(base: 0x2000, size: 0x1000))
        #expect(map.regions[1].properties.first?.value == .cells([1, 2]))
    }

    @Test func aliasesAndDocumentsThatCannotBeRead() throws {
        let undefined = try #require(only(header + "  - {name: a, kind: mmio, base: *nothing, size: 1}\n"))
        #expect(undefined.checkID == "yaml-syntax" && undefined.message.contains("*nothing") && undefined.location?.line == 3)
        // An alias inside the collection it names would make the tree cyclic: refused.
        #expect(only(header + "  - &r {name: a, kind: mmio, base: 0, size: 1, children: [*r]}\n")?.checkID == "yaml-syntax")
        let two = try #require(only(header + "  - {name: a, kind: mmio, base: 0, size: 1}\n---\nname: u\n"))
        #expect(two.checkID == "yaml-syntax" && two.location?.line == 4)
        #expect(only("name: t\nregions: [\u{1}]\n")?.checkID == "yaml-syntax")
    }

    @Test func severalProblemsAreAllReported() {
        let d = inputErrors(header + "  - {name: a, kind: mmio, base: 0xZZ, size: 1}\n  - {name: b, kind: mmio, base: 0, size: 0}\n")
        #expect(d.map(\.checkID) == ["bad-number", "range-empty"])
    }

    @Test func jsonWithTheSameSchemaIsAccepted() throws {
        let json =
            #"{"name": "j", "address-bits": 32, "regions": [{"name": "ram", "kind": "dram", "base": "0x8000_0000", "size": "1G"}, {"name": "uart", "kind": "mmio", "base": 4096, "size": 4096}]}"#
        let map = try MapFile.parse(json, file: "j.json").map
        #expect(map.regions.count == 2 && map.regions[1].range == AddressRange(base: 4096, size: 4096))
        #expect(map.addressBits == 32)
    }

    @Test func commentsSurviveFormatting() throws {
        let text = """
            # header comment
            name: t
            regions:
              # the RAM
              - name: ram  # trailing
                kind: dram
                base: 0x8000_0000
                last: 0xBFFF_FFFF

              - {name: uart, kind: mmio, base: 0xE000_0000, size: 0x1000}
            # tail
            """
        let formatted = MapWriter.format(try MapFile.parse(text, file: "t.yaml"))
        #expect(
            formatted == """
                # header comment
                socmap: 1
                name: t
                regions:
                  # the RAM
                  - name: ram  # trailing
                    kind: dram
                    base: 0x8000_0000
                    size: 1G

                  - {name: uart, kind: mmio, base: 0xe000_0000, size: 4K}
                # tail

                """)
        #expect(MapWriter.format(try MapFile.parse(formatted, file: "t.yaml")) == formatted)
    }
}
