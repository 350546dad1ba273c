public import SoCMap

/// One view of a map for the code that needs its addresses: a C header of constants, a linker
/// script `MEMORY` block, and JSON for other generators (docs/json.md).
public struct ViewExports: Sendable {
    /// One unit (or one named entry of a unit) the view places.
    public struct Unit: Sendable {
        /// The constant-name stem (`DDR`, `M_AXI_GP0_AXI_INTERCONNECT_AXI_GPIO_0`, `PCIE_CFG`).
        public let symbol: String
        public let path: String
        public let kind: RegionKind
        public let range: AddressRange
        public let entry: String?
    }

    /// The view's units in address order, with unique C-safe symbols.
    public let units: [Unit]
    /// `MAP_VIEW`, the prefix of every constant.
    public let prefix: String
    /// Where the map came from and which view this is, for comments.
    public let origin: String

    /// The units `router`'s view places (each region that decodes somewhere in it, every placed
    /// entry of a unit with several or named entries), named from the map name, the view and the
    /// region path: upper case, every run of characters outside `[A-Z0-9]` one `_`, a leading digit
    /// prefixed with `_`, and `_2`, `_3`... on a clash, in address order.
    public init(router: Router, source: String) {
        let tree = router.tree
        let view = router.initiator ?? "cpu"
        prefix = Self.cName(router.map.map.name) + "_" + Self.cName(view)
        origin = "\(source), view \(view)" + (router.setting.description.isEmpty ? "" : " (\(router.setting.description))")
        // Where each unit decodes in this view: its placement, or (seen only through aliases)
        // the span of its segments.
        var spans: [RegionID: AddressRange] = [:]
        for seg in router.segments where seg.target == .region {
            spans[seg.unit] = spans[seg.unit].map { $0.span(seg.range) } ?? seg.range
        }
        let decoding = Set(spans.keys)
        var found: [(path: String, kind: RegionKind, range: AddressRange, entry: String?)] = []
        for id in tree.ids where decoding.contains(id) {
            let n = tree[id]
            if n.region.namesItsEntries {
                for (k, placed) in router.entryPlacements(of: id).enumerated() {
                    guard let placed else { continue }
                    found.append((n.path, n.kind, placed, n.region.entries[k].name ?? "reg\(k)"))
                }
            } else if let placed = router.placement(of: id) ?? spans[id] {
                found.append((n.path, n.kind, placed, nil))
            }
        }
        found.sort { ($0.range.base, $0.path) < ($1.range.base, $1.path) }
        let symbols = Self.unique(found.map { f in Self.cName(String(f.path.dropFirst())) + (f.entry.map { "_" + Self.cName($0) } ?? "") })
        units = zip(found, symbols).map { f, symbol in Unit(symbol: symbol, path: f.path, kind: f.kind, range: f.range, entry: f.entry) }
    }

    /// A guest domain's view: one unit per entry at its guest address, named `MAP_DOMAIN_ENTRY`.
    public init(guest: GuestRouter, source: String) {
        let tree = guest.host.tree
        prefix = Self.cName(guest.host.map.map.name) + "_" + Self.cName(guest.domain.name)
        origin = "\(source), domain \(guest.domain.name)"
        let mappings = guest.mappings.sorted { ($0.guest.base, $0.entry.name) < ($1.guest.base, $1.entry.name) }
        units = zip(mappings, Self.unique(mappings.map { Self.cName($0.entry.name) })).map { m, symbol in
            let kind = m.entry.kind ?? m.hostRegion.map { tree[$0].kind } ?? .mmio
            return Unit(symbol: symbol, path: "domain \(guest.domain.name) / entry \(m.entry.name)", kind: kind, range: m.guest, entry: nil)
        }
    }

    /// The stems made unique in order: a repeated stem gets `_2`, `_3`...
    static func unique(_ stems: [String]) -> [String] {
        var used = Set<String>()
        return stems.map { stem in
            var symbol = stem
            var n = 2
            while !used.insert(symbol).inserted {
                symbol = "\(stem)_\(n)"
                n += 1
            }
            return symbol
        }
    }

    /// Upper case, runs outside `[A-Z0-9]` as one `_`, no leading digit.
    static func cName(_ s: String) -> String {
        var out = ""
        for c in s.uppercased().unicodeScalars {
            if ("A"..."Z").contains(c) || ("0"..."9").contains(c) {
                out.unicodeScalars.append(c)
            } else if !out.hasSuffix("_") {
                out += "_"
            }
        }
        while out.hasSuffix("_") { out.removeLast() }
        if out.isEmpty { out = "_" }
        if let f = out.unicodeScalars.first, ("0"..."9").contains(f) { out = "_" + out }
        return out
    }

    static func c(_ n: UInt64) -> String { "UINT64_C(0x" + String(n, radix: 16) + ")" }

    /// A C header: one include guard, `PREFIX_SYMBOL_BASE`, `_SIZE` (omitted for a range of all
    /// 2^64 addresses), `_LAST` per unit, each with a comment naming its region.
    public var cHeader: String {
        let guardName = prefix + "_H"
        var lines = [
            "/* \(prefix): generated by socmap from \(origin). Do not edit. */", "#ifndef \(guardName)", "#define \(guardName)", "",
            "#include <stdint.h>", "",
        ]
        for u in units {
            lines.append("/* \(u.path)\(u.entry.map { " reg \"\($0)\"" } ?? "") (\(u.kind.rawValue)) */")
            lines.append("#define \(prefix)_\(u.symbol)_BASE \(Self.c(u.range.base))")
            if let size = u.range.size { lines.append("#define \(prefix)_\(u.symbol)_SIZE \(Self.c(size))") }
            lines.append("#define \(prefix)_\(u.symbol)_LAST \(Self.c(u.range.last))")
        }
        lines += ["", "#endif /* \(guardName) */", ""]
        return lines.joined(separator: "\n")
    }

    /// A GNU ld `MEMORY` block with the view's memories: DRAM and SRAM `rwx`, ROM `rx`.
    public var linkerScript: String {
        var lines = ["/* generated by socmap from \(origin). Do not edit. */", "MEMORY", "{"]
        for u in units where [.dram, .sram, .rom].contains(u.kind) {
            guard let size = u.range.size else { continue }
            let attributes = u.kind == .rom ? "rx" : "rwx"
            lines.append(
                "  \(u.symbol.lowercased()) (\(attributes)) : ORIGIN = 0x\(String(u.range.base, radix: 16)), LENGTH = 0x\(String(size, radix: 16))"
            )
        }
        lines += ["}", ""]
        return lines.joined(separator: "\n")
    }

    /// `{"prefix", "source", "memories": [...], "units": [...]}` (docs/json.md).
    public var json: JSON {
        func object(_ u: Unit) -> JSON {
            var pairs: [(String, JSON)] = [
                ("name", .string(u.symbol.lowercased())), ("path", .string(u.path)), ("kind", .string(u.kind.rawValue)),
                ("base", .address(u.range.base)), ("last", .address(u.range.last)),
            ]
            if let size = u.range.size { pairs.append(("size", .address(size))) }
            if let e = u.entry { pairs.append(("entry", .string(e))) }
            return .object(pairs)
        }
        return .object([
            ("prefix", .string(prefix)), ("source", .string(origin)),
            ("memories", .array(units.filter { [.dram, .sram, .rom].contains($0.kind) }.map(object))), ("units", .array(units.map(object))),
        ])
    }
}
