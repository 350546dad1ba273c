import Foundation
import TestSupport
import Testing

/// The decode answers the corpus issue asked for, on Debian's kernel DTBs, through the CLI.
@Suite("socmap on real kernel device trees", .serialized, .requiresKernelDTBs)
struct RealTreeTests {
    func decode(_ dtb: String, _ address: String, json: Bool = false) throws -> ProcessResult {
        try Tool.run(["decode", KernelDTBs.path(dtb), address] + (json ? ["--json"] : []))
    }

    /// ZynqMP's PCIe host: the ECAM is the entry named cfg, not the first one (breg).
    @Test func zynqmpPCIeConfigurationSpaceIsTheCfgEntry() throws {
        let cfg = try decode("xilinx/zynqmp-zcu102-rev1.0.dtb", "0x80_0000_0000")
        #expect(cfg.status == 0)
        #expect(
            cfg.out.hasPrefix(
                #"0x80_0000_0000: /axi/pcie@fd0e0000 (pcie) reg 2 "cfg" configuration space: bus 0, device 0, function 0, register 0x0"#),
            "\(cfg.out)")
        let breg = try decode("xilinx/zynqmp-zcu102-rev1.0.dtb", "0xfd0e_0000")
        #expect(breg.status == 0 && breg.out.hasPrefix(#"0xfd0e_0000: /axi/pcie@fd0e0000 (pcie) reg 0 "breg" offset 0x0"#), "\(breg.out)")
        let json = try JSONSerialization.jsonObject(
            with: Data(try decode("xilinx/zynqmp-zcu102-rev1.0.dtb", "0x80_0000_0000", json: true).out.utf8))
        let object = try #require(json as? [String: Any])
        #expect(object["entry"] as? Int == 2 && object["entry-name"] as? String == "cfg" && object["space"] as? String == "config")
    }

    /// Juno r2: eight LEDs share one register; one decodes, the other seven are claimants.
    @Test func junoLEDsAreAllNamed() throws {
        let led = try decode("arm/juno-r2.dtb", "0x1c01_0008")
        #expect(led.status == 0)
        let lines = led.out.split(separator: "\n")
        #expect(lines.first?.contains("/led@8,0 (mmio)") == true, "\(led.out)")
        #expect(lines.filter { $0.hasPrefix("  also claimed by ") && $0.contains("/led@8,") }.count == 7, "\(led.out)")
    }

    /// Armada 8040 (Puzzle M801): an address only a disabled SPI controller holds.
    @Test func disabledSPIControllerIsNamed() throws {
        let spi = try decode("marvell/armada-8040-puzzle-m801.dtb", "0xf270_0600")
        #expect(spi.status == 1)
        #expect(spi.out.hasPrefix("0xf270_0600: unassigned"))
        #expect(spi.out.contains("  disabled: /cp0/config-space@f2000000/spi@700600 (mmio) [0xf270_0600, 0xf270_064f]"), "\(spi.out)")
        let show = try Tool.run(["show", KernelDTBs.path("marvell/armada-8040-puzzle-m801.dtb"), "--disabled", "--flat"])
        #expect(show.status == 0 && show.out.contains("00000000f2700600-00000000f270064f (disabled, mmio): spi@700600"))
    }
}
