/// A fast reader for the YAML maps are written in: block mappings and sequences, one-line
/// plain, quoted and flow scalars and collections, `|`/`>` block scalars, comments. It fills
/// the same arena libyaml's events do, with the same positions, and gives up (returns `nil`)
/// on anything else: anchors, aliases, tags, directives, multi-line plain or quoted scalars,
/// flow collections over several lines, tabs, CR line ends, escapes beyond `\\ \" \n \t`.
/// The caller then reads the text with libyaml, which also reports every syntax error.
/// libyaml spends about 270 instructions per byte on a map; this reader about a tenth.
struct FastYAML {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var pos = 0
    private var line = 1
    private var lineStart = 0
    private(set) var records: [YAMLDocument.Record] = []
    private(set) var children: [Int32] = []
    private(set) var text: [UInt8] = []
    private(set) var root: Int32 = -1
    /// Children of the collections being read, innermost last (one stack, not an array per
    /// collection).
    private var pending: [Int32] = []

    /// Thrown to give up; the text is then read by libyaml.
    private struct GiveUp: Error {}

    /// The arena for `bytes`, or `nil` when the text is outside this reader's subset.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>) -> FastYAML? {
        // Characters that make YAML more than this reader knows: tabs, CR, other controls,
        // NEL/LS/PS line breaks, a byte-order mark.
        var previous: UInt8 = 0, beforePrevious: UInt8 = 0
        for b in bytes {
            if b < 0x20 && b != 0x0A { return nil }
            if b == 0x7F { return nil }
            if beforePrevious == 0xE2 && previous == 0x80 && (b == 0xA8 || b == 0xA9) { return nil }
            if previous == 0xC2 && b == 0x85 { return nil }
            if beforePrevious == 0xEF && previous == 0xBB && b == 0xBF { return nil }
            beforePrevious = previous
            previous = b
        }
        var reader = FastYAML(bytes: bytes)
        reader.records.reserveCapacity(bytes.count / 8)
        reader.children.reserveCapacity(bytes.count / 8)
        reader.text.reserveCapacity(bytes.count / 2)
        do {
            try reader.document()
        } catch {
            return nil
        }
        return reader
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    // MARK: Lines

    private var atEnd: Bool { pos >= bytes.count }

    private func byte(_ at: Int) -> UInt8 { at < bytes.count ? bytes[at] : 0x0A }

    /// libyaml's column: characters (not bytes) from the line start, 1-based.
    private func column(_ at: Int) -> Int32 {
        var count: Int32 = 1
        for i in lineStart..<at where bytes[i] & 0xC0 != 0x80 { count += 1 }
        return count
    }

    /// Moves to the start of the next line.
    private mutating func nextLine() {
        while pos < bytes.count && bytes[pos] != 0x0A { pos += 1 }
        if pos < bytes.count { pos += 1 }
        line += 1
        lineStart = pos
    }

    /// Skips blank and comment-only lines; leaves `pos` at the first content byte of the next
    /// content line (or the end) and returns its indentation.
    private mutating func nextContent() throws(GiveUp) -> Int? {
        while !atEnd {
            var p = lineStart
            while byte(p) == 0x20 { p += 1 }
            if p >= bytes.count { pos = p; return nil }
            if bytes[p] == 0x0A || bytes[p] == UInt8(ascii: "#") {
                pos = p
                nextLine()
                continue
            }
            // Document markers and directives belong to libyaml.
            if p == lineStart && (bytes[p] == UInt8(ascii: "%") || startsMarker(p)) { throw GiveUp() }
            pos = p
            return p - lineStart
        }
        return nil
    }

    private func startsMarker(_ p: Int) -> Bool {
        let c = byte(p)
        guard (c == UInt8(ascii: "-") || c == UInt8(ascii: ".")) && byte(p + 1) == c && byte(p + 2) == c else { return false }
        let after = byte(p + 3)
        return after == 0x20 || after == 0x0A
    }

    /// After a value: only spaces and a comment may remain on the line.
    private mutating func endOfLine() throws(GiveUp) {
        var sawSpace = false
        while byte(pos) == 0x20 {
            pos += 1
            sawSpace = true
        }
        if byte(pos) == UInt8(ascii: "#") && sawSpace || byte(pos) == 0x0A {
            nextLine()
            return
        }
        throw GiveUp()
    }

    // MARK: Records

    private mutating func scalar<C: Collection<UInt8>>(_ start: Int, _ value: C, style: YAMLDocument.ScalarStyle) -> Int32 {
        let index = Int32(records.count)
        let at = Int32(text.count)
        text.append(contentsOf: value)
        records.append(YAMLDocument.Record(kind: .scalar, style: style.rawValue, line: Int32(line), column: column(start), start: at, count: Int32(value.count)))
        return index
    }

