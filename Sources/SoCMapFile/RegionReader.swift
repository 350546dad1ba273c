import SoCMap

extension MapReader {
    /// Reads one region and its subtree; `nil` when it is too broken to keep.
    mutating func readRegion(_ item: Node, parentPath: String) -> Region? {
        guard item.mapping != nil else {
            yaml.error(
                "bad-value", "expected a region (a mapping with name, kind, base, size), found \(yaml.describe(item))", at: item,
                path: parentPath.isEmpty ? nil : parentPath)
            return nil
        }
        let nameNode = item.mapping?["name"]
        let rawName = nameNode?.scalar?.string ?? "?"
        let path = parentPath + "/" + rawName
        guard let f = yaml.fields(item, allowed: Self.regionKeys, owner: path, what: "region '\(rawName)'") else { return nil }
        guard let nameNode else {
            yaml.error("missing-key", "a region needs a 'name'", at: item, path: parentPath.isEmpty ? nil : parentPath)
            return nil
        }
        guard let name = yaml.string(nameNode, what: "name", path: path), Names.isValidRegionName(name) else {
            yaml.error(
                "bad-value", "'\(rawName)' is not a valid region name: use letters, digits and , . _ + - (and {i} with repeat)",
                at: nameNode, path: path)
            return nil
        }
        guard let kindNode = f["kind"]?.value else {
            yaml.error(
                "missing-key", "region '\(name)' needs a 'kind' (\(RegionKind.allCases.map(\.rawValue).joined(separator: ", ")))", at: item,
                path: path)
            return nil
        }
        guard let kindText = yaml.string(kindNode, what: "kind", path: path) else { return nil }
        guard let kind = RegionKind(rawValue: kindText) else {
            var text = "unknown kind '\(kindText)': expected one of \(RegionKind.allCases.map(\.rawValue).joined(separator: ", "))"
            text += didYouMeanSuffix(kindText, among: RegionKind.allCases.map(\.rawValue))
            yaml.error("bad-value", text, at: kindNode, path: path)
            return nil
        }
        var region = Region(name: name, kind: kind, location: yaml.location(item))
        if yaml.recordLayout && item.isFlow { yaml.flowRegions.insert(path) }
        rejectKeys(f, notFor: kind, path: path)

        let hasRange = f["base"] != nil || f["size"] != nil || f["last"] != nil
        if let reg = f["reg"] {
            if hasRange {
                yaml.error(
                    "bad-value", "region '\(name)' gives both 'reg' and 'base'; use 'reg' for several ranges, 'base' and 'size' for one",
                    at: reg.key, path: path)
                return nil
            }
            guard let entries = readEntries(reg.value, path: path), !entries.isEmpty || !kind.needsRange else { return nil }
            region.entries = entries
        } else if kind.needsRange || (kind == .bus && hasRange) {
            region.range = yaml.range(f, owner: path, what: "region '\(name)'", anchor: item)
            if region.range == nil { return nil }
        }
        if let v = f["priority"]?.value { region.priority = yaml.signed(v, what: "priority", path: path) ?? 0 }
        if let v = f["when"]?.value { region.condition = readCondition(v, path: path) }
        if let v = f["seen-by"]?.value {
            region.seenBy = list(v, what: "initiator names", path: path).compactMap { word($0, what: "initiator name", path: path) }
        }
        if let v = f["status"]?.value {
            switch yaml.string(v, what: "status", path: path) {
            case "okay"?: region.disabled = false
            case "disabled"?: region.disabled = true
            case let other?: yaml.error("bad-value", "status must be 'okay' or 'disabled', not '\(other)'", at: v, path: path)
            case nil: break
            }
        }
        if let v = f["overlap"]?.value {
            if yaml.string(v, what: "overlap", path: path) == "intended" {
                region.overlapIntended = true
            } else {
                yaml.error("bad-value", "overlap takes the single value 'intended'", at: v, path: path)
            }
        }
        if let v = f["compatible"]?.value { region.compatible = yaml.strings(v, what: "compatible", path: path) ?? [] }
        if let v = f["notes"]?.value { region.notes = yaml.string(v, what: "notes", path: path) }
        if let v = f["label"]?.value { region.label = readLabel(v, path: path) }
        if let v = f["memreserve"]?.value {
            region.memoryReservation = yaml.boolean(v, what: "memreserve", path: path) ?? false
            if region.memoryReservation && (kind != .reserved || parentPath != "") {
                yaml.error("bad-value", "memreserve applies to top-level reserved regions only", at: v, path: path)
            }
        }
        if let v = f["clip-children"]?.value { region.clipsChildren = yaml.boolean(v, what: "clip-children", path: path) ?? true }
        if let v = f["virtualization"]?.value {
            if yaml.string(v, what: "virtualization", path: path) == "hypervisor" {
                region.hypervisorOnly = true
            } else {
                yaml.error(
                    "bad-value", "virtualization takes the single value 'hypervisor' (reserved for the hypervisor)", at: v, path: path)
            }
        }
        if let v = f["properties"]?.value { region.properties = readProperties(v, path: path) }
        if let v = f["repeat"]?.value { region.repetition = readRepetition(v, region: region, path: path) }
        if let v = f["ranges"]?.value { region.translation = readRanges(v, region: region, path: path) }
        if let v = f["children"]?.value { region.children = readRegions(v, parentPath: path) }
        if kind == .alias { readAlias(f, into: &region, anchor: item, path: path) }
        if kind == .pcie { region.pcie = readPCIe(f, entries: &region.entries, compatible: region.compatible, anchor: item, path: path) }
        return region
    }

