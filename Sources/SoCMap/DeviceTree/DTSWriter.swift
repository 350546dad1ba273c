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
        write(tree.root, level: 0, to: &out)
        return out
    }

    private static func write(_ node: DTNode, level: Int, to out: inout String) {
        let pad = String(repeating: "\t", count: level)
        out += pad + (node.name.isEmpty ? "/" : node.name) + " {\n"
        for p in node.properties {
            out += pad + "\t" + p.name + value(p.bytes) + "\n"
        }
        for child in node.children {
            out += "\n"
            write(child, level: level + 1, to: &out)
        }
        out += pad + "};\n"
    }

    /// dtc's `isstring`: printable ASCII, NUL, or one of the C escapes.
    private static func isStringByte(_ b: UInt8) -> Bool {
        (0x20...0x7e).contains(b) || b == 0 || [7, 8, 9, 10, 11, 12, 13].contains(b)
    }

    /// ` = <...>;`, ` = "...";`, ` = [...];` or `;`, chosen as dtc's `guess_value_type` does.
    static func value(_ bytes: [UInt8]) -> String {
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
            let cells = DTProperty(name: "", bytes: bytes).cells ?? []
            return " = <" + cells.map { "0x" + paddedHex(UInt64($0), width: 2) }.joined(separator: " ") + ">;"
        }
        return " = [" + bytes.map { paddedHex(UInt64($0), width: 2) }.joined(separator: " ") + "];"
    }
}