    private mutating func open(_ kind: YAMLDocument.Kind, flow: Bool, at start: Int) -> Int32 {
        records.append(YAMLDocument.Record(kind: kind, style: flow ? 1 : 0, line: Int32(line), column: column(start), start: 0, count: 0))
        return Int32(records.count - 1)
    }

    /// Ends collection `index`, whose children are `pending[first...]`.
    private mutating func close(_ index: Int32, from first: Int) throws(GiveUp) {
        let items = pending.count - first
        if records[Int(index)].kind == .mapping && items > 2 {
            // Duplicate keys are an error libyaml's path reports.
            if items <= 32 {
                for a in stride(from: first, to: pending.count, by: 2) {
                    for b in stride(from: a + 2, to: pending.count, by: 2) where sameText(pending[a], pending[b]) { throw GiveUp() }
                }
            } else {
                var seen = Set<ArraySlice<UInt8>>()
                for k in stride(from: first, to: pending.count, by: 2) {
                    let r = records[Int(pending[k])]
                    if !seen.insert(text[Int(r.start)..<Int(r.start + r.count)]).inserted { throw GiveUp() }
                }
            }
        }
        records[Int(index)].start = Int32(children.count)
        records[Int(index)].count = Int32(records[Int(index)].kind == .mapping ? items / 2 : items)
        children.append(contentsOf: pending[first...])
        pending.removeSubrange(first...)
    }

    private func sameText(_ a: Int32, _ b: Int32) -> Bool {
        let ra = records[Int(a)], rb = records[Int(b)]
        guard ra.count == rb.count else { return false }
        for i in 0..<Int(ra.count) where text[Int(ra.start) + i] != text[Int(rb.start) + i] { return false }
        return true
    }

    // MARK: Block structure

    private mutating func document() throws(GiveUp) {
        guard let indent = try nextContent() else { return }
        root = try blockNode(indent: indent)
        if try nextContent() != nil { throw GiveUp() }
    }

    /// A block sequence or mapping whose first content is at `pos`, indented `indent`.
    private mutating func blockNode(indent: Int) throws(GiveUp) -> Int32 {
        if isDash(pos) { return try blockSequence(indent: indent) }
        if keyEnd(pos) != nil { return try blockMapping(indent: indent) }
        throw GiveUp()
    }

    private func isDash(_ p: Int) -> Bool { byte(p) == UInt8(ascii: "-") && (byte(p + 1) == 0x20 || byte(p + 1) == 0x0A) }

    /// Where a plain key starting at `p` ends (at its `:`), if the line holds `key:`.
    private func keyEnd(_ p: Int) -> Int? {
        guard startsPlain(p, flow: false) else { return nil }
        var q = p
        while true {
            let c = byte(q)
            if c == 0x0A { return nil }
            if c == UInt8(ascii: ":") && (byte(q + 1) == 0x20 || byte(q + 1) == 0x0A) { return q }
            if c == 0x20 && byte(q + 1) == UInt8(ascii: "#") { return nil }
            q += 1
        }
    }

    private mutating func blockMapping(indent: Int) throws(GiveUp) -> Int32 {
        let mapping = open(.mapping, flow: false, at: pos)
        let first = pending.count
        while true {
            guard let colon = keyEnd(pos) else { throw GiveUp() }
            var end = colon
            while end > pos && bytes[end - 1] == 0x20 { end -= 1 }
            let keyStart = pos
            pending.append(scalar(keyStart, bytes[keyStart..<end], style: .plain))
            pos = colon + 1
            while byte(pos) == 0x20 { pos += 1 }
            if byte(pos) == 0x0A || byte(pos) == UInt8(ascii: "#") && bytes[pos - 1] == 0x20 {
                // The value is a block on the following lines: deeper, or a sequence at the
                // same indentation.
                nextLine()
                guard let next = try nextContent(), next > indent || next == indent && isDash(pos) else { throw GiveUp() }
                pending.append(try blockNode(indent: next))
            } else {
                pending.append(try inlineValue(parentIndent: indent))
            }
            guard let next = try nextContent(), next >= indent else { break }
            if next > indent { throw GiveUp() }
            if isDash(pos) { break }
        }
        try close(mapping, from: first)
        return mapping
    }

    private mutating func blockSequence(indent: Int) throws(GiveUp) -> Int32 {
        let sequence = open(.sequence, flow: false, at: pos)
        let first = pending.count
        while true {
            pos += 1
            while byte(pos) == 0x20 { pos += 1 }
            if byte(pos) == 0x0A || byte(pos) == UInt8(ascii: "#") {
                nextLine()
                guard let next = try nextContent(), next > indent else { throw GiveUp() }
                pending.append(try blockNode(indent: next))
            } else if isDash(pos) {
                throw GiveUp()
            } else if keyEnd(pos) != nil {
                // A mapping that starts on the dash's line: its keys line up with the first.
                pending.append(try blockMapping(indent: pos - lineStart))
            } else {
                pending.append(try inlineValue(parentIndent: indent))
            }
            guard let next = try nextContent(), next >= indent else { break }
            if next > indent { throw GiveUp() }
            if !isDash(pos) { break }
        }
        try close(sequence, from: first)
        return sequence
    }

