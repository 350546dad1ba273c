import SoCMap

/// Writes a map in canonical form (`socmap fmt`): keys in a fixed order, addresses in hex with
/// `_` every four digits, sizes with binary suffixes, `last` as `size`, conditions re-printed,
/// comments and blank-line grouping kept. Formatting a formatted map changes nothing.
public enum MapWriter {
    /// The canonical text of a map file.
    public static func format(_ file: MapFile) -> String {
        var w = Emitter(comments: CommentIndex(text: file.text), keyLines: file.keyLines, flowRegions: file.flowRegions)
        w.writeMap(file.map)
        return w.finish()
    }
}

private struct Emitter {
    let comments: CommentIndex
    let keyLines: [String: Int]
    let flowRegions: Set<String>
    /// The text written so far (UTF-8), where the last line starts, and how many lines there are.
    var out: [UInt8] = []
    var lastLineStart = 0
    var lineCount = 0
    var usedLeading: Set<Int> = []
    var usedTrailing: Set<Int> = []

    init(comments: CommentIndex, keyLines: [String: Int], flowRegions: Set<String>) {
        self.comments = comments
        self.keyLines = keyLines
        self.flowRegions = flowRegions
    }

    /// Writes one line, preceded by the comment block and followed by the trailing comment
    /// that stood at `source` (each written once; `leadingOnly` leaves the trailing one).
    mutating func emit(_ text: String, indent: Int, source: Int?, leadingOnly: Bool = false) {
        emit(dash: false, key: text, value: nil, indent: indent, source: source, leadingOnly: leadingOnly)
    }

    /// `emit` for `[- ]key: value`, written without building the line first.
    mutating func emit(dash: Bool, key: String, value: String?, indent: Int, source: Int?, leadingOnly: Bool = false) {
        var trailing: String?
        if let source {
            if !usedLeading.contains(source) {
                usedLeading.insert(source)
                if comments.blankBefore.contains(source), lineCount > 0 {
                    let last = out[lastLineStart..<(out.count - 1)]
                    if !last.isEmpty, last.last != UInt8(ascii: ":") || lineCount > 1 { appendLine("", indent: 0) }
                }
                for c in comments.leading[source] ?? [] { appendLine(c, indent: indent) }
            }
            if !leadingOnly, !usedTrailing.contains(source), let t = comments.trailing[source] {
                usedTrailing.insert(source)
                trailing = t
            }
        }
        appendLine(key, value: value, dash: dash, indent: indent, trailing: trailing)
    }

    /// Writes `indent` spaces, `- ` with `dash`, `text`, `: value` when given, two spaces and
    /// `trailing` if any, and a newline.
    mutating func appendLine(_ text: String, value: String? = nil, dash: Bool = false, indent: Int, trailing: String? = nil) {
        lastLineStart = out.count
        lineCount += 1
        if !text.isEmpty { out.append(contentsOf: repeatElement(0x20, count: indent)) }
        if dash {
            out.append(UInt8(ascii: "-"))
            out.append(0x20)
        }
        append(text)
        if let value {
            out.append(UInt8(ascii: ":"))
            out.append(0x20)
            append(value)
        }
        if let trailing {
            out.append(0x20)
            out.append(0x20)
            append(trailing)
        }
        out.append(0x0A)
    }

