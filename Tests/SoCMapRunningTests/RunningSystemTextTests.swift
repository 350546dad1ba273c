import SoCMap
import SoCMapRunning
import SoCMapViews
import TestSupport
import Testing

/// `info mtree -f` as QEMU 7.2's monitor prints it on stdio: the prompt, the I/O view, then
/// the view the CPU and `memory` share, a PCI bus-master view with nothing rendered.
let monitorAnswer = """
    QEMU 7.2.22 monitor - type 'help' for more information
    (qemu) info mtree -f
    FlatView #0
     AS "I/O", root: io
     Root memory region: io
      0000000000000000-000000000000ffff (prio 0, i/o): io

    FlatView #1
     AS "memory", root: system
     AS "cpu-memory-0", root: system
     Root memory region: system
      0000000000000000-0000000003ffffff (prio 0, romd): virt.flash0
      0000000009000000-0000000009000fff (prio 0, i/o): pl011
      000000000a000000-000000000a0001ff (prio 0, i/o): virtio-mmio
      000000000a000200-000000000a0003ff (prio 0, i/o): virtio-mmio
      0000000010000000-000000003efeffff (prio 0, i/o): gpex_mmio_window @0000000010000000
      0000000040000000-000000007fffffff (prio 0, ram): mach-virt.ram
      0000008000000000-000000ffffffffff (prio 0, i/o): gpex_mmio_window @0000008000000000

    FlatView #2
     AS "gpex-root", root: bus master container
     Root memory region: (none)
      No rendered FlatView

    (qemu) quit
    """

