/// Rules for the names a map gives regions, initiators and switches.
public enum Names {
    /// Whether `name` may name a region: letters, digits and `, . _ + -` (the device-tree
    /// node-name alphabet), an optional `@unit` as in device-tree node names (imported maps
    /// use them), plus `{i}` placeholders for repetitions.
    public static func isValidRegionName(_ name: String) -> Bool {
        let bare = name.replacingOccurrences(of: "{i}", with: "0")
        let parts = bare.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.allSatisfy { part in
            !part.isEmpty && part.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || ",._+-".contains($0) }
        }
    }

    /// Whether `word` may name a switch, a switch value or an initiator.
    public static func isValidWord(_ word: String) -> Bool {
        !word.isEmpty && word.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || "_.+-".contains($0) }
    }
}
