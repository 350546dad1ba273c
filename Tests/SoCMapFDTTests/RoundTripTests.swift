import Foundation
import SoCMap
import SoCMapChecks
import SoCMapDeviceTree
import SoCMapFDT
import SoCMapFile
import SoCMapViews
import TestSupport
import Testing

func exportAndImport(_ map: AddressMap) throws -> AddressMap {
    let blob = try FDTWriter.write(DeviceTreeExport.tree(of: map))
    return DeviceTreeImport(tree: try FDTReader.read(blob), source: "round-trip.dtb").map
}

@Suite("Device trees: export, import, round trips")
struct RoundTripTests {
    static let maps = ["zynq-7000", "zynqmp", "juno", "qemu-virt", "x86-pc", "x86-nvram-domains", "zynq-7000-xen", "qemu-virt-xen"]

    @Test(arguments: maps)
    func mapToDTBToMapGivesTheSameRouters(name: String) throws {
        let map = try MapFile.load(path: packageRoot.appendingPathComponent("maps/\(name).yaml").path).map
        let back = try exportAndImport(map)
        let before = try views(map)
        let after = try views(back)
        #expect(before.count == after.count)
        for (a, b) in zip(before, after) {
            #expect(decodeTable(a) == decodeTable(b), "\(name) view \(a.initiator ?? "-") \(a.setting)")
        }
        // Metadata survives too.
        #expect(back.initiators.map(\.name) == map.initiators.map(\.name))
        #expect(
            back.switches
                == map.switches.map {
                    var s = $0
                    s.location = nil
                    return s
                })
        #expect(back.addressBits == map.addressBits && back.profile == map.profile && back.name == map.name)
        // Guest domains come back whole: same entries, same two-stage answers.
        #expect(back.withoutLocations().domains == map.withoutLocations().domains)
        for d in map.domains {
            let a = try GuestRouter(ResolvedMap(map), domain: d.name)
            let b = try GuestRouter(ResolvedMap(back), domain: d.name)
            #expect(GuestViews(router: a).flat == GuestViews(router: b).flat)
        }
    }

    /// The exported DTB decompiles without a dtc warning, our DTS is byte-identical to dtc's,
    /// dt-validate accepts it, and `dts/` holds exactly the generated text.
    @Test(.requiresDtc, .requiresDtValidate, arguments: maps)
    func exportIsCleanAndMatchesDtc(name: String) throws {
        let map = try MapFile.load(path: packageRoot.appendingPathComponent("maps/\(name).yaml").path).map
        let tree = DeviceTreeExport.tree(of: map)
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dtb = dir.appendingPathComponent("\(name).dtb")
        try Data(try FDTWriter.write(tree)).write(to: dtb)
        let dtc = try run("dtc", ["-I", "dtb", "-O", "dts", dtb.path])
        #expect(dtc.status == 0 && dtc.err.isEmpty, "dtc: \(dtc.err)")
        #expect(DTSWriter.text(tree) == dtc.out)
        let validate = try run("dt-validate", [dtb.path])
        // dt-schema's core chosen.yaml does not know Xen's dom0less `/chosen/domU*` nodes
        // (their binding lives in Xen's docs); that one finding is expected for maps with domains.
        let findings = (validate.out + validate.err).split(separator: "\n").filter { line in
            !(map.domains.isEmpty == false && (line.contains(": chosen: ") || line.contains("schemas/chosen.yaml")))
        }
        #expect(findings.isEmpty, "dt-validate: \(findings.joined(separator: "\n"))")
        let committed = try String(contentsOf: packageRoot.appendingPathComponent("dts/\(name).dts"), encoding: .utf8)
        #expect(
            committed == DTSWriter.text(tree),
            "dts/\(name).dts drifted from the generator: regenerate it with socmap export maps/\(name).yaml -o dts/\(name).dts")
    }

    /// DTB → map → DTB → map is a fixed point, for QEMU's own DTBs and the DTS fixtures.
    static func fixedPoint(_ name: String) throws {
        let first = try DeviceTreeFiles.importMap(path: fixtureURL(name).path).map
        let second = try exportAndImport(first)
        #expect(second.withoutLocations().regions == first.withoutLocations().regions)
        for (a, b) in zip(try views(first), try views(second)) { #expect(decodeTable(a) == decodeTable(b)) }
        let third = try exportAndImport(second)
        #expect(third.withoutLocations() == second.withoutLocations())
    }

    @Test(arguments: ["qemu-virt-aarch64-1g.dtb", "qemu-virt-aarch64-gicv3-4g.dtb", "qemu-virt-aarch64-secure.dtb", "qemu-virt-arm.dtb"])
    func importExportImportIsAFixedPoint(name: String) throws { try Self.fixedPoint(name) }

    /// QEMU's DTBs and the DTS fixtures come back from import → export as the same tree: dtc
    /// prints the same sorted source (the `/socmap` annotation node aside).
    @Test(
        .requiresDtc,
        arguments: [
            "qemu-virt-aarch64-1g.dtb", "qemu-virt-aarch64-gicv3-4g.dtb", "qemu-virt-aarch64-secure.dtb", "qemu-virt-arm.dtb",
            "zynq-like.dts", "nested-ranges.dts", "pcie-host.dts", "default-cells.dts", "odd/intc-address-cells-0.dts",
            "odd/reg-trailing-cells.dts", "odd/size-cells-0-bus.dts",
        ])
    func importThenExportWritesTheSameTree(name: String) throws {
        let input = try DeviceTreeFiles.read(path: fixtureURL(name).path)
        let blob = try FDTWriter.write(input)
        let map = DeviceTreeImport(tree: input, source: name).map
        let exported = try FDTWriter.write(DeviceTreeExport.tree(of: map))
        #expect(try sortedSource(ofBlob: exported) == sortedSource(ofBlob: blob))
    }

    @Test(.requiresDtc, arguments: ["zynq-like.dts", "nested-ranges.dts", "pcie-host.dts", "default-cells.dts"])
    func importExportImportIsAFixedPointFromDTS(name: String) throws { try Self.fixedPoint(name) }
}
