import Foundation
import Testing
import SoCMap
@testable import SoCMapFDT

@Suite("libfdt bridge and DTS text")
struct FDTTests {
    static let qemuDTBs = ["qemu-virt-aarch64-1g.dtb", "qemu-virt-aarch64-gicv3-4g.dtb", "qemu-virt-aarch64-secure.dtb", "qemu-virt-arm.dtb"]

    /// Our DTS of a real DTB is byte-identical to dtc's decompile, and writing the tree back
    /// with libfdt gives a blob dtc decompiles to the same text.
    @Test(arguments: qemuDTBs)
    func dtsMatchesDtcAndRewriteIsFaithful(name: String) throws {
        let tree = try FDTReader.read(try fixtureBytes(name))
        let dtc = try run("dtc", ["-I", "dtb", "-O", "dts", fixtureURL(name).path])
        #expect(dtc.status == 0)
        #expect(DTSWriter.text(tree) == dtc.out)
        let rewritten = try FDTWriter.write(tree)
        #expect(try FDTReader.read(rewritten) == tree)
        let again = try run("dtc", ["-I", "dtb", "-O", "dts", "-"], input: rewritten)
        #expect(again.out == dtc.out && again.err.isEmpty)
    }

    @Test func writerRejectsMisuse() {
        var root = DTNode(name: "")
        root.children = [DTNode(name: "a b")]
        #expect(throws: FDTError.self) { try FDTWriter.write(DeviceTree(root: root)) }
        root.children = [DTNode(name: "x@1"), DTNode(name: "x@1")]
        #expect(throws: FDTError.self) { try FDTWriter.write(DeviceTree(root: root)) }
        root.children = []
        root.properties = [DTProperty(name: "p", value: .empty), DTProperty(name: "p", value: .empty)]
        #expect(throws: FDTError.self) { try FDTWriter.write(DeviceTree(root: root)) }
    }

    @Test func writerGrowsItsBuffer() throws {
        var root = DTNode(name: "")
        root.properties = [DTProperty(name: "big", bytes: Array(repeating: 0xab, count: 100_000))]
        root.children = (0..<2000).map { DTNode(name: "n@\(String($0, radix: 16))", properties: [DTProperty(name: "reg", value: .cells([UInt32($0), 4]))]) }
        let blob = try FDTWriter.write(DeviceTree(reservations: [.init(address: 0x1000, size: 0x1000)], root: root))
        let back = try FDTReader.read(blob)
        #expect(back.root.children.count == 2000 && back.reservations.count == 1)
    }
}
