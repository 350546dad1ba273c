import Foundation
import SoCMap
import SoCMapChecks
import SoCMapFile
import SoCMapViews
import TestSupport
import Testing

@Suite("Generic checks")
struct CheckTests {
    func diagnostics() throws -> [Diagnostic] {
        CheckEngine().run(on: try MapFile.parse(try fixture("broken.yaml"), file: "broken.yaml").map)
    }

    /// Each generic check fires on the broken fixture, at the line of the culprit, with its path.
    @Test(arguments: [
        ("sibling-overlap", 16, "/uart1"), ("duplicate-name", 20, "/uart1"), ("unknown-initiator", 24, "/spy"),
        ("unknown-switch", 29, "/gated"), ("alias-target", 34, "/dangling"), ("alias-cycle", 39, "/loop-a"),
        ("outside-window", 59, "/apb/lost"), ("window-straddle", 58, "/apb/straddler"), ("ranges-overlap", 55, "/apb"),
        ("outside-parent", 65, "/small/spill"), ("address-bits", 66, "/highmem"), ("window-alignment", 70, "/fpga"),
        ("empty-bus", 74, "/nothing"), ("pcie-bus-range", 78, "/pcie"), ("pcie-window-overlap", 78, "/pcie"),
        ("shadowed", 84, "/hidden"), ("unused-switch", 9, ""), ("dram-hole", 90, "/bank"), ("unit-address", 97, "/periph/timer@10000100"),
    ])
    func fires(id: String, line: Int, path: String) throws {
        let found = try diagnostics().filter { $0.checkID == id }
        #expect(!found.isEmpty, "\(id) did not fire")
        #expect(
            found.contains { $0.location?.line == line && ($0.path ?? "") == path },
            "\(id): \(found.map(\.description))")
        #expect(found.allSatisfy { $0.location?.file == "broken.yaml" })
    }

    @Test func everyGenericCheckHasAFixture() throws {
        let fired = Set(try diagnostics().map(\.checkID))
        // decode-conflict waits for alias-cycle here; ProfileTests.decodeConflictAfterTranslation fires it.
        // The device-tree checks have their fixture (dt-checks.dts, in the libfdt tests).
        #expect(Set(GenericChecks.all.map(\.id)).subtracting(fired).subtracting(deviceTreeCheckIDs).isEmpty)
        // Broken aliases are reported as broken, not as shadowed.
        #expect(!(try diagnostics()).contains { $0.checkID == "shadowed" && $0.path != "/hidden" })
    }

    @Test func compilerStyleLine() throws {
        let d = try #require(try diagnostics().first { $0.checkID == "sibling-overlap" })
        #expect(
            d.description
                == "broken.yaml:16:5: error: /uart1: 'uart1' [0xe000_1000, 0xe000_1fff] overlaps 'uart0' [0xe000_0000, 0xe000_17ff] at equal priority 0; the later one wins [sibling-overlap]"
        )
    }

    @Test func exclusiveConditionsDoNotOverlap() throws {
        let text = """
            name: t
            switches: [{name: s, values: [a, b]}]
            regions:
              - {name: x, kind: mmio, base: 0, size: 4K, when: s == a}
              - {name: y, kind: mmio, base: 0, size: 4K, when: s == b}
              - {name: z, kind: mmio, base: 0x1000, size: 4K}
              - {name: w, kind: mmio, base: 0x1000, size: 4K, overlap: intended}
            """
        let found = CheckEngine().run(on: try MapFile.parse(text, file: "t.yaml").map)
        #expect(!found.contains { $0.checkID == "sibling-overlap" })
    }

    @Test func severityOverridesAndDisabling() throws {
        var engine = CheckEngine()
        engine.overrides["sibling-overlap"] = .some(nil)
        engine.overrides["empty-bus"] = .some(.error)
        let found = engine.run(on: try MapFile.parse(try fixture("broken.yaml"), file: "broken.yaml").map)
        #expect(!found.contains { $0.checkID == "sibling-overlap" })
        #expect(found.first { $0.checkID == "empty-bus" }?.severity == .error)
    }
}
