/// Turns a map into a device tree (DESIGN "Formats → Device tree").
///
/// The tree says what Linux needs, in plain device-tree words: explicit root cells, `/memory`
/// nodes, `/reserved-memory` with `no-map`, `mmio-sram`, `simple-bus` with `ranges`, PCIe
/// host bridges with 3-cell `ranges`, `status`. What the device tree has no word for (region
/// names, priorities, conditions, initiators, switches, aliases, notes) goes into one
/// `/socmap` node of annotations, so that the nodes themselves stay schema-clean and
/// import can rebuild the map exactly.
public enum DeviceTreeExport {
    /// The device tree of `map`; regions whose `when` is false under `setting` (defaults when
    /// `nil`) are written with `status = "disabled"`.
    public static func tree(of map: SoCMap, setting: SwitchSetting? = nil) -> DeviceTree {
        DeviceTree(flatTree(of: map, setting: setting))
    }

    /// `tree(of:setting:)` in the flat form the libfdt writer takes: built in one pass over
    /// the regions, with no per-node or per-property objects.
    public static func flatTree(of map: SoCMap, setting: SwitchSetting? = nil) -> FlatDeviceTree {
        var builder = ExportBuilder(map: map, setting: setting ?? SwitchSetting(map: map))
        builder.build()
        return FlatDeviceTree(builder.out)
    }

    /// The device-tree node path of every region, by map path, as `tree(of:)` names them.
    public static func nodePaths(of map: SoCMap) -> [String: String] {
        var builder = ExportBuilder(map: map, setting: SwitchSetting(map: map))
        builder.nodePaths = [:]
        builder.build(includeDomains: false)
        return builder.nodePaths ?? [:]
    }

    /// The number of 32-bit cells needed for the largest of `values` (1 or 2).
    static func cellsNeeded(_ values: [UInt64]) -> Int { values.contains { $0 > 0xFFFF_FFFF } ? 2 : 1 }

    /// A node-name-safe version of a region name (device-tree node names take 1-31 characters).
    static func nodeName(_ name: String) -> String {
        // Most region names are node names already.
        var copy = name
        if copy.withUTF8({ $0.count >= 1 && $0.count <= 31 && $0.allSatisfy(isNodeNameByte) }) { return name }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.utf8.count)
        for b in name.utf8 {
            if b == 0x40 { break }  // drop any @unit; the caller adds the real one
            bytes.append(isNodeNameByte(b) ? b : 0x2D)
            if bytes.count == 31 { break }
        }
        return bytes.isEmpty ? "node" : String(decoding: bytes, as: UTF8.self)
    }

    /// The device-tree node-name alphabet: `[0-9a-zA-Z,._+-]`.
    @inline(__always)
    static func isNodeNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2C || b == 0x2E || b == 0x5F || b == 0x2B || b == 0x2D
    }

    /// A simple-bus node name that dt-schema accepts (`foo-bus`, `bus`, `soc`, `axi`, ...).
    static func busName(_ name: String) -> String {
        let lower = name.lowercased().map { ($0.isLetter && $0.isASCII) || ($0.isNumber && $0.isASCII) ? $0 : "-" }
        var s = String(lower)
        while s.contains("--") { s = s.replacing("--", with: "-") }
        s = String(s.drop { $0 == "-" || $0.isNumber })
        while s.hasSuffix("-") { s.removeLast() }
        if ["bus", "soc", "axi", "ahb", "apb", "localbus"].contains(s) || s.hasSuffix("-bus") { return s.isEmpty ? "bus" : s }
        if s.isEmpty { return "bus" }
        return String(s.prefix(27)) + "-bus"
    }
}
