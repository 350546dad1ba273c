/// Rules for the names a map gives regions, initiators and switches.
public enum Names {
    /// Whether `name` may name a region: letters, digits and `, . _ + -` (the device-tree
    /// node-name alphabet), an optional `@unit` as in device-tree node names (imported maps
    /// use them), plus `{i}` placeholders for repetitions.
    public static func isValidRegionName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            // One optional `@` between two non-empty parts; `{i}` placeholders stand for digits.
            var i = 0, partLength = 0, ats = 0
            while i < bytes.count {
                let b = bytes[i]
                if b == 0x7B && i + 2 < bytes.count && bytes[i + 1] == 0x69 && bytes[i + 2] == 0x7D {
                    i += 3
                    partLength += 1
                    continue
                }
                if b == 0x40 {
                    guard partLength > 0, ats == 0 else { return false }
                    ats += 1
                    partLength = 0
                } else if isAlphanumeric(b) || b == 0x2C || b == 0x2E || b == 0x5F || b == 0x2B || b == 0x2D {
                    partLength += 1
                } else {
                    return false
                }
                i += 1
            }
            return partLength > 0
        }
    }

    /// Whether `word` may name a switch, a switch value or an initiator.
    public static func isValidWord(_ word: String) -> Bool {
        !word.isEmpty && word.utf8.allSatisfy { isAlphanumeric($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2B || $0 == 0x2D }
    }

    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }
}
