import SoCMap

/// A small JSON value with a stable, ordered rendering (object keys keep insertion order).
/// Addresses are rendered as `"0x…"` strings: 64-bit values do not survive JSON numbers.
public indirect enum JSON: Hashable, Sendable {
    /// An object; keys keep the order given.
    case object([(String, JSON)])
    /// An array.
    case array([JSON])
    /// A string.
    case string(String)
    /// An integer.
    case int(Int)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null

    /// An address or size as a JSON string, `"0x40000000"`.
    public static func address(_ value: UInt64) -> JSON { .string(compactHex(value)) }

    /// Compact one-line rendering.
    public var compact: String {
        var out = ""
        write(to: &out, indent: nil, level: 0)
        return out
    }

    /// Indented rendering, two spaces per level.
    public var pretty: String {
        var out = ""
        write(to: &out, indent: "  ", level: 0)
        return out
    }

    private func write(to out: inout String, indent: String?, level: Int) {
        let newline = indent == nil ? "" : "\n"
        func pad(_ l: Int) -> String { indent.map { String(repeating: $0, count: l) } ?? "" }
        switch self {
        case .object(let pairs):
            if pairs.isEmpty {
                out += "{}"
                return
            }
            out += "{" + newline
            for (i, (key, value)) in pairs.enumerated() {
                out += pad(level + 1) + Self.quote(key) + (indent == nil ? ":" : ": ")
                value.write(to: &out, indent: indent, level: level + 1)
                out += (i + 1 < pairs.count ? "," : "") + newline
            }
            out += pad(level) + "}"
        case .array(let items):
            if items.isEmpty {
                out += "[]"
                return
            }
            out += "[" + newline
            for (i, item) in items.enumerated() {
                out += pad(level + 1)
                item.write(to: &out, indent: indent, level: level + 1)
                out += (i + 1 < items.count ? "," : "") + newline
            }
            out += pad(level) + "]"
        case .string(let s): out += Self.quote(s)
        case .int(let n): out += String(n)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + paddedHex(UInt64(scalar.value), width: 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    public static func == (a: JSON, b: JSON) -> Bool { a.compact == b.compact }
    public func hash(into hasher: inout Hasher) { hasher.combine(compact) }
}
