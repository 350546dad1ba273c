import Foundation
import TestSupport
import Testing

/// System Device Tree `address-map` both ways: a Lopper-style tree read as initiators, and
/// maps written as clusters and read back with the same views.
@Suite("System Device Tree address-maps", .requiresDtc)
struct SystemDeviceTreeTests {
    static let example = "docs/examples/sdt-clusters.dts"

    /// The flat view of one initiator, without its header line.
    static func view(_ map: String, _ initiator: String) throws -> [String] {
        let run = try Tool.run(["show", map, "--flat", "--initiator", initiator])
        #expect(run.status == 0, "\(run.err)")
        return run.out.split(separator: "\n").dropFirst().map(String.init)
    }

    /// The specification's semantics on docs/examples/sdt-clusters.dts: the default cluster sees
    /// what simple-bus nodes place; the R5 sees its TCM remapped to 0, DDR from 1 MiB, uart0
    /// only, and the indirect bus's devices inside its 64 KiB window.
    @Test func lopperStyleTreeReadsAsInitiators() throws {
        #expect(
            try Self.view(Self.example, "cpus") == [
                "  0000000000000000-000000007fffffff (prio 0, dram): memory@0",
                "  00000000ff000000-00000000ff000fff (prio 0, mmio): serial@ff000000",
                "  00000000ff010000-00000000ff010fff (prio 0, mmio): serial@ff010000",
                "  00000000ffe90000-00000000ffe9ffff (prio 0, sram): sram@ffe90000",
            ])
        #expect(
            try Self.view(Self.example, "cluster-r5") == [
                "  0000000000000000-000000000000ffff (prio 0, sram): sram@ffe90000",
                "  0000000000100000-000000007fffffff (prio 0, dram): memory@0 @0000000000100000",
                "  00000000f9000000-00000000f9000fff (prio 0, mmio): interrupt-controller@0",
                "  00000000f9002000-00000000f9002fff (prio 0, mmio): ipi@2000",
                "  00000000ff000000-00000000ff000fff (prio 0, mmio): serial@ff000000",
            ])
        let decode = try Tool.run(["decode", Self.example, "--initiator", "cluster-r5", "0xf9002004", "0x21000", "0xf9020000"])
        let lines = decode.out.split(separator: "\n")
        #expect(lines.first == "0xf900_2004: /rpu-bus/ipi@2000 (mmio) offset 0x4")
        #expect(lines.contains("0x2_1000: unassigned") && lines.contains("0xf902_0000: unassigned"), "\(decode.out)")
        #expect(try Tool.run(["decode", Self.example, "--initiator", "cpus", "0xf9000000"]).out.hasPrefix("0xf900_0000: unassigned"))
    }

    /// Import → export as SDT → import gives every initiator the same view; the R5's
    /// address-map comes out one quartet per span (the indirect bus's window split into its
    /// two visible devices), and dtc reads the tree without a warning.
    @Test func addressMapRoundTrip() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("first.yaml").path
        let sdt = folder.appendingPathComponent("sdt.dts").path
        let blob = folder.appendingPathComponent("sdt.dtb").path
        #expect(try Tool.run(["import", Self.example, "-o", first]).status == 0)
        #expect(try Tool.run(["export", first, "--format", "sdt", "-o", sdt]).status == 0)
        #expect(try Tool.run(["export", first, "--format", "sdt", "-o", blob]).status == 0)
        let text = try String(contentsOfFile: sdt, encoding: .utf8)
        #expect(
            text.contains(
                "address-map = <0x00 0x01 0xffe90000 0x10000 0x100000 0x02 0x100000 0x7ff00000 0xf9000000 0x06 0x00 0x1000 0xf9002000 0x07 0x2000 0x1000 0xff000000 0x03 0xff000000 0x1000>;"
            ), "\(text)")
        #expect(!text.contains("socmap"), "an SDT carries no socmap annotations")
        let dtc = try ProcessRunner.run("dtc", ["-I", "dtb", "-O", "dts", "-o", "/dev/null", blob])
        #expect(dtc.status == 0 && dtc.err.isEmpty, "\(dtc.err)")
        for initiator in ["cpus", "cluster-r5"] {
            #expect(try Self.view(sdt, initiator) == Self.view(Self.example, initiator), "\(initiator)")
            #expect(try Self.view(blob, initiator) == Self.view(Self.example, initiator), "\(initiator)")
        }
    }

    /// A bundled map's initiators as clusters (Zynq-7000: CPU, HP, other; ZynqMP: APU, RPU):
    /// read back without a warning, each sees the same ranges (a PL aperture's own decode
    /// aside: a simple-bus decodes nothing itself, and kinds beyond RAM/registers are socmap's
    /// words, not the tree's).
    @Test(arguments: [("maps/zynq-7000.yaml", ["cpu", "hp", "other"]), ("maps/zynqmp.yaml", ["apu", "rpu"])])
    func initiatorsSurviveAsClusters(map: String, initiators: [String]) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let blob = folder.appendingPathComponent("sdt.dtb").path
        #expect(try Tool.run(["export", map, "--format", "sdt", "-o", blob]).status == 0)
        let imported = try Tool.run(["import", blob])
        #expect(imported.status == 0 && imported.err.isEmpty, "\(imported.err)")
        func ranges(_ lines: [String]) -> [String] {
            lines.filter { !$0.contains(", reserved)") && !$0.contains(", pl-window)") }.map { String($0.split(separator: " ")[0]) }
        }
        for initiator in initiators {
            let original = ranges(try Self.view(map, initiator))
            #expect(original.count > 3)
            #expect(ranges(try Self.view(blob, initiator)) == original, "\(initiator)")
        }
        if map.hasSuffix("zynq-7000.yaml") {
            #expect(try Self.view(blob, "hp").first == "  0000000000080000-000000003fffffff (prio 0, dram): memory@0 @0000000000080000")
        }
    }

    /// The Zynq-7000's System Device Tree is committed as an example and kept in step here.
    @Test func zynqExampleIsCurrent() throws {
        let sdt = try Tool.run(["export", "maps/zynq-7000.yaml", "--format", "sdt", "-o", "-"])
        #expect(sdt.status == 0 && sdt.out.contains("cpus-hp {"), "\(sdt.err)")
        try Tool.golden("../../../docs/examples/zynq-7000-sdt.dts", sdt.out)
    }

    /// A tree whose root has two address cells but whose quartets give root addresses in
    /// #ranges-address-cells (one), as the specification's own examples and Lopper do: read as
    /// Lopper reads it, with a warning naming the difference; a quartet naming an unknown phandle
    /// is left out with a warning, the rest still read.
    @Test func lopperCellLayoutIsReadWithAWarning() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let dts = folder.appendingPathComponent("lopper-cells.dts").path
        try """
        /dts-v1/;
        / {
            #address-cells = <2>;
            #size-cells = <2>;
            cpus { #address-cells = <1>; #size-cells = <0>; };
            cpus-cluster-r5 {
                compatible = "cpus,cluster";
                #address-cells = <1>;
                #size-cells = <0>;
                #ranges-address-cells = <1>;
                #ranges-size-cells = <1>;
                address-map = <0x0 &tcm 0xffe90000 0x10000>, <0x1000 0x77 0x0 0x10>;
            };
            tcm: sram@ffe90000 { compatible = "mmio-sram"; reg = <0x0 0xffe90000 0x0 0x10000>; };
        };
        """.write(toFile: dts, atomically: true, encoding: .utf8)
        let run = try Tool.run(["show", dts, "--flat", "--initiator", "cluster-r5"])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.split(separator: "\n").dropFirst() == ["  0000000000000000-000000000000ffff (prio 0, sram): sram@ffe90000"])
        #expect(
            run.err.contains("/cpus-cluster-r5: address-map root addresses read with #ranges-address-cells (1 cells), as Lopper reads them")
        )
        #expect(run.err.contains("address-map quartet 1 refers to phandle 0x77, which no node has; left out [address-map]"))
    }

    /// A cluster whose `address-map` cannot be read is still a cluster: it sees nothing, as its
    /// warning says, and the default cluster keeps its view.
    @Test func unreadableAddressMapSeesNothing() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let dts = folder.appendingPathComponent("broken.dts").path
        try """
        /dts-v1/;
        / {
            #address-cells = <1>;
            #size-cells = <1>;
            cpus { #address-cells = <1>; #size-cells = <0>; };
            cpus-cluster-r5 {
                compatible = "cpus,cluster";
                #address-cells = <1>;
                #size-cells = <0>;
                address-map = <0x0 &sram 0x0>;
            };
            sram: sram@0 { compatible = "mmio-sram"; reg = <0x0 0x10000>; };
        };
        """.write(toFile: dts, atomically: true, encoding: .utf8)
        let r5 = try Tool.run(["show", dts, "--flat", "--initiator", "cluster-r5"])
        #expect(r5.status == 0 && r5.out.hasSuffix("  No rendered FlatView\n"), "\(r5.out)\(r5.err)")
        #expect(
            r5.err.contains(
                "/cpus-cluster-r5: address-map is 12 bytes, not a whole number of 1+1+1+1-cell quartets; the cluster sees nothing"))
        #expect(try Self.view(dts, "cpus") == ["  0000000000000000-000000000000ffff (prio 0, sram): sram@0"])
    }
}