    private mutating func rejectKeys(_ f: Fields, notFor kind: RegionKind, path: String) {
        for entry in f.entries where !Self.applies(entry.name, to: kind) {
            yaml.error("bad-value", "'\(entry.name)' does not apply to a region of kind \(kind.rawValue)", at: entry.key, path: path)
        }
    }

    /// Whether a region key may appear on a region of `kind` (the alias and PCIe keys belong
    /// to their kinds; those two kinds take no children or ranges, and PCIe no extent).
    static func applies(_ key: String, to kind: RegionKind) -> Bool {
        switch key {
        case "target", "offset": return kind == .alias
        case "ecam", "bus-range", "windows": return kind == .pcie
        case "children", "ranges": return kind != .alias && kind != .pcie
        case "base", "size", "last", "repeat": return kind != .pcie
        case "reg": return kind != .alias
        default: return true
        }
    }

    private mutating func readCondition(_ node: Node, path: String) -> Condition? {
        guard let text = yaml.string(node, what: "when", path: path) else { return nil }
        do {
            return try Condition(parsing: text)
        } catch {
            var location = yaml.location(node)
            // Point into the condition text when it sits on one line as a plain or quoted scalar.
            if var loc = location, !text.contains("\n") {
                let quoted = node.scalar?.style == .singleQuoted || node.scalar?.style == .doubleQuoted
                loc.column += error.offset + (quoted ? 1 : 0)
                location = loc
            }
            yaml.appendDiagnostic(
                Diagnostic(.error, "condition-syntax", "bad condition '\(text)': \(error.message)", at: location, path: path))
            return nil
        }
    }

