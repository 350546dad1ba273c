/// Rules for the names a map gives regions, initiators and switches.
public enum Names {
    /// Whether `name` may name a region: letters, digits and `, . _ + -` (the device-tree
    /// node-name alphabet), an optional `@unit` as in device-tree node names (imported maps
    /// use them), plus `{i}` placeholders for repetitions.
    public static func isValidRegionName(_ name: String) -> Bool {
        var bytes = Array(name.utf8)
        // `{i}` placeholders stand for digits.
        var i = 0
        while i + 2 < bytes.count {
            if bytes[i] == 0x7B, bytes[i + 1] == 0x69, bytes[i + 2] == 0x7D {
                bytes.replaceSubrange(i...(i + 2), with: [0x30])
            }
            i += 1
        }
        let parts = bytes.split(separator: 0x40, maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count <= 2 && parts.allSatisfy { part in !part.isEmpty && part.allSatisfy { isAlphanumeric($0) || $0 == 0x2C || $0 == 0x2E || $0 == 0x5F || $0 == 0x2B || $0 == 0x2D } }
    }

    /// Whether `word` may name a switch, a switch value or an initiator.
    public static func isValidWord(_ word: String) -> Bool {
        !word.isEmpty && word.utf8.allSatisfy { isAlphanumeric($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2B || $0 == 0x2D }
    }

    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }
}