    /// A value that starts on the current line, after a key or a dash.
    private mutating func inlineValue(parentIndent: Int) throws(GiveUp) -> Int32 {
        let c = byte(pos)
        if c == UInt8(ascii: "|") || c == UInt8(ascii: ">") { return try blockScalar(parentIndent: parentIndent) }
        let value = try flowOrScalar(flow: false)
        try endOfLine()
        return value
    }

    // MARK: Scalars and flow collections

    /// Whether a plain scalar may start at `p`.
    private func startsPlain(_ p: Int, flow: Bool) -> Bool {
        let c = byte(p)
        switch c {
        case 0x0A, 0x20, UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "#"),
            UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "'"),
            UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"):
            return false
        case UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"):
            // In flow context libyaml always reads `?` and `:` as key and value indicators.
            if flow && c != UInt8(ascii: "-") { return false }
            let n = byte(p + 1)
            return !(n == 0x20 || n == 0x0A || flow && (n == UInt8(ascii: ",") || n == UInt8(ascii: "[") || n == UInt8(ascii: "]") || n == UInt8(ascii: "{") || n == UInt8(ascii: "}")))
        default:
            return true
        }
    }

    private mutating func flowOrScalar(flow: Bool) throws(GiveUp) -> Int32 {
        switch byte(pos) {
        case UInt8(ascii: "["): return try flowSequence()
        case UInt8(ascii: "{"): return try flowMapping()
        case UInt8(ascii: "\""): return try doubleQuoted()
        case UInt8(ascii: "'"): return try singleQuoted()
        default: return try plain(flow: flow)
        }
    }

    private mutating func plain(flow: Bool) throws(GiveUp) -> Int32 {
        guard startsPlain(pos, flow: flow) else { throw GiveUp() }
        let start = pos
        var end = pos
        while true {
            let c = byte(pos)
            if c == 0x0A { break }
            if c == UInt8(ascii: ":") {
                let n = byte(pos + 1)
                if n == 0x20 || n == 0x0A { break }
                if flow && (n == UInt8(ascii: ",") || n == UInt8(ascii: "?") || n == UInt8(ascii: "[") || n == UInt8(ascii: "]") || n == UInt8(ascii: "{") || n == UInt8(ascii: "}")) { throw GiveUp() }
            }
            if flow && (c == UInt8(ascii: ",") || c == UInt8(ascii: "[") || c == UInt8(ascii: "]") || c == UInt8(ascii: "{") || c == UInt8(ascii: "}")) { break }
            if c == 0x20 {
                if byte(pos + 1) == UInt8(ascii: "#") { break }
            } else {
                end = pos + 1
            }
            pos += 1
        }
        // In block context a `key: value` pair here would be a nested mapping: not ours.
        if !flow && byte(pos) == UInt8(ascii: ":") { throw GiveUp() }
        pos = end
        return scalar(start, bytes[start..<end], style: .plain)
    }

    private mutating func singleQuoted() throws(GiveUp) -> Int32 {
        let start = pos
        pos += 1
        var value: [UInt8] = []
        while true {
            let c = byte(pos)
            if c == 0x0A { throw GiveUp() }
            if c == UInt8(ascii: "'") {
                if byte(pos + 1) == UInt8(ascii: "'") {
                    value.append(c)
                    pos += 2
                    continue
                }
                pos += 1
                break
            }
            value.append(c)
            pos += 1
        }
        return scalar(start, value[...], style: .singleQuoted)
    }

    private mutating func doubleQuoted() throws(GiveUp) -> Int32 {
        let start = pos
        pos += 1
        var value: [UInt8] = []
        while true {
            let c = byte(pos)
            if c == 0x0A { throw GiveUp() }
            if c == UInt8(ascii: "\"") {
                pos += 1
                break
            }
            if c == UInt8(ascii: "\\") {
                switch byte(pos + 1) {
                case UInt8(ascii: "\\"): value.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\""): value.append(UInt8(ascii: "\""))
                case UInt8(ascii: "n"): value.append(0x0A)
                case UInt8(ascii: "t"): value.append(0x09)
                default: throw GiveUp()
                }
                pos += 2
                continue
            }
            value.append(c)
            pos += 1
        }
        return scalar(start, value[...], style: .doubleQuoted)
    }

    private mutating func skipFlowSpaces() {
        while byte(pos) == 0x20 { pos += 1 }
    }

    /// After a flow item: `,` then more, or the closing bracket; `true` when closed.
    private mutating func flowSeparator(_ closing: UInt8) throws(GiveUp) -> Bool {
        skipFlowSpaces()
        if byte(pos) == closing {
            pos += 1
            return true
        }
        guard byte(pos) == UInt8(ascii: ",") else { throw GiveUp() }
        pos += 1
        skipFlowSpaces()
        // A trailing comma is legal YAML, but rare enough to leave to libyaml.
        if byte(pos) == closing { throw GiveUp() }
        return false
    }

    private mutating func flowSequence() throws(GiveUp) -> Int32 {
        let sequence = open(.sequence, flow: true, at: pos)
        pos += 1
        skipFlowSpaces()
        let first = pending.count
        if byte(pos) == UInt8(ascii: "]") {
            pos += 1
        } else {
            while true {
                pending.append(try flowOrScalar(flow: true))
                skipFlowSpaces()
                // `[a: b]` is a one-pair mapping inside the sequence.
                if byte(pos) == UInt8(ascii: ":") { throw GiveUp() }
                if try flowSeparator(UInt8(ascii: "]")) { break }
            }
        }
        try close(sequence, from: first)
        return sequence
    }

    private mutating func flowMapping() throws(GiveUp) -> Int32 {
        let mapping = open(.mapping, flow: true, at: pos)
        pos += 1
        skipFlowSpaces()
        let first = pending.count
        if byte(pos) == UInt8(ascii: "}") {
            pos += 1
        } else {
            while true {
                guard startsPlain(pos, flow: true) else { throw GiveUp() }
                pending.append(try plain(flow: true))
                skipFlowSpaces()
                guard byte(pos) == UInt8(ascii: ":"), byte(pos + 1) == 0x20 else { throw GiveUp() }
                pos += 2
                skipFlowSpaces()
                let c = byte(pos)
                if c == UInt8(ascii: ",") || c == UInt8(ascii: "}") { throw GiveUp() }
                pending.append(try flowOrScalar(flow: true))
                if try flowSeparator(UInt8(ascii: "}")) { break }
            }
        }
        try close(mapping, from: first)
        return mapping
    }

    /// `|`, `|-`, `>` or `>-` and the more-indented lines below.
    private mutating func blockScalar(parentIndent: Int) throws(GiveUp) -> Int32 {
        let start = pos, startLine = line
        let literal = byte(pos) == UInt8(ascii: "|")
        pos += 1
        var strip = false
        if byte(pos) == UInt8(ascii: "-") {
            strip = true
            pos += 1
        }
        let headerColumn = column(start)
        try endOfLine()
        // The content's indentation is its first line's, which must be deeper than the parent
        // and come first (leading empty lines have their own rules).
        var p = lineStart
        while byte(p) == 0x20 { p += 1 }
        let indent = p - lineStart
        guard p < bytes.count, bytes[p] != 0x0A, indent > parentIndent else { throw GiveUp() }
        var lines: [Slice<UnsafeBufferPointer<UInt8>>] = []
        var emptyBefore: [Int] = []
        var empty = 0
        while !atEnd {
            var q = lineStart
            while byte(q) == 0x20 { q += 1 }
            var lineEnd = q
            while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            if q == lineEnd {
                // An empty line; spaces beyond the indentation would be content.
                if q - lineStart > indent { throw GiveUp() }
                empty += 1
                pos = lineEnd
                nextLine()
                continue
            }
            if q - lineStart < indent { break }
            if q - lineStart > indent && !literal { throw GiveUp() }
            lines.append(bytes[(lineStart + indent)..<lineEnd])
            emptyBefore.append(empty)
            empty = 0
            pos = lineEnd
            nextLine()
        }
        // Trailing empty lines are dropped by both chomping modes used here.
        var value: [UInt8] = []
        for (i, l) in lines.enumerated() {
            if i > 0 {
                if literal {
                    value.append(contentsOf: repeatElement(0x0A, count: emptyBefore[i] + 1))
                } else if emptyBefore[i] == 0 {
                    value.append(0x20)
                } else {
                    value.append(contentsOf: repeatElement(0x0A, count: emptyBefore[i]))
                }
            }
            value.append(contentsOf: l)
        }
        if !strip { value.append(0x0A) }
        let index = Int32(records.count)
        let at = Int32(text.count)
        text.append(contentsOf: value)
        records.append(YAMLDocument.Record(kind: .scalar, style: (literal ? YAMLDocument.ScalarStyle.literal : .folded).rawValue,
                                           line: Int32(startLine), column: headerColumn, start: at, count: Int32(value.count)))
        // `pos` and `line` already stand on the first line after the block.
        pos = lineStart
        return index
    }
}
