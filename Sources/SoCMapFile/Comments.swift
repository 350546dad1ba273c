/// The comments of a YAML text, attached to source lines so that `fmt` can put them back:
/// a block of comment lines belongs to the next line with content, a trailing comment to
/// its own line.
struct CommentIndex {
    /// Comment lines (without indentation) that precede a content line.
    private(set) var leading: [Int: [String]] = [:]
    /// The trailing comment on a content line.
    private(set) var trailing: [Int: String] = [:]
    /// Content lines preceded by a blank line (before their comment block, if any).
    private(set) var blankBefore: Set<Int> = []
    /// Comments after the last content line.
    private(set) var tail: [String] = []

    init(text: String) {
        var pending: [String] = []
        var sawBlank = false
        var sawContent = false
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = i + 1
            let trimmed = raw.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed == "\r" {
                if pending.isEmpty { sawBlank = sawContent }
                continue
            }
            if trimmed.hasPrefix("#") {
                pending.append(String(trimmed).trimmingTrailingSpace)
                continue
            }
            sawContent = true
            if !pending.isEmpty { leading[line] = pending }
            if sawBlank { blankBefore.insert(line) }
            pending = []
            sawBlank = false
            if let comment = Self.trailingComment(in: Substring(raw)) { trailing[line] = comment }
        }
        tail = pending
    }

    /// The `# ...` part of a content line, outside quotes.
    static func trailingComment(in line: Substring) -> String? {
        var quote: Character?
        var previous: Character = " "
        for index in line.indices {
            let c = line[index]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                if previous == " " || previous == "[" || previous == "{" || previous == ":" || previous == "," { quote = c }
            } else if c == "#" && (previous == " " || previous == "\t") {
                return String(line[index...]).trimmingTrailingSpace
            }
            previous = c
        }
        return nil
    }
}

extension String {
    var trimmingTrailingSpace: String {
        var s = Substring(self)
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
