import Foundation
import SoCMap
import SoCMapDeviceTree
import SoCMapFDT
import SoCMapFile
import TestSupport
import Testing

/// Every property value of a map, with references renamed by `rename`.
func renamingReferences(_ map: AddressMap, _ rename: (NodeReference) -> NodeReference) -> AddressMap {
    func fix(_ properties: [Region.Property]) -> [Region.Property] {
        properties.map { p in
            var p = p
            switch p.value {
            case .references(let cells):
                p.value = .references(
                    cells.map {
                        if case .reference(let r) = $0 { return .reference(rename(r)) }
                        return $0
                    })
            case .pathOf(let r): p.value = .pathOf(rename(r))
            default: break
            }
            return p
        }
    }
    func fix(_ n: DescriptionNode) -> DescriptionNode {
        var n = n
        n.properties = fix(n.properties)
        n.children = n.children.map(fix)
        return n
    }
    func fix(_ r: Region) -> Region {
        var r = r
        r.properties = fix(r.properties)
        r.children = r.children.map(fix)
        return r
    }
    var map = map
    map.regions = map.regions.map(fix)
    map.deviceTree.properties = fix(map.deviceTree.properties)
    map.deviceTree.nodes = map.deviceTree.nodes.map {
        var a = $0
        a.node = fix(a.node)
        return a
    }
    return map
}

@Suite("References: labels, paths and phandles")
struct ReferenceTests {
    /// DTS labels come through (dtc -@) and phandle properties read as references to them.
    @Test(.requiresDtc) func dtsLabelsBecomeReferences() throws {
        let map = try DeviceTreeFiles.importMap(path: fixtureURL("zynq-like.dts").path).map
        #expect(map.deviceTree.properties.first { $0.name == "interrupt-parent" }?.value == .references([.reference(.label("gic"))]))
        #expect(!map.deviceTree.symbols)
        let amba = try #require(map.regions.first { $0.name == "amba" })
        #expect(amba.label == "amba")
        #expect(amba.children.first { $0.name == "serial@e0000000" }?.label == "uart0")
        let text = MapWriter.format(MapFile(map: map))
        #expect(text.contains(#"interrupt-parent: "&gic""#), "\(text)")
    }

    /// Renaming a label (and what refers to it) changes nothing in the tree: the phandles stay.
    @Test(.requiresDtc) func renamingALabelKeepsThePhandleWiring() throws {
        let map = try DeviceTreeFiles.importMap(path: fixtureURL("zynq-like.dts").path).map
        let before = try FDTWriter.write(DeviceTreeExport.tree(of: map))
        var renamed = renamingReferences(map) { $0 == .label("gic") ? .label("intc") : $0 }
        func relabel(_ regions: inout [Region]) {
            for i in regions.indices {
                if regions[i].label == "gic" { regions[i].label = "intc" }
                relabel(&regions[i].children)
            }
        }
        relabel(&renamed.regions)
        #expect(renamed != map)
        let after = try FDTWriter.write(DeviceTreeExport.tree(of: renamed))
        #expect(try sortedSource(ofBlob: after) == sortedSource(ofBlob: before))
        // And through the map file: the renamed label reads back as written.
        let text = MapWriter.format(MapFile(map: renamed))
        #expect(text.contains(#"interrupt-parent: "&intc""#) && !text.contains(#""&gic""#))
        let back = try MapFile.parse(text, file: "renamed.yaml").map
        #expect(try sortedSource(ofBlob: FDTWriter.write(DeviceTreeExport.tree(of: back))) == sortedSource(ofBlob: before))
    }

    /// QEMU's DTB has no labels: references name node paths.
    @Test func qemuReferencesNamePaths() throws {
        let map = try DeviceTreeFiles.importMap(path: fixtureURL("qemu-virt-aarch64-1g.dtb").path).map
        let text = MapWriter.format(MapFile(map: map))
        #expect(text.contains(#"interrupt-parent: "&{/intc@8000000}""#))
        #expect(text.contains(#"clocks: ["&{/apb-pclk}", "&{/apb-pclk}"]"#), "\(text)")
        #expect(text.contains(#"gpios: ["&{/pl061@9030000}", 3, 0]"#))
    }

