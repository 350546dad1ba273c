import SoCMap
import SoCMapDeviceTree
import TestSupport
import Testing

/// A tree with one of each value shape, built in code.
func sampleTree() throws -> DeviceTree {
    var b = DeviceTree.Builder()
    b.reservations = [.init(address: 0x8000_0000, size: 0x1000)]
    b.node("") { root in
        root.setProperty("#address-cells", .cells([1]))
        root.setProperty("#size-cells", .cells([1]))
        root.setProperty("model", .strings(["socmap \"test\"\tboard"]))
        root.node("soc") { soc in
            soc.setProperty("compatible", .strings(["vendor,soc", "simple-bus"]))
            soc.setProperty("ranges", .empty)
            soc.node("serial@e0000000") { uart in
                uart.setProperty("reg", .cells([0xE000_0000, 0x1000]))
                uart.setProperty("mac", .bytes([0x00, 0x0a, 0x35, 0x01, 0x02]))
                uart.setProperty("status", .strings(["okay"]))
            }
        }
        root.node("chosen") { _ in }
    }
    return try b.finish()
}

@Suite("The device-tree value")
struct DeviceTreeValueTests {
    @Test func handlesWalkTheTree() throws {
        let tree = try sampleTree()
        let soc = try #require(tree.node(at: "/soc"))
        let uart = try #require(tree.node(at: "/soc/serial@e0000000"))
        #expect(tree.nodeCount == 4 && tree.name(of: tree.root).isEmpty && tree.path(of: tree.root) == "/")
        #expect(tree.parent(of: uart) == soc && tree.parent(of: tree.root) == nil)
        #expect(tree.path(of: uart) == "/soc/serial@e0000000" && tree.baseName(of: uart) == "serial")
        #expect(Array(tree.children(of: tree.root)).map { tree.name(of: $0) } == ["soc", "chosen"])
        #expect(tree.children(of: uart).isEmpty && tree.node(at: "/nowhere") == nil)
        let reg = try #require(tree.property("reg", of: uart))
        #expect(
            reg.cells == [0xE000_0000, 0x1000] && reg.number(at: 0, count: 2) == 0xE000_0000_0000_1000 && reg.number(at: 1, count: 2) == nil
        )
        #expect(tree.property("compatible", of: soc)?.strings == ["vendor,soc", "simple-bus"])
        #expect(tree.property("status", of: uart)?.isString("okay") == true && tree.property("status", of: uart)?.isString("ok") == false)
        #expect(tree.property("mac", of: uart)?.cells == nil && tree.property("mac", of: uart)?.strings == nil)
        #expect(tree.property("ranges", of: soc)?.count == 0 && tree.property("ranges", of: uart) == nil)
        #expect(tree.properties(of: uart).map(\.name) == ["reg", "mac", "status"])
    }

    @Test func setAgainReplacesAndGoesLast() throws {
        var b = DeviceTree.Builder()
        b.node("") { root in
            root.setProperty("a", .cells([1]))
            root.setProperty("b", .empty)
            root.setProperty("a", .cells([2]))
        }
        let tree = try b.finish()
        #expect(tree.properties(of: tree.root).map(\.name) == ["b", "a"] && tree.property("a", of: tree.root)?.u32 == 2)
    }

    enum Misuse: String, CaseIterable, Sendable {
        case propertyOutsideNode = "outside any node"
        case propertyAfterChild = "after the node's first child"
        case unbalancedEnd = "endNode without an open node"
        case secondRoot = "a second root node"
        case leftOpen = "left open"
        case nothing = "no root node"

        func apply(to b: inout DeviceTree.Builder) {
            switch self {
            case .propertyOutsideNode: b.setProperty("p", .empty)
            case .propertyAfterChild:
                b.beginNode("")
                b.beginNode("child")
                b.endNode()
                b.setProperty("late", .empty)
                b.endNode()
            case .unbalancedEnd: b.endNode()
            case .secondRoot:
                for _ in 0..<2 {
                    b.beginNode("")
                    b.endNode()
                }
            case .leftOpen: b.beginNode("")
            case .nothing: break
            }
        }
    }

    @Test(arguments: Misuse.allCases)
    func misuseIsAnErrorNotACorruptTree(misuse: Misuse) {
        var b = DeviceTree.Builder()
        misuse.apply(to: &b)
        #expect(throws: DeviceTree.Builder.BuildError.self) { try b.finish() }
        do { _ = try b.finish() } catch { #expect(error.description.contains(misuse.rawValue), "\(error)") }
    }

    /// Equality is about content, not about the order names were interned in.
    @Test func equalityIsSemantic() throws {
        var a = DeviceTree.Builder()
        var b = DeviceTree.Builder()
        _ = b.name("zzz")
        for builder in [0, 1] {
            func build(_ t: inout DeviceTree.Builder) {
                t.node("") { r in
                    r.setProperty("x", .cells([1]))
                    r.node("n@1") { $0.setProperty("y", .strings(["v"])) }
                }
            }
            if builder == 0 { build(&a) } else { build(&b) }
        }
        let ta = try a.finish()
        let tb = try b.finish()
        #expect(ta == tb && ta.hashValue == tb.hashValue)
        var c = DeviceTree.Builder()
        c.node("") { r in r.setProperty("x", .cells([2])) }
        #expect(ta != (try c.finish()))
    }

    /// dtc 1.6.1's DTS output, byte for byte (tabs, blank lines, value shapes, escapes).
    @Test func dtsTextIsDtcs() throws {
        #expect(
            DTSWriter.text(try sampleTree()) == """
                /dts-v1/;

                /memreserve/\t0x0000000080000000 0x0000000000001000;
                / {
                \t#address-cells = <0x01>;
                \t#size-cells = <0x01>;
                \tmodel = "socmap \\"test\\"\\tboard";

                \tsoc {
                \t\tcompatible = "vendor,soc\\0simple-bus";
                \t\tranges;

                \t\tserial@e0000000 {
                \t\t\treg = <0xe0000000 0x1000>;
                \t\t\tmac = [00 0a 35 01 02];
                \t\t\tstatus = "okay";
                \t\t};
                \t};

                \tchosen {
                \t};
                };

                """)
    }

    @Test func graftingCopiesASubtree() throws {
        let source = try sampleTree()
        var b = DeviceTree.Builder()
        b.node("") { root in root.append(source.node(at: "/soc")!, of: source) }
        let grafted = try b.finish()
        let soc = try #require(grafted.node(at: "/soc/serial@e0000000"))
        #expect(grafted.properties(of: soc) == source.properties(of: source.node(at: "/soc/serial@e0000000")!))
    }

    /// Trees are `Sendable` values: they cross task boundaries unchanged.
    @Test func treesCrossTasks() async throws {
        let tree = try sampleTree()
        let texts = await withTaskGroup(of: String.self) { group in
            for _ in 0..<4 { group.addTask { DTSWriter.text(tree) } }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(texts) == [DTSWriter.text(tree)])
    }
}
