import Foundation
import SoCMap
import SoCMapChecks
import SoCMapDeviceTree
import SoCMapFDT
import SoCMapFile
import SoCMapViews
import TestSupport
import Testing

@Suite("libfdt bridge and DTS text")
struct FDTTests {
    static let qemuDTBs = [
        "qemu-virt-aarch64-1g.dtb", "qemu-virt-aarch64-gicv3-4g.dtb", "qemu-virt-aarch64-secure.dtb", "qemu-virt-arm.dtb",
    ]

    /// Our DTS of a real DTB is byte-identical to dtc's decompile, and writing the tree back
    /// with libfdt gives a blob dtc decompiles to the same text.
    @Test(.requiresDtc, arguments: qemuDTBs)
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

    /// A tree libfdt would write but no reader should get: refused with the node path.
    @Test func writerRejectsBadTrees() throws {
        func tree(_ body: (inout DeviceTree.Builder) -> Void) throws -> DeviceTree {
            var b = DeviceTree.Builder()
            b.node("", body)
            return try b.finish()
        }
        func refusal(_ t: DeviceTree) -> String? {
            do {
                _ = try FDTWriter.write(t)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(
            refusal(try tree { $0.node("a b") { _ in } })
                == "writing the tree failed at /a b: invalid node name 'a b': characters from [0-9a-zA-Z,._+-], then an optional @unit-address"
        )
        #expect(
            refusal(
                try tree { r in
                    r.node("x@1") { _ in }
                    r.node("x@1") { _ in }
                }) == "writing the tree failed at /x@1: duplicate node name 'x@1'")
        #expect(
            refusal(try tree { $0.node("n") { $0.setProperty("bad name", .empty) } })
                == "writing the tree failed at /n: invalid property name 'bad name'")
        #expect(refusal(try tree { $0.node("x@") { _ in } })?.contains("invalid node name") == true)
        // Longer than the specification's advised 31 characters: real kernel trees have such
        // names (dtc accepts them), and what was read must write back.
        #expect(
            refusal(
                try tree {
                    $0.node(String(repeating: "x", count: 40) + "@1") { $0.setProperty("vendor,a-property-name-of-forty-chars", .empty) }
                }) == nil)
        var deep = DeviceTree.Builder()
        deep.beginNode("")
        for i in 0...FDTReader.maximumDepth { deep.beginNode("n\(i)") }
        for _ in 0...(FDTReader.maximumDepth + 1) { deep.endNode() }
        #expect(refusal(try deep.finish())?.contains("nesting deeper than 64 levels") == true)
        #expect(refusal(try tree { $0.node("fine@0") { $0.setProperty("ok,name#1?", .empty) } }) == nil)
    }

    @Test func writerGrowsItsBuffer() throws {
        var b = DeviceTree.Builder()
        b.reservations = [.init(address: 0x1000, size: 0x1000)]
        b.node("") { root in
            root.setProperty("big", .bytes(Array(repeating: 0xab, count: 100_000)))
            for i in 0..<2000 { root.node("n@\(String(i, radix: 16))") { $0.setProperty("reg", .cells([UInt32(i), 4])) } }
        }
        let written = try b.finish()
        let back = try FDTReader.read(try FDTWriter.write(written))
        #expect(back == written)
        #expect(Array(back.children(of: back.root)).count == 2000 && back.reservations.count == 1)
    }
}
