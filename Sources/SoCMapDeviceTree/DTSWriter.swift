import SoCMap

/// Prints a device tree as DTS exactly the way `dtc -I dtb -O dts` (1.6.1) does, so that the
/// two can be diffed byte for byte: tabs, a blank line before every child node, cells as
/// `<0x%02x ...>`, strings with C escapes and `\0` between list items, bytes as `[%02x ...]`.
public enum DTSWriter {
    /// The DTS text of `tree`.
    public static func text(_ tree: DeviceTree) -> String {
        var out = "/dts-v1/;\n\n"
        for r in tree.reservations {
            out += "/memreserve/\t0x\(paddedHex(r.address, width: 16)) 0x\(paddedHex(r.size, width: 16));\n"
        }
        write(tree.root, of: tree, level: 0, to: &out)
        return out
    }

    private static func write(_ node: DeviceTree.NodeID, of tree: DeviceTree, level: Int, to out: inout String) {
        let pad = String(repeating: "\t", count: level)
        let name = tree.name(of: node)
        out += pad + (name.isEmpty ? "/" : name) + " {\n"
        for p in tree.properties(of: node) {
            out += pad + "\t" + p.name + value(p.value) + "\n"
        }
        for child in tree.children(of: node) {
            out += "\n"
            write(child, of: tree, level: level + 1, to: &out)
        }
        out += pad + "};\n"
    }

    /// dtc's `isstring`: printable ASCII, NUL, or one of the C escapes.
    private static func isStringByte(_ b: UInt8) -> Bool {
        (0x20...0x7e).contains(b) || b == 0 || (7...13).contains(b)
    }

    /// ` = <...>;`, ` = "...";`, ` = [...];` or `;`, chosen as dtc's `guess_value_type` does.
    static func value(_ bytes: ArraySlice<UInt8>) -> String {
        if bytes.isEmpty { return ";" }
        let nul = bytes.filter { $0 == 0 }.count
        if bytes.last == 0, bytes.allSatisfy(isStringByte), nul <= bytes.count - nul {
            var s = " = \""
            for b in bytes.dropLast() {
                switch b {
                case 7: s += "\\a"
                case 8: s += "\\b"
                case 9: s += "\\t"
                case 10: s += "\\n"
                case 11: s += "\\v"
                case 12: s += "\\f"
                case 13: s += "\\r"
                case 0x5c: s += "\\\\"
                case 0x22: s += "\\\""
                case 0: s += "\\0"
                default: s.unicodeScalars.append(Unicode.Scalar(b))
                }
            }
            return s + "\";"
        }
        if bytes.count % 4 == 0 {
            let cells = stride(from: bytes.startIndex, to: bytes.endIndex, by: 4).map { BigEndian.cell(in: bytes, at: $0) }
            return " = <" + cells.map { "0x" + paddedHex(UInt64($0), width: 2) }.joined(separator: " ") + ">;"
        }
        return " = [" + bytes.map { paddedHex(UInt64($0), width: 2) }.joined(separator: " ") + "];"
    }
}
