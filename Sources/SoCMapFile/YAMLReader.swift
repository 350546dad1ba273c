import SoCMap

/// Reads the typed parts of a composed YAML document, keeping every source position and
/// collecting diagnostics instead of stopping at the first problem.
struct YAMLReader {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []
    /// The source line of every key read, by `owner#key` (`/apb/uart0#size`), for `fmt`.
    private(set) var keyLines: [String: Int] = [:]
    /// Paths of regions written as one-line flow mappings, which `fmt` keeps on one line.
    var flowRegions: Set<String> = []

    /// Whether to remember key lines and flow style (what `fmt` needs, nothing else does).
    let recordLayout: Bool

    init(file: String, recordLayout: Bool) {
        self.file = file
        self.recordLayout = recordLayout
    }

    func location(_ node: Node) -> SourceLocation? {
        SourceLocation(file: file, line: node.mark.line, column: node.mark.column)
    }

    mutating func appendDiagnostic(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    mutating func recordKeyLine(_ key: @autoclosure () -> String, _ line: Int) {
        if recordLayout { keyLines[key()] = line }
    }

    mutating func error(_ id: String, _ message: String, at node: Node?, path: String? = nil) {
        diagnostics.append(Diagnostic(.error, id, message, at: node.flatMap(location), path: path))
    }

    /// A mapping's entries by key, after checking every key against `allowed`.
    mutating func fields(_ node: Node, allowed: [String], owner: String, what: String) -> Fields? {
        guard let mapping = node.mapping else {
            error("bad-value", "expected a mapping for \(what), found \(describe(node))", at: node, path: owner)
            return nil
        }
        var entries: [(name: String, key: Node, value: Node)] = []
        entries.reserveCapacity(mapping.count)
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                error("bad-value", "expected a plain key in \(what)", at: key, path: owner)
                continue
            }
            guard allowed.contains(name) else {
                var text = "unknown key '\(name)' in \(what)"
                text += didYouMeanSuffix(name, among: allowed)
                error("unknown-key", text, at: key, path: owner)
                continue
            }
            if recordLayout { keyLines["\(owner)#\(name)"] = key.mark.line }
            entries.append((name, key, value))
        }
        return Fields(entries: entries)
    }

    func describe(_ node: Node) -> String {
        switch node.content {
        case .scalar(let s): return "'\(s.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    mutating func string(_ node: Node, what: String, path: String?) -> String? {
        guard let s = node.scalar?.string else {
            error("bad-value", "expected a string for \(what), found \(describe(node))", at: node, path: path)
            return nil
        }
        return s
    }

    /// A string or a list of strings.
    mutating func strings(_ node: Node, what: String, path: String?) -> [String]? {
        if let s = node.scalar?.string { return [s] }
        guard let seq = node.sequence else {
            error("bad-value", "expected a string or a list of strings for \(what), found \(describe(node))", at: node, path: path)
            return nil
        }
        var out: [String] = []
        for item in seq {
            guard let s = string(item, what: what, path: path) else { return nil }
            out.append(s)
        }
        return out
    }

    mutating func number(_ node: Node, what: String, path: String?) -> UInt64? {
        guard let text = node.scalar?.string else {
            error("bad-number", "expected a number for \(what), found \(describe(node))", at: node, path: path)
            return nil
        }
        guard let value = parseAddress(text) else {
            error(
                "bad-number",
                "'\(text)' is not a valid \(what): expected hex (0x8000_0000), decimal or a size (64K, 1G) that fits in 64 bits", at: node,
                path: path)
            return nil
        }
        return value
    }

    mutating func signed(_ node: Node, what: String, path: String?) -> Int? {
        guard let text = node.scalar?.string, let value = parseSignedInteger(text) else {
            error("bad-number", "expected a signed decimal integer for \(what), found \(describe(node))", at: node, path: path)
            return nil
        }
        return value
    }

    mutating func boolean(_ node: Node, what: String, path: String?) -> Bool? {
        switch node.scalar?.string {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            error("bad-value", "expected true or false for \(what), found \(describe(node))", at: node, path: path)
            return nil
        }
    }

    /// `base` with `size` or `last`, from the same mapping.
    mutating func range(_ f: Fields, owner: String, what: String, anchor: Node) -> AddressRange? {
        guard let baseNode = f["base"]?.value else {
            error("missing-key", "\(what) needs 'base' and 'size' (or 'last')", at: anchor, path: owner)
            return nil
        }
        guard let base = number(baseNode, what: "base", path: owner) else { return nil }
        switch (f["size"]?.value, f["last"]?.value) {
        case (nil, nil):
            error("missing-key", "\(what) needs 'size' or 'last' beside 'base'", at: anchor, path: owner)
            return nil
        case (.some, .some):
            error("bad-value", "\(what) gives both 'size' and 'last'; keep one", at: f["last"]!.key, path: owner)
            return nil
        case (let sizeNode?, nil):
            guard let size = number(sizeNode, what: "size", path: owner) else { return nil }
            if size == 0 {
                error("range-empty", "\(what) has size 0", at: sizeNode, path: owner)
                return nil
            }
            guard let range = AddressRange(base: base, size: size) else {
                error(
                    "range-overflow", "\(what) at \(hex(base)) with size \(hex(size)) runs past 0xffff_ffff_ffff_ffff", at: sizeNode,
                    path: owner)
                return nil
            }
            return range
        case (nil, let lastNode?):
            guard let last = number(lastNode, what: "last", path: owner) else { return nil }
            guard let range = AddressRange(base: base, last: last) else {
                error("range-empty", "\(what) ends at \(hex(last)), below its base \(hex(base))", at: lastNode, path: owner)
                return nil
            }
            return range
        }
    }
}

/// The entries of a mapping whose keys were checked by `YAMLReader.fields`, looked up by key.
/// (Unknown keys were reported there and match no name a reader asks for.)
struct Fields {
    let entries: [(name: String, key: Node, value: Node)]

    subscript(key: String) -> (key: Node, value: Node)? {
        for e in entries where e.name == key { return (e.key, e.value) }
        return nil
    }
}