@Suite("QEMU flat views and /proc/iomem read as maps")
struct RunningSystemTextTests {
    @Test func recognisesEachKind() {
        #expect(RunningSystemText.recognise(monitorAnswer) == .qemuFlatView)
        #expect(
            RunningSystemText.recognise("address-space: memory\n  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n") == .qemuTree)
        #expect(RunningSystemText.recognise("00000000-03ffffff : 0.flash\n40000000-7fffffff : System RAM\n") == .procIOMem)
        #expect(RunningSystemText.recognise("socmap: 1\nname: x\nregions: []\n") == nil)
    }

    @Test func readsTheCPUFlatView() throws {
        let view = try QEMUFlatView(parsing: monitorAnswer, file: "mtree.txt")
        #expect(view.addressSpaces == ["memory", "cpu-memory-0"])
        #expect(view.ranges.count == 7)
        #expect(view.ranges[4].name == "gpex_mmio_window" && view.ranges[4].offset == 0x1000_0000 && view.ranges[4].type == "i/o")
        #expect(view.ranges[6].range == AddressRange(base: 0x80_0000_0000, last: 0xFF_FFFF_FFFF))
        let io = try QEMUFlatView(parsing: monitorAnswer, file: "mtree.txt", addressSpace: "I/O")
        #expect(io.ranges.map(\.name) == ["io"])

        let map = view.map(source: "runs/mtree.txt")
        #expect(map.name == "mtree")
        #expect(
            map.regions.map(\.name) == [
                "virt.flash0", "pl011", "virtio-mmio@a000000", "virtio-mmio@a000200", "gpex_mmio_window@10000000", "mach-virt.ram",
                "gpex_mmio_window@8000000000",
            ])
        #expect(map.regions.map(\.kind) == [.rom, .mmio, .mmio, .mmio, .mmio, .dram, .mmio])
        // The map decodes what QEMU said, line for line.
        let router = try Router(map: map)
        #expect(router.segments.map(\.range) == view.ranges.map(\.range))
    }

    @Test func refusesWhatIsNotAFlatView() {
        func message(_ text: String, space: String? = nil) -> String {
            do {
                _ = try QEMUFlatView(parsing: text, file: "m.txt", addressSpace: space)
                return "accepted"
            } catch { return error.description }
        }
        #expect(
            message("address-space: memory\n  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n").hasPrefix(
                "m.txt:1:1: error: this is `info mtree`"))
        #expect(
            message(monitorAnswer, space: "cpu-memory-1").contains(
                "no flat view of address space 'cpu-memory-1'; did you mean 'cpu-memory-0'?"))
        #expect(
            message("FlatView #0\n AS \"memory\", root: system\n  0000000000001000-0000000000000fff (prio 0, ram): r\n")
                == "m.txt:3:3: error: range ends (0xfff) before it starts (0x1000) [qemu-mtree]")
        #expect(
            message("FlatView #0\n AS \"memory\", root: system\n  0000000000000000-0000000000000fff (prio x, ram): r\n").hasPrefix(
                "m.txt:3:"))
        #expect(
            message(
                "FlatView #0\n AS \"memory\", root: system\n  0000000000000000-0000000000001fff (prio 0, ram): a\n  0000000000001000-0000000000002fff (prio 0, ram): b\n"
            ).contains("a flat view is sorted and has no overlaps"))
        #expect(message("hello\n").contains("no `FlatView #` section"))
    }

    static let iomem = """
        00000000-03ffffff : 0.flash
        04000000-07ffffff : 0.flash
        09000000-09000fff : pl011@9000000
          09000000-09000fff : 9000000.pl011 pl011@9000000
        40000000-7fffffff : System RAM
          40210000-4157ffff : Kernel code
          4bf00000-4bffffff : reserved
        4010000000-401fffffff : PCI ECAM
        """

    @Test func readsProcIOMem() throws {
        let iomem = try ProcIOMem(parsing: Self.iomem, file: "iomem")
        #expect(iomem.resources.map(\.name) == ["0.flash", "0.flash", "pl011@9000000", "System RAM", "PCI ECAM"])
        #expect(iomem.resources[3].children.map(\.name) == ["Kernel code", "reserved"])
        let map = iomem.map(source: "boot/iomem")
        #expect(map.regions.map(\.name) == ["0.flash@0", "0.flash@4000000", "pl011@9000000", "System-RAM", "PCI-ECAM"])
        #expect(map.regions[3].children.map(\.kind) == [.dram, .dram])
        #expect(map.regions[3].children.map(\.notes) == ["/proc/iomem: Kernel code", "/proc/iomem: reserved"])
        #expect(map.regions[2].children.map(\.name) == ["9000000.pl011-pl011@9000000"] || map.regions[2].children.count == 1)
        _ = try Router(map: map)
    }

    @Test func refusesBadIOMem() {
        func message(_ text: String) -> String {
            do {
                _ = try ProcIOMem(parsing: text, file: "iomem")
                return "accepted"
            } catch { return error.description }
        }
        #expect(message("00000000-00000fff : a\n    00000000-000000ff : b\n").hasPrefix("iomem:2:1: error: indent of 4 spaces"))
        #expect(message("00000000-00000fff : a\n  00001000-00001fff : b\n").contains("lies outside the resource it is nested in"))
        #expect(message("00000000-00000000 : a\n00000000-00000000 : b\n").contains("read without CAP_SYS_ADMIN"))
        #expect(message("00000000-00000fff a\n") == "iomem:1:1: error: expected `start-last : name` with hex addresses [proc-iomem]")
    }

    @Test func decodedDiffIgnoresNamesNotPlaces() throws {
        let view = try QEMUFlatView(parsing: monitorAnswer, file: "mtree.txt")
        let observed = try Router(map: view.map(source: "mtree.txt"))
        var same = AddressMap(
            name: "board",
            regions: [
                r("flash", .rom, 0, 0x400_0000), r("uart", .mmio, 0x900_0000, 0x1000), r("v0", .mmio, 0xA00_0000, 0x200),
                r("v1", .mmio, 0xA00_0200, 0x200), r("pcie32", .mmio, 0x1000_0000, 0x2EFF_0000), r("ram", .dram, 0x4000_0000, 0x4000_0000),
                r("pcie64", .mmio, 0x80_0000_0000, 0x80_0000_0000), r("hole", .reserved, 0x9100_0000, 0x1000),
            ])
        let diff = { (map: AddressMap) throws -> [MapDiff.Change] in
            MapDiff(decoded: MapDiff.decodedSpans(try Router(map: map)), MapDiff.decodedSpans(observed)).changes
        }
        #expect(try diff(same).isEmpty)
        same.regions[5] = r("ram", .dram, 0x4000_0000, 0x2000_0000)
        same.regions[1].kind = .sram
        same.regions.remove(at: 3)
        let text = MapDiff(decoded: MapDiff.decodedSpans(try Router(map: same)), MapDiff.decodedSpans(observed)).text(old: "a", new: "b")
        #expect(
            text == """
                --- a
                +++ b
                ~ /uart (/pl011) kind: kind sram -> mmio
                + /virtio-mmio@a000200 (mmio) [0xa00_0200, 0xa00_03ff]
                ~ /ram (/mach-virt.ram) resized: [0x4000_0000, 0x5fff_ffff] -> [0x4000_0000, 0x7fff_ffff]

                """)
    }
}
