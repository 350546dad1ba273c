public import SoCMap

/// One address space's flat view as QEMU's monitor prints it with `info mtree -f`: what a
/// running machine decodes, range by range, after priorities, aliases and containers are
/// resolved.
///
/// ```
/// FlatView #1
///  AS "memory", root: system
///  AS "cpu-memory-0", root: system
///  Root memory region: system
///   0000000000000000-0000000003ffffff (prio 0, romd): virt.flash0
///   0000000010000000-000000003efeffff (prio 0, i/o): gpex_mmio_window @0000000010000000
/// ```
public struct QEMUFlatView: Sendable, Equatable {
    /// One rendered range.
    public struct Range: Sendable, Equatable {
        /// Where it decodes, inclusive.
        public var range: AddressRange
        /// The memory region's priority.
        public var priority: Int
        /// QEMU's type word: `ram`, `rom`, `romd`, `ramd`, `i/o` (a `nv-` prefix removed).
        public var type: String
        /// The memory region's name.
        public var name: String
        /// The offset into the region at the range's start (`@…`), when QEMU prints one.
        public var offset: UInt64?
        /// The line it was read from.
        public var line: Int
    }

    /// The address spaces that share this flat view, in the order QEMU lists them.
    public let addressSpaces: [String]
    /// The ranges, in address order.
    public let ranges: [Range]

    /// The address space read when none is asked for: the first CPU's, else `memory`.
    public static let defaultAddressSpaces = ["cpu-memory-0", "memory"]

    /// Reads the flat view of `addressSpace` (default: the first CPU's) from `info mtree -f`
    /// text.
    ///
    /// - Throws: `MapInputError` at `file:line:col` for a malformed range line, ranges out of
    ///   order or overlapping, `info mtree` text without `-f`, or an unknown address space
    ///   (naming the ones the text has).
    public init(parsing text: String, file: String, addressSpace: String? = nil) throws(MapInputError) {
        var views: [(spaces: [String], ranges: [Range])] = []
        var collecting = false
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = index + 1
            let line = TextLine.withoutMonitorPrompt(rawLine)
            let body = line.drop { $0 == " " }
            if line.hasPrefix("address-space:") && views.isEmpty {
                throw Self.error(
                    "this is `info mtree` (the region tree); socmap reads the flat view: run `info mtree -f`", file, number, 1)
            }
            if line.hasPrefix("FlatView #") {
                views.append(([], []))
                collecting = true
                continue
            }
            guard !views.isEmpty else { continue }
            if body.hasPrefix("AS \"") {
                let name = body.dropFirst(4).prefix { $0 != "\"" }
                views[views.count - 1].spaces.append(String(name))
            } else if body.hasPrefix("Dispatch") {
                collecting = false  // `-d`: the dispatch tree follows, not ranges
            } else if collecting, body.first?.isHexDigit == true, body.contains(" (prio ") {
                let column = line.count - body.count + 1
                views[views.count - 1].ranges.append(try Self.range(body, file: file, line: number, column: column))
            }
        }
        guard !views.isEmpty else {
            throw Self.error("no `FlatView #` section: expected the output of QEMU's `info mtree -f`", file, 1, 1)
        }
        let wanted = addressSpace.map { [$0] } ?? Self.defaultAddressSpaces
        guard let view = wanted.lazy.compactMap({ w in views.first { $0.spaces.contains(w) } }).first else {
            let known = views.flatMap(\.spaces)
            let asked = addressSpace ?? Self.defaultAddressSpaces.joined(separator: "' or '")
            throw Self.error(
                "no flat view of address space '\(asked)'"
                    + suggestion(for: addressSpace ?? "", among: known, none: "the text names no address space"),
                file, 1, 1)
        }
        for (a, b) in zip(view.ranges, view.ranges.dropFirst()) where b.range.base <= a.range.last {
            throw Self.error(
                "range \(b.range) starts inside or before the previous one \(a.range) (line \(a.line)): a flat view is sorted and has no overlaps",
                file, b.line, 1)
        }
        addressSpaces = view.spaces
        ranges = view.ranges
    }

    /// One `start-last (prio N, type): name[ @offset][ owner:…]` line.
    static func range(_ body: Substring, file: String, line: Int, column: Int) throws(MapInputError) -> Range {
        guard let (base, last, rest) = TextLine.hexRange(body) else {
            throw error("expected `start-last` in hex at the start of a flat-view line", file, line, column)
        }
        guard let range = AddressRange(base: base, last: last) else {
            throw error("range ends (\(hex(last))) before it starts (\(hex(base)))", file, line, column)
        }
        guard rest.hasPrefix(" (prio "), let close = rest.firstIndex(of: ")"), rest[close...].hasPrefix("): ") else {
            throw error("expected ` (prio N, type): name` after the range", file, line, column + (body.count - rest.count))
        }
        let inside = rest[rest.index(rest.startIndex, offsetBy: 7)..<close].split(separator: ",", maxSplits: 1)
        guard inside.count == 2, let priority = Int(inside[0]) else {
            throw error("expected `prio N, type` in the parentheses", file, line, column + (body.count - rest.count))
        }
        var type = inside[1].drop { $0 == " " }
        if type.hasPrefix("nv-") { type = type.dropFirst(3) }
        var name = rest[rest.index(close, offsetBy: 3)...]
        if let owner = name.firstRange(of: " owner:") { name = name[..<owner.lowerBound] }
        var offset: UInt64?
        if let at = name.ranges(of: " @").last, let value = TextLine.hexValue(name[at.upperBound...]) {
            offset = value
            name = name[..<at.lowerBound]
        }
        return Range(range: range, priority: priority, type: String(type), name: String(name), offset: offset, line: line)
    }

    static func error(_ message: String, _ file: String, _ line: Int, _ column: Int) -> MapInputError {
        TextLine.error("qemu-mtree", message, file, line, column)
    }

    /// The region kind a QEMU type word stands for: RAM is `dram`, ROM and ROM devices in
    /// ROMD mode are `rom`, everything else (I/O callbacks, RAM devices) `mmio`.
    public static func kind(ofType type: String) -> RegionKind {
        switch type {
        case "ram": return .dram
        case "rom", "romd": return .rom
        default: return .mmio
        }
    }

    /// The flat view as a map: one region per range, named after its memory region (made
    /// unique with `@base`), QEMU's name, type and offset in its notes.
    public func map(source: String) -> AddressMap {
        let name = TextLine.mapName(for: source)
        var regions = ranges.map { r in
            var notes = "QEMU memory region '\(r.name)' (\(r.type))"
            if let o = r.offset { notes += " from offset \(hex(o))" }
            var region = Region(name: TextLine.regionName(r.name), kind: Self.kind(ofType: r.type), range: r.range, priority: r.priority)
            region.notes = notes
            return region
        }
        TextLine.uniqueNames(&regions)
        let spaces = addressSpaces.map { "'\($0)'" }.joined(separator: ", ")
        return AddressMap(
            name: name, notes: "What QEMU decodes in address space \(spaces) (info mtree -f), read from \(source)",
            regions: regions, source: source)
    }
}