    mutating func readProperties(_ node: Node, path: String) -> [Region.Property] {
        guard let mapping = node.mapping else {
            yaml.error("bad-value", "expected a mapping of device-tree properties, found \(yaml.describe(node))", at: node, path: path)
            return []
        }
        var result: [Region.Property] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string, !name.isEmpty else { continue }
            yaml.recordKeyLine("\(path)#properties.\(name)", key.mark.line)
            guard let parsed = readPropertyValue(value, name: name, path: path) else { continue }
            result.append(Region.Property(name: name, value: parsed))
            // Where references were written, to report the ones that name nothing.
            switch parsed {
            case .references(let cells): for r in cells.compactMap(\.reference) { references.append((r, value, path)) }
            case .pathOf(let r): references.append((r, value, path))
            default: break
            }
        }
        return result
    }

    /// A property value by its YAML shape: `true` is empty; numbers are cells; a string is a
    /// string, or a reference when it reads `&label` or `&{/path}`; a list is cells (numbers
    /// and references) or strings; `{bytes|string|strings|cells|path: ...}` says the type.
    private mutating func readPropertyValue(_ node: Node, name: String, path: String) -> Region.Property.Value? {
        switch node.content {
        case .scalar(let s):
            if s.style == .plain && (s.string == "true" || s.string == "yes") { return .empty }
            if s.style == .plain && s.string.isEmpty {
                yaml.error(
                    "bad-value",
                    "property '\(name)' has no value: write true for an empty property, and quote references (\"&gic\")", at: node,
                    path: path)
                return nil
            }
            if s.style == .plain, let n = parseAddress(s.string) { return cells([n], at: node, name: name, path: path) }
            if let r = NodeReference(parsing: s.string) { return .references([.reference(r)]) }
            return .string(s.string)
        case .sequence(let seq):
            if seq.isEmpty { return .cells([]) }
            var items: [Region.Property.Cell] = []
            var texts: [String] = []
            for item in seq {
                guard let scalar = item.scalar else {
                    yaml.error("bad-value", "property '\(name)': list items must be numbers, strings or references", at: item, path: path)
                    return nil
                }
                if scalar.style == .plain, let n = parseAddress(scalar.string) {
                    guard n <= UInt64(UInt32.max) else { return cells([n], at: item, name: name, path: path) }
                    items.append(.number(UInt32(n)))
                } else if let r = NodeReference(parsing: scalar.string) {
                    items.append(.reference(r))
                } else {
                    texts.append(scalar.string)
                }
            }
            if texts.isEmpty {
                let numbers = items.compactMap(\.number)
                return numbers.count == items.count ? .cells(numbers) : .references(items)
            }
            guard items.isEmpty else {
                yaml.error(
                    "bad-value",
                    "property '\(name)' mixes strings with numbers or references; write {strings: [...]} for strings that look like numbers or references",
                    at: node, path: path)
                return nil
            }
            return .strings(texts)
        case .mapping(let m):
            guard m.count == 1, let key = m[0].key.scalar?.string else {
                yaml.error(
                    "bad-value", "property '\(name)': a mapping value must be one of {bytes|string|strings|cells|path: ...}", at: node,
                    path: path)
                return nil
            }
            return explicitValue(key, m[0].value, name: name, path: path)
        }
    }

    /// `{bytes: [...]}`, `{string: ...}`, `{strings: [...]}`, `{cells: [...]}`, `{path: "&x"}`.
    private mutating func explicitValue(_ key: String, _ v: Node, name: String, path: String) -> Region.Property.Value? {
        switch key {
        case "bytes":
            var bytes: [UInt8] = []
            for item in list(v, what: "bytes", path: path) {
                guard let n = yaml.number(item, what: "byte", path: path) else { return nil }
                guard n <= 0xff else {
                    yaml.error("bad-value", "property '\(name)': byte \(hex(n)) does not fit in 8 bits", at: item, path: path)
                    return nil
                }
                bytes.append(UInt8(n))
            }
            return .bytes(bytes)
        case "string":
            return yaml.string(v, what: "property '\(name)'", path: path).map { .string($0) }
        case "strings":
            var strings: [String] = []
            for item in list(v, what: "strings", path: path) {
                guard let s = yaml.string(item, what: "property '\(name)'", path: path) else { return nil }
                strings.append(s)
            }
            return .strings(strings)
        case "cells":
            var values: [UInt64] = []
            for item in list(v, what: "cells", path: path) {
                guard let n = yaml.number(item, what: "cell", path: path) else { return nil }
                values.append(n)
            }
            return cells(values, at: v, name: name, path: path)
        case "path":
            guard let text = yaml.string(v, what: "property '\(name)'", path: path), let r = NodeReference(parsing: text) else {
                yaml.error("bad-value", "property '\(name)': path takes a reference, \"&label\" or \"&{/path}\"", at: v, path: path)
                return nil
            }
            return .pathOf(r)
        default:
            yaml.error(
                "bad-value",
                "property '\(name)': unknown value type '\(key)'"
                    + didYouMeanSuffix(key, among: ["bytes", "string", "strings", "cells", "path"]),
                at: v, path: path)
            return nil
        }
    }

    private mutating func cells(_ values: [UInt64], at node: Node, name: String, path: String) -> Region.Property.Value? {
        guard values.allSatisfy({ $0 <= UInt64(UInt32.max) }) else {
            yaml.error("bad-value", "property '\(name)': cells are 32-bit; split 64-bit values into two cells", at: node, path: path)
            return nil
        }
        return .cells(values.map { UInt32($0) })
    }

    private mutating func readRepetition(_ node: Node, region: Region, path: String) -> Repetition? {
        guard let f = yaml.fields(node, allowed: ["count", "stride"], owner: path + "#repeat", what: "repeat") else { return nil }
        guard let countNode = f["count"]?.value, let strideNode = f["stride"]?.value else {
            yaml.error("missing-key", "repeat needs 'count' and 'stride'", at: node, path: path)
            return nil
        }
        guard let count = yaml.signed(countNode, what: "repeat count", path: path),
            let stride = yaml.number(strideNode, what: "repeat stride", path: path)
        else { return nil }
        guard (1...65536).contains(count) else {
            yaml.error("bad-value", "repeat count must be between 1 and 65536, not \(count)", at: countNode, path: path)
            return nil
        }
        if let range = region.range, count > 1 {
            let (span, o1) = stride.multipliedReportingOverflow(by: UInt64(count - 1))
            if o1 || range.last.addingReportingOverflow(span).overflow {
                yaml.error(
                    "range-overflow", "the last of \(count) copies \(hex(stride)) apart runs past 0xffff_ffff_ffff_ffff", at: strideNode,
                    path: path)
                return nil
            }
        }
        return Repetition(count: count, stride: stride)
    }

    private mutating func readRanges(_ node: Node, region: Region, path: String) -> Translation {
        if let word = node.scalar?.string {
            switch word {
            case "identity": return .identity
            case "none": return .none
            case "relative":
                guard let range = region.range,
                    let w = TranslationWindow(childBase: 0, parentBase: range.base, size: range.sizeMinusOne &+ 1), range.size != nil
                else {
                    yaml.error("bad-value", "'ranges: relative' needs the region's own base and size", at: node, path: path)
                    return .identity
                }
                return .windows([w])
            default:
                var text = "ranges must be identity, none, relative or a list of {child, parent, size} windows, not '\(word)'"
                text += didYouMeanSuffix(word, among: ["identity", "none", "relative"])
                yaml.error("bad-value", text, at: node, path: path)
                return .identity
            }
        }
        var windows: [TranslationWindow] = []
        for (i, item) in list(node, what: "translation windows", path: path).enumerated() {
            guard let f = yaml.fields(item, allowed: ["child", "parent", "size"], owner: "\(path)#ranges[\(i)]", what: "a ranges window")
            else { continue }
            guard let c = f["child"]?.value, let p = f["parent"]?.value, let s = f["size"]?.value else {
                yaml.error("missing-key", "a ranges window needs 'child', 'parent' and 'size'", at: item, path: path)
                continue
            }
            guard let child = yaml.number(c, what: "child address", path: path),
                let parent = yaml.number(p, what: "parent address", path: path),
                let size = yaml.number(s, what: "window size", path: path)
            else { continue }
            guard size > 0 else {
                yaml.error("range-empty", "a ranges window has size 0", at: s, path: path)
                continue
            }
            guard let w = TranslationWindow(childBase: child, parentBase: parent, size: size, location: yaml.location(item)) else {
                yaml.error(
                    "range-overflow", "ranges window [\(hex(child)) -> \(hex(parent)), size \(hex(size))] runs past 0xffff_ffff_ffff_ffff",
                    at: s, path: path)
                continue
            }
            windows.append(w)
        }
        return .windows(windows)
    }

    private mutating func readAlias(_ f: Fields, into region: inout Region, anchor: Node, path: String) {
        guard let t = f["target"]?.value else {
            yaml.error("missing-key", "alias '\(region.name)' needs a 'target' region", at: anchor, path: path)
            return
        }
        guard let target = yaml.string(t, what: "target", path: path) else { return }
        let offset = f["offset"].flatMap { yaml.number($0.value, what: "offset", path: path) } ?? 0
        region.alias = AliasTarget(path: target, offset: offset)
    }

    /// A region's `reg` list: ranges in the parent's space, each `{base, size | last, name}`.
    private mutating func readEntries(_ node: Node, path: String) -> [Region.Entry]? {
        var entries: [Region.Entry] = []
        for (i, item) in list(node, what: "reg entries", path: path).enumerated() {
            guard let f = yaml.fields(item, allowed: ["name", "base", "size", "last"], owner: "\(path)#reg[\(i)]", what: "a reg entry")
            else { return nil }
            guard let range = yaml.range(f, owner: path, what: "reg entry \(i)", anchor: item) else { return nil }
            let name = f["name"].flatMap { yaml.string($0.value, what: "reg entry name", path: path) }
            entries.append(Region.Entry(range: range, name: name))
        }
        return entries
    }

    /// The PCIe host part. The ECAM is `ecam: {base, size}` (appended to the entries), or
    /// `ecam: NAME` or an index naming one of the `reg` entries; without `ecam`, the entry named
    /// `cfg`, `config` or `ecam` (or the one entry of a `pci-host-ecam-generic` host), if any.
    private mutating func readPCIe(_ f: Fields, entries: inout [Region.Entry], compatible: [String], anchor: Node, path: String)
        -> PCIeHost?
    {
        var ecamEntry = PCIeHost.configurationEntry(in: entries, compatible: compatible)
        if let e = f["ecam"]?.value {
            if let text = e.scalar?.string {
                if let i = entries.firstIndex(where: { $0.name == text }) ?? Int(text).flatMap({ entries.indices.contains($0) ? $0 : nil })
                {
                    ecamEntry = i
                } else {
                    yaml.error(
                        "bad-value", "ecam names no reg entry: '\(text)'" + didYouMeanSuffix(text, among: entries.compactMap(\.name)),
                        at: e, path: path)
                }
            } else if let ef = yaml.fields(e, allowed: ["base", "size", "last"], owner: path + "#ecam", what: "ecam"),
                let range = yaml.range(ef, owner: path, what: "the ECAM", anchor: e)
            {
                entries.append(Region.Entry(range: range))
                ecamEntry = entries.count - 1
            }
        }
        let ecam = ecamEntry.map { entries[$0].range }
        var firstBus: UInt8 = 0
        var lastBus: UInt8 = ecam.map { UInt8(clamping: ($0.sizeMinusOne >> 20)) } ?? 0
        if let b = f["bus-range"]?.value {
            let items = list(b, what: "bus numbers", path: path).compactMap { yaml.number($0, what: "bus number", path: path) }
            if items.count == 2, items[0] <= items[1], items[1] <= 255 {
                firstBus = UInt8(items[0])
                lastBus = UInt8(items[1])
            } else {
                yaml.error("bad-value", "bus-range must be [first, last] with first <= last <= 255", at: b, path: path)
            }
        }
        var windows: [PCIeWindow] = []
        if let w = f["windows"]?.value {
            for (i, item) in list(w, what: "PCIe windows", path: path).enumerated() {
                if let window = readPCIeWindow(item, index: i, path: path) { windows.append(window) }
            }
        }
        if entries.isEmpty && windows.isEmpty {
            yaml.error("missing-key", "a pcie region needs an 'ecam', 'reg' or 'windows'", at: anchor, path: path)
        }
        return PCIeHost(ecamEntry: ecamEntry, firstBus: firstBus, lastBus: lastBus, windows: windows)
    }

    private mutating func readPCIeWindow(_ item: Node, index: Int, path: String) -> PCIeWindow? {
        let owner = "\(path)#windows[\(index)]"
        guard
            let f = yaml.fields(
                item, allowed: ["space", "prefetchable", "base", "size", "last", "pci-base"], owner: owner, what: "a PCIe window")
        else { return nil }
        guard let spaceNode = f["space"]?.value, let pciNode = f["pci-base"]?.value else {
            yaml.error("missing-key", "a PCIe window needs 'space', 'base', 'size' and 'pci-base'", at: item, path: path)
            return nil
        }
        let spaces = PCISpace.allCases.filter { $0 != .config }.map(\.rawValue)
        guard let spaceText = yaml.string(spaceNode, what: "space", path: path), let space = PCISpace(rawValue: spaceText), space != .config
        else {
            var text = "PCIe window space must be one of \(spaces.joined(separator: ", "))"
            if let s = spaceNode.scalar?.string { text += didYouMeanSuffix(s, among: spaces) }
            yaml.error("bad-value", text, at: spaceNode, path: path)
            return nil
        }
        let prefetchable = f["prefetchable"].flatMap { yaml.boolean($0.value, what: "prefetchable", path: path) } ?? false
        guard let range = yaml.range(f, owner: path, what: "PCIe window \(index)", anchor: item),
            let pci = yaml.number(pciNode, what: "pci-base", path: path)
        else { return nil }
        if pci.addingReportingOverflow(range.sizeMinusOne).overflow {
            yaml.error(
                "range-overflow", "PCIe window \(index): bus addresses from \(hex(pci)) run past 0xffff_ffff_ffff_ffff", at: pciNode,
                path: path)
            return nil
        }
        return PCIeWindow(space: space, prefetchable: prefetchable, cpuRange: range, pciBase: pci, location: yaml.location(item))
    }
}
