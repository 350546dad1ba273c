public import SoCMap

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
    /// `nil`) are written with `status = "disabled"`. Built in one pass over the regions.
    public static func tree(of map: ResolvedMap, setting: SwitchSetting? = nil) -> DeviceTree {
        var builder = ExportBuilder(map: map.map, resolved: map, setting: setting ?? SwitchSetting(defaultsOf: map.map))
        builder.build()
        return builder.out.tree()
    }

    /// The device tree of a map not resolved yet (it is resolved only if it has domains);
    /// without `annotations`, no `/socmap` node (a tree for a guest, not for import).
    public static func tree(of map: AddressMap, setting: SwitchSetting? = nil, annotations: Bool = true) -> DeviceTree {
        var builder = ExportBuilder(map: map, resolved: nil, setting: setting ?? SwitchSetting(defaultsOf: map))
        builder.annotations = annotations
        builder.build()
        return builder.out.tree()
    }

    /// The device-tree node path of every region, by map path, as `tree(of:)` names them.
    public static func nodePaths(of map: ResolvedMap) -> [String: String] {
        var builder = ExportBuilder(map: map.map, resolved: map, setting: SwitchSetting(defaultsOf: map.map))
        builder.nodePaths = [:]
        builder.build(includeDomains: false)
        return builder.nodePaths ?? [:]
    }

    /// The number of 32-bit cells needed for the largest of `values` (1 or 2).
    static func cellsNeeded(_ values: [UInt64]) -> Int { values.contains { $0 > 0xFFFF_FFFF } ? 2 : 1 }

    /// A node-name-safe version of a region name, without unit address.
    static func nodeName(_ name: String) -> String { Names.nodeName(name, unit: nil) }

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