    /// A map's own references: export gives the target a phandle (dtc's numbering, from 1),
    /// writes the reference as it, and reading the tree back gives the same map.
    @Test func handWrittenReferencesResolve() throws {
        let text = """
            name: refs
            regions:
              - {name: gic, kind: mmio, base: 0x800_0000, size: 64K, label: gic}
              - name: uart
                kind: mmio
                base: 0x900_0000
                size: 4K
                properties:
                  interrupt-parent: "&gic"
                  interrupts: [0, 1, 4]
                  clocks: ["&{/clk}", "&clk"]
            devicetree:
              properties:
                interrupt-parent: "&gic"
              nodes:
                - name: clk
                  label: clk
                  properties:
                    compatible: fixed-clock
                    "#clock-cells": [0]
                - name: chosen
                  properties:
                    stdout-path: {path: "&{/uart}"}

            """
        let map = try MapFile.parse(text, file: "refs.yaml").map
        let tree = DeviceTreeExport.tree(of: map)
        let gic = try #require(tree.node(at: "/gic@8000000"))
        let clk = try #require(tree.node(at: "/clk"))
        let uart = try #require(tree.node(at: "/uart@9000000"))
        #expect(tree.property("phandle", of: gic)?.u32 == 1 && tree.property("phandle", of: clk)?.u32 == 2)
        #expect(tree.property("interrupt-parent", of: uart)?.u32 == 1)
        #expect(tree.property("clocks", of: uart)?.cells == [2, 2])
        #expect(tree.property("interrupt-parent", of: tree.root)?.u32 == 1)
        #expect(tree.property("stdout-path", of: try #require(tree.node(at: "/chosen")))?.string == "/uart@9000000")
        let back = DeviceTreeImport(tree: try FDTReader.read(try FDTWriter.write(tree)), source: "refs.dtb").map
        #expect(back.withoutLocations() == map.withoutLocations())
    }

    /// An imported tree written as a map file and read back still exports to the same tree:
    /// description nodes, references, labels, raw properties and phandles survive the YAML.
    @Test(.requiresDtc, arguments: ["qemu-virt-aarch64-1g.dtb", "qemu-virt-arm.dtb", "zynq-like.dts", "odd/reg-trailing-cells.dts"])
    func importedTreesSurviveTheMapFile(name: String) throws {
        let path = fixtureURL(name).path
        let map = try DeviceTreeFiles.importMap(path: path).map
        let text = MapWriter.format(MapFile(map: map))
        let back = try MapFile.parse(text, file: "imported.yaml").map
        let input = try FDTWriter.write(try DeviceTreeFiles.read(path: path))
        #expect(try sortedSource(ofBlob: FDTWriter.write(DeviceTreeExport.tree(of: back))) == sortedSource(ofBlob: input))
    }

    /// The same on real kernel trees, one with `/__symbols__` (labels) among them.
    @Test(
        .requiresKernelDTBs, .requiresDtc,
        arguments: ["xilinx/zynqmp-zcu102-rev1.0.dtb", "arm/juno-r2.dtb", "freescale/imx8mm-venice-gw73xx-0x.dtb"])
    func kernelTreesSurviveTheMapFile(name: String) throws {
        let map = try DeviceTreeFiles.importMap(path: KernelDTBs.path(name)).map
        let back = try MapFile.parse(MapWriter.format(MapFile(map: map)), file: "imported.yaml").map
        #expect(back.withoutLocations() == map.withoutLocations())
        let input = Array(try Data(contentsOf: URL(fileURLWithPath: KernelDTBs.path(name))))
        #expect(try sortedSource(ofBlob: FDTWriter.write(DeviceTreeExport.tree(of: back))) == sortedSource(ofBlob: input))
    }

    /// `&gic` unquoted is a YAML anchor, not a reference: a located error says to quote it.
    @Test func unquotedReferenceIsAnError() throws {
        var d: [Diagnostic] = []
        do {
            _ = try MapFile.parse(
                "name: t\nregions:\n  - name: u\n    kind: mmio\n    base: 0\n    size: 4K\n    properties:\n      interrupt-parent: &gic\n",
                file: "t.yaml")
        } catch { d = error.diagnostics }
        #expect(d.count == 1 && d.first?.location?.line == 8 && d.first?.message.contains("quote references") == true, "\(d)")
    }

    @Test func unresolvedReferencesAreLocatedErrors() throws {
        let text = """
            name: refs
            regions:
              - name: uart
                kind: mmio
                base: 0x900_0000
                size: 4K
                label: uart
                properties:
                  interrupt-parent: "&gci"
            devicetree:
              nodes:
                - {name: gic, label: gic}

            """
        do {
            _ = try MapFile.parse(text, file: "refs.yaml")
            Issue.record("accepted")
        } catch {
            let d = try #require(error.diagnostics.first)
            #expect(error.diagnostics.count == 1)
            #expect(d.checkID == "unresolved-reference" && d.location?.line == 9 && d.message.contains("did you mean"), "\(d)")
        }
        do {
            _ = try MapFile.parse(
                text.replacingOccurrences(of: "\"&gci\"", with: "\"&gic\"").replacingOccurrences(of: "label: gic", with: "label: uart"),
                file: "refs.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.diagnostics.map(\.checkID) == ["duplicate-label", "unresolved-reference"])
        }
    }
}