    /// Appends a string's UTF-8 (one copy for native strings).
    mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { out.append(contentsOf: $0) }
    }

    mutating func finish() -> String {
        // Comments whose lines were not written are kept at the end rather than lost.
        var orphans: [String] = []
        for line in Set(comments.leading.keys).union(comments.trailing.keys).sorted() {
            if !usedLeading.contains(line) { orphans += comments.leading[line] ?? [] }
            if !usedTrailing.contains(line), let t = comments.trailing[line] { orphans.append(t) }
        }
        for t in orphans + comments.tail { appendLine(t, indent: 0) }
        // No blank lines at the end: the text ends with exactly one newline.
        while out.count >= 2 && out[out.count - 1] == 0x0A && out[out.count - 2] == 0x0A { out.removeLast() }
        if out.isEmpty { out.append(0x0A) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The source line of `owner#key`; nothing to look up for a map without source text.
    func line(_ owner: String, _ key: String) -> Int? { keyLines.isEmpty ? nil : keyLines["\(owner)#\(key)"] }

    mutating func field(_ key: String, _ value: String, owner: String, indent: Int, sourceKey: String? = nil) {
        emit(dash: false, key: key, value: value, indent: indent, source: line(owner, sourceKey ?? key))
    }

    mutating func text(_ key: String, _ value: String, owner: String, indent: Int) {
        let source = line(owner, key)
        if value.contains("\n") {
            emit("\(key): |\(value.hasSuffix("\n") ? "" : "-")", indent: indent, source: source)
            for l in value.split(separator: "\n", omittingEmptySubsequences: false).dropLast(value.hasSuffix("\n") ? 1 : 0) {
                appendLine(String(l), indent: indent + 2)
            }
        } else if value.count > 88 - indent, !value.contains("  "), !value.contains("\t"), value.first != " ", value.last != " " {
            emit("\(key): >-", indent: indent, source: source)
            var current = ""
            for word in value.split(separator: " ") {
                if !current.isEmpty && current.count + word.count + 1 > 88 - indent {
                    appendLine(current, indent: indent + 2)
                    current = ""
                }
                current += (current.isEmpty ? "" : " ") + word
            }
            appendLine(current, indent: indent + 2)
        } else {
            emit("\(key): \(scalar(value))", indent: indent, source: source)
        }
    }

    mutating func writeMap(_ map: AddressMap) {
        // Comments heading the file stay at its head, even when `socmap:` is added.
        if let own = line("", "socmap") {
            emit("socmap: 1", indent: 0, source: own)
        } else {
            emit("socmap: 1", indent: 0, source: line("", "name"), leadingOnly: true)
        }
        field("name", scalar(map.name), owner: "", indent: 0)
        if let m = map.model { text("model", m, owner: "", indent: 0) }
        if !map.compatible.isEmpty { field("compatible", strings(map.compatible), owner: "", indent: 0) }
        if map.addressBits != 64 || line("", "address-bits") != nil { field("address-bits", String(map.addressBits), owner: "", indent: 0) }
        if let p = map.profile { field("profile", scalar(p), owner: "", indent: 0) }
        if let n = map.notes { text("notes", n, owner: "", indent: 0) }
        if map.overlapRule != .priority || line("", "overlaps") != nil { field("overlaps", map.overlapRule.rawValue, owner: "", indent: 0) }
        if !map.initiators.isEmpty {
            emit("initiators:", indent: 0, source: line("", "initiators"))
            for i in map.initiators {
                emit("- name: \(scalar(i.name))", indent: 2, source: i.location?.line)
                if let doc = i.doc { text("doc", doc, owner: "initiator", indent: 4) }
            }
        }
        if !map.switches.isEmpty {
            emit("switches:", indent: 0, source: line("", "switches"))
            for s in map.switches {
                emit("- name: \(scalar(s.name))", indent: 2, source: s.location?.line)
                emit("values: [\(s.values.map { scalar($0, flow: true) }.joined(separator: ", "))]", indent: 4, source: nil)
                emit("default: \(scalar(s.defaultValue))", indent: 4, source: nil)
                if let doc = s.doc { text("doc", doc, owner: "switch", indent: 4) }
            }
        }
        emit("regions:", indent: 0, source: line("", "regions"))
        for r in map.regions { writeRegion(r, parentPath: "", indent: 2) }
        if !map.domains.isEmpty {
            emit("domains:", indent: 0, source: line("", "domains"))
            for d in map.domains { writeDomain(d) }
        }
        if !map.deviceTree.isEmpty { writeDeviceTree(map.deviceTree) }
    }

    /// The `devicetree:` section, after the address map and the domains.
    mutating func writeDeviceTree(_ content: DeviceTreeContent) {
        emit("devicetree:", indent: 0, source: line("", "devicetree"))
        if content.verbatim { field("verbatim", "true", owner: "devicetree", indent: 2) }
        if content.symbols { field("symbols", "true", owner: "devicetree", indent: 2) }
        writeProperties(content.properties, path: "/", indent: 2)
        guard !content.nodes.isEmpty else { return }
        emit("nodes:", indent: 2, source: line("devicetree", "nodes"))
        for a in content.nodes {
            var head: [(String, String)] = []
            if a.parent != "/" { head.append(("at", scalar(a.parent))) }
            switch a.placement {
            case .first?: head.append(("first", "true"))
            case .after(let s)?: head.append(("after", scalar(s)))
            case nil: break
            }
            writeNode(a.node, head: head, parentPath: a.parent, indent: 4)
        }
    }

    /// A description node: `head` keys first (its place), then name, label, properties, children.
    mutating func writeNode(_ n: DescriptionNode, head: [(String, String)], parentPath: String, indent: Int) {
        let path = parentPath == "/" ? "/" + n.name : parentPath + "/" + n.name
        let fields = head + [("name", scalar(n.name))] + (n.label.map { [("label", $0)] } ?? [])
        for (i, (key, value)) in fields.enumerated() {
            emit(dash: i == 0, key: key, value: value, indent: i == 0 ? indent : indent + 2, source: i == 0 ? n.location?.line : nil)
        }
        writeProperties(n.properties, path: path, indent: indent + 2)
        guard !n.children.isEmpty else { return }
        emit("children:", indent: indent + 2, source: nil)
        for c in n.children { writeNode(c, head: [], parentPath: path, indent: indent + 4) }
    }

    mutating func writeProperties(_ properties: [Region.Property], path: String, indent: Int) {
        guard !properties.isEmpty else { return }
        emit("properties:", indent: indent, source: line(path, "properties"))
        for p in properties {
            let source = keyLines.isEmpty ? nil : keyLines["\(path)#properties.\(p.name)"]
            let key = scalar(p.name)
            let value = propertyValue(p.value)
            // A long list goes over several lines, as many items to a line as fit.
            guard key.utf8.count + value.utf8.count + indent > 96, let items = listItems(p.value) else {
                emit("\(key): \(value)", indent: indent + 2, source: source)
                continue
            }
            emit("\(key): [", indent: indent + 2, source: source)
            var line = ""
            for (i, item) in items.enumerated() {
                let piece = item + (i == items.count - 1 ? "]" : ",")
                if !line.isEmpty && line.utf8.count + 1 + piece.utf8.count + indent + 4 > 100 {
                    emit(line, indent: indent + 4, source: nil)
                    line = ""
                }
                line += (line.isEmpty ? "" : " ") + piece
            }
            emit(line, indent: indent + 4, source: nil)
        }
    }

    /// The items of a list value as `propertyValue` writes them (`nil` for other shapes).
    func listItems(_ value: Region.Property.Value) -> [String]? {
        func cell(_ c: UInt32) -> String { c > 0xffff ? hex(UInt64(c)) : String(c) }
        switch value {
        case .cells(let cells): return cells.map(cell)
        case .references(let cells):
            return cells.map { c in
                switch c {
                case .number(let n): return cell(n)
                case .reference(let r): return scalar(r.description, flow: true)
                }
            }
        default: return nil
        }
    }

    mutating func writeDomain(_ d: Domain) {
        let owner = "domain:" + d.name
        emit("- name: \(scalar(d.name))", indent: 2, source: d.location?.line)
        if d.trusted { field("trusted", "true", owner: owner, indent: 4) }
        if d.iommu { field("iommu", "true", owner: owner, indent: 4) }
        if d.staticMemory { field("static-memory", "true", owner: owner, indent: 4) }
        if d.directMap { field("direct-map", "true", owner: owner, indent: 4) }
        if let bits = d.addressBits { field("address-bits", String(bits), owner: owner, indent: 4) }
        if let cpus = d.cpus { field("cpus", String(cpus), owner: owner, indent: 4) }
        if let i = d.initiator { field("initiator", scalar(i), owner: owner, indent: 4) }
        if let l = d.layout { field("layout", scalar(l), owner: owner, indent: 4) }
        if let n = d.notes { text("notes", n, owner: owner, indent: 4) }
        if !d.nodes.isEmpty {
            field("nodes", "[\(d.nodes.map { scalar($0, flow: true) }.joined(separator: ", "))]", owner: owner, indent: 4)
        }
        guard !d.entries.isEmpty else { return }
        emit("entries:", indent: 4, source: line(owner, "entries"))
        for e in d.entries {
            var f: [(String, String)] = [("name", scalar(e.name, flow: true))]
            if let h = e.host { f.append(("host", scalar(h, flow: true))) }
            if let slice = e.slice {
                if slice.offset != 0 { f.append(("offset", hex(slice.offset))) }
                f.append(("size", sizeText(slice.size)))
            }
            if let size = e.size { f.append(("size", sizeText(size))) }
            f.append(("mode", e.mode.name))
            if let g = e.guestBase { f.append(("guest-base", hex(g))) }
            if let m = e.deviceModel { f.append(("device-model", scalar(m, flow: true))) }
            if e.shared { f.append(("shared", "true")) }
            if e.dma { f.append(("dma", "true")) }
            if let k = e.kind { f.append(("kind", k.rawValue)) }
            if let t = e.e820Type { f.append(("e820-type", String(t))) }
            emit("- {" + f.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}", indent: 6, source: e.location?.line)
        }
    }

    /// The region's own key/value pairs in canonical order, values already rendered.
    func scalarFields(_ r: Region, flow: Bool) -> [(String, String)] {
        var f: [(String, String)] = [("name", scalar(r.name, flow: flow)), ("kind", r.kind.rawValue)]
        if let range = r.range, !Self.writesRegList(r), r.kind != .pcie {
            f.append(("base", hex(range.base)))
            f.append(range.size.map { ("size", sizeText($0)) } ?? ("last", hex(range.last)))
        }
        if r.priority != 0 { f.append(("priority", String(r.priority))) }
        if let c = r.condition { f.append(("when", scalar(c.description, flow: flow))) }
        if let seen = r.seenBy { f.append(("seen-by", "[\(seen.map { scalar($0, flow: true) }.joined(separator: ", "))]")) }
        if let l = r.label { f.append(("label", l)) }
        if r.disabled { f.append(("status", "disabled")) }
        if r.memoryReservation { f.append(("memreserve", "true")) }
        if r.overlapIntended { f.append(("overlap", "intended")) }
        if r.hypervisorOnly { f.append(("virtualization", "hypervisor")) }
        if !r.clipsChildren { f.append(("clip-children", "false")) }
        if !r.compatible.isEmpty { f.append(("compatible", strings(r.compatible, flow: flow))) }
        if let rep = r.repetition { f.append(("repeat", "{count: \(rep.count), stride: \(sizeText(rep.stride))}")) }
        if let a = r.alias {
            f.append(("target", scalar(a.path, flow: flow)))
            if a.offset != 0 { f.append(("offset", hex(a.offset))) }
        }
        return f
    }

    /// Whether a region's ranges need the `reg` list: several, or named ones (a PCIe host
    /// whose only entry is an unnamed ECAM writes `ecam: {base, size}` instead).
    static func writesRegList(_ r: Region) -> Bool {
        if r.kind == .pcie { return !(r.entries.count == 1 && r.pcie?.ecamEntry == 0 && r.entries[0].name == nil) && !r.entries.isEmpty }
        return r.entries.count > 1 || r.entries.contains { $0.name != nil }
    }

    func rangeText(_ range: AddressRange) -> String {
        "base: \(hex(range.base)), " + (range.size.map { "size: \(sizeText($0))" } ?? "last: \(hex(range.last))")
    }

    mutating func writeRegion(_ r: Region, parentPath: String, indent: Int) {
        // The path only finds source lines and flow style, which a map without source lacks.
        let path = keyLines.isEmpty && flowRegions.isEmpty ? "" : parentPath + "/" + r.name
        let start = line(path, "name")
        if !flowRegions.isEmpty && flowRegions.contains(path), r.children.isEmpty, r.properties.isEmpty, r.pcie == nil,
            !Self.writesRegList(r),
            r.translation == .identity, !(r.notes ?? "").contains("\n")
        {
            var f = scalarFields(r, flow: true)
            if let n = r.notes { f.append(("notes", scalar(n, flow: true))) }
            emit("- {" + f.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}", indent: indent, source: start)
            return
        }
        let inner = indent + 2
        for (i, (key, value)) in scalarFields(r, flow: false).enumerated() {
            let source =
                keyLines.isEmpty ? nil : key == "size" || key == "last" ? (line(path, "size") ?? line(path, "last")) : line(path, key)
            emit(dash: i == 0, key: key, value: value, indent: i == 0 ? indent : inner, source: source)
        }
        if Self.writesRegList(r) {
            emit("reg:", indent: inner, source: line(path, "reg"))
            for e in r.entries {
                emit(
                    "- {" + (e.name.map { "name: \(scalar($0, flow: true)), " } ?? "") + rangeText(e.range) + "}", indent: inner + 2,
                    source: nil)
            }
        }
        if let host = r.pcie {
            if let i = host.ecamEntry, r.entries.indices.contains(i) {
                if Self.writesRegList(r) {
                    // Named as the bindings name it, the reader finds it without being told.
                    if PCIeHost.configurationEntry(in: r.entries, compatible: r.compatible) != i {
                        field("ecam", r.entries[i].name.map { scalar($0) } ?? String(i), owner: path, indent: inner)
                    }
                } else {
                    field("ecam", "{\(rangeText(r.entries[i].range))}", owner: path, indent: inner)
                }
            }
            let defaultLast = r.ecam.map { UInt8(clamping: $0.sizeMinusOne >> 20) } ?? 0
            if host.firstBus != 0 || host.lastBus != defaultLast || line(path, "bus-range") != nil {
                field("bus-range", "[\(host.firstBus), \(host.lastBus)]", owner: path, indent: inner)
            }
            if !host.windows.isEmpty {
                emit("windows:", indent: inner, source: line(path, "windows"))
                for w in host.windows {
                    let pref = w.prefetchable ? ", prefetchable: true" : ""
                    emit(
                        "- {space: \(w.space.rawValue)\(pref), base: \(hex(w.cpuRange.base)), size: \(w.cpuRange.size.map(sizeText) ?? "?"), pci-base: \(hex(w.pciBase))}",
                        indent: inner + 2, source: w.location?.line)
                }
            }
        }
        writeProperties(r.properties, path: path, indent: inner)
        if let n = r.notes { text("notes", n, owner: path, indent: inner) }
        switch r.translation {
        case .identity: break
        case .none: field("ranges", "none", owner: path, indent: inner)
        case .windows(let ws):
            if let range = r.range, ws.count == 1, ws[0].location == nil, ws[0].childRange.base == 0, ws[0].parentRange == range {
                field("ranges", "relative", owner: path, indent: inner)
            } else {
                emit("ranges:", indent: inner, source: line(path, "ranges"))
                for w in ws {
                    emit(
                        "- {child: \(hex(w.childRange.base)), parent: \(hex(w.parentRange.base)), size: \(w.childRange.size.map(sizeText) ?? "?")}",
                        indent: inner + 2, source: w.location?.line)
                }
            }
        }
        if !r.children.isEmpty {
            emit("children:", indent: inner, source: line(path, "children"))
            for c in r.children { writeRegion(c, parentPath: path, indent: inner + 2) }
        }
    }

    func strings(_ list: [String], flow: Bool = false) -> String {
        list.count == 1 ? scalar(list[0], flow: flow) : "[\(list.map { scalar($0, flow: true) }.joined(separator: ", "))]"
    }

    /// A property value in the shortest form that reads back as the same value; the explicit
    /// `{string: ...}`/`{strings: [...]}` forms only for strings that would read as a reference.
    func propertyValue(_ value: Region.Property.Value) -> String {
        func cell(_ c: UInt32) -> String { c > 0xffff ? hex(UInt64(c)) : String(c) }
        func isReference(_ s: String) -> Bool { s.utf8.first == UInt8(ascii: "&") && NodeReference(parsing: s) != nil }
        switch value {
        case .empty: return "true"
        case .string(let s):
            return isReference(s) ? "{string: \(scalar(s, flow: true))}" : scalar(s, forceQuotedIfNumeric: true)
        case .strings(let list):
            let items = "[\(list.map { scalar($0, flow: true, forceQuotedIfNumeric: true) }.joined(separator: ", "))]"
            return !list.isEmpty && list.allSatisfy(isReference) ? "{strings: \(items)}" : items
        case .cells(let cells): return "[\(cells.map(cell).joined(separator: ", "))]"
        case .bytes(let bytes): return "{bytes: [\(bytes.map { "0x" + paddedHex(UInt64($0), width: 2) }.joined(separator: ", "))]}"
        case .references(let cells):
            if cells.count == 1, let r = cells[0].reference { return scalar(r.description) }
            let items = cells.map { c -> String in
                switch c {
                case .number(let n): return cell(n)
                case .reference(let r): return scalar(r.description, flow: true)
                }
            }
            return "[\(items.joined(separator: ", "))]"
        case .pathOf(let r): return "{path: \(scalar(r.description, flow: true))}"
        }
    }
}

private let reservedWords: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"]

/// Whether a string must be quoted to read back as the same YAML string (byte scan: this runs
/// for every value `fmt` and `import` write).
func needsQuotes(_ s: String, flow: Bool) -> Bool {
    let u = s.utf8
    guard let first = u.first, let last = u.last else { return true }
    switch first {
    case UInt8(ascii: "-"):
        if u.count == 1 { return true }
        if u.dropFirst().first == 0x20 { return true }
    case UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"),
        UInt8(ascii: "}"), UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"),
        UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"), 0x20:
        return true
    default: break
    }
    if last == 0x20 || last == UInt8(ascii: ":") { return true }
    var previous: UInt8 = 0
    for b in u {
        if b == 0x0A || b == 0x09 { return true }
        if previous == UInt8(ascii: ":") && b == 0x20 { return true }
        if previous == 0x20 && b == UInt8(ascii: "#") { return true }
        if flow
            && (b == UInt8(ascii: ",") || b == UInt8(ascii: "[") || b == UInt8(ascii: "]") || b == UInt8(ascii: "{")
                || b == UInt8(ascii: "}"))
        {
            return true
        }
        previous = b
    }
    // true, false, yes, no, on, off, null, y, n, ~ in any case.
    guard u.count <= 5, "tfynoTFYNO~".utf8.contains(first) else { return false }
    return reservedWords.contains(s.lowercased())
}

/// A string as a YAML scalar, quoted only when it must be.
func scalar(_ s: String, flow: Bool = false, forceQuotedIfNumeric: Bool = false) -> String {
    if !needsQuotes(s, flow: flow) && !(forceQuotedIfNumeric && (parseAddress(s) != nil || s == "true" || s == "yes")) { return s }
    // Byte by byte: the escapes are all ASCII, and UTF-8 never repeats an ASCII byte inside a
    // multi-byte character.
    var out: [UInt8] = [UInt8(ascii: "\"")]
    out.reserveCapacity(s.utf8.count + 2)
    for b in s.utf8 {
        switch b {
        case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
        case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
        case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
        case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
        default: out.append(b)
        }
    }
    out.append(UInt8(ascii: "\""))
    return String(decoding: out, as: UTF8.self)
}
