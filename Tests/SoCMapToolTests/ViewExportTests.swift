import Foundation
import TestSupport
import Testing

/// `socmap export --format c-header|linker|json`, judged by the C compiler and the linker.
@Suite("Headers and linker scripts from a view", .serialized)
struct ViewExportTests {
    /// The Zynq-7000 CPU view's header and MEMORY block are committed under docs/examples/ and
    /// regenerated here; two views' headers (cpu, hp) and a guest's compile together with
    /// -Wall -Werror, and the values are what the map says.
    @Test(.requires("cc", package: "gcc")) func headersCompileAndHoldTheMap() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cpu = try Tool.run(["export", "maps/zynq-7000.yaml", "--format", "c-header", "-o", "-"])
        #expect(cpu.status == 0, "\(cpu.err)")
        try Tool.golden("../../../docs/examples/zynq-7000-cpu.h", cpu.out)
        let ld = try Tool.run(["export", "maps/zynq-7000.yaml", "--format", "linker", "-o", "-"])
        try Tool.golden("../../../docs/examples/zynq-7000-cpu.ld", ld.out)
        for (name, arguments) in [
            ("cpu.h", ["maps/zynq-7000.yaml"]), ("hp.h", ["maps/zynq-7000.yaml", "--initiator", "hp"]),
            ("domu1.h", ["maps/zynq-7000-xen.yaml", "--domain", "domU1"]),
        ] {
            #expect(try Tool.run(["export"] + arguments + ["-o", folder.appendingPathComponent(name).path]).status == 0)
        }
        let program = folder.appendingPathComponent("check.c")
        try """
        #include "cpu.h"
        #include "hp.h"
        #include "domu1.h"
        _Static_assert(ZYNQ_7000_CPU_DDR_BASE == 0 && ZYNQ_7000_CPU_DDR_SIZE == 0x40000000, "ddr");
        _Static_assert(ZYNQ_7000_CPU_M_AXI_GP0_AXI_INTERCONNECT_AXI_GPIO_0_BASE == 0x41200000, "gpio");
        _Static_assert(ZYNQ_7000_CPU_OCM_BLOCK3_LAST == 0xffffffffu, "ocm");
        _Static_assert(ZYNQ_7000_HP_DDR_BASE == 0x80000, "hp sees ddr from 512 KiB");
        _Static_assert(ZYNQ_7000_XEN_DOMU1_RAM_BASE == 0 && ZYNQ_7000_XEN_DOMU1_RAM_SIZE == 0x10000000, "guest ram");
        int main(void) { return 0; }
        """.write(to: program, atomically: true, encoding: .utf8)
        let cc = try ProcessRunner.run(
            "cc", ["-std=c11", "-Wall", "-Wextra", "-Werror", "-c", program.path, "-o", folder.appendingPathComponent("check.o").path])
        #expect(cc.status == 0, "\(cc.err)")
    }

    /// A freestanding program links into the MEMORY block with GNU ld, its text in OCM and its
    /// data in DDR where the map puts them.
    @Test(.requires("cc", package: "gcc"), .requires("ld", package: "binutils")) func linkerScriptLinksAProgram() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let memory = folder.appendingPathComponent("memory.ld")
        #expect(try Tool.run(["export", "maps/zynq-7000.yaml", "-o", memory.path]).status == 0)
        try """
        INCLUDE \(memory.path)
        ENTRY(start)
        SECTIONS
        {
          .text : { *(.text*) } > ocm_block0
          .data : { *(.data*) *(.bss*) } > ddr
        }
        """.write(to: folder.appendingPathComponent("program.ld"), atomically: true, encoding: .utf8)
        try "int counter = 7;\nvoid start(void) { for (;;) counter++; }\n".write(
            to: folder.appendingPathComponent("start.c"), atomically: true, encoding: .utf8)
        let object = folder.appendingPathComponent("start.o").path
        let elf = folder.appendingPathComponent("start.elf").path
        #expect(
            try ProcessRunner.run(
                "cc", ["-ffreestanding", "-fno-pic", "-O1", "-c", folder.appendingPathComponent("start.c").path, "-o", object]
            ).status == 0)
        let link = try ProcessRunner.run("ld", ["-T", folder.appendingPathComponent("program.ld").path, object, "-o", elf])
        #expect(link.status == 0, "\(link.err)")
        let symbols = try ProcessRunner.run("nm", [elf]).out
        #expect(symbols.contains("00000000fffc0000 T start") && symbols.contains("0000000000000000 D counter"), "\(symbols)")
    }
}
