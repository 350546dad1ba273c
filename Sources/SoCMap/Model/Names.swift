/// Rules for the names a map gives regions, initiators and switches.
public enum Names {
    /// Whether `byte` belongs to the device-tree node-name alphabet `[0-9a-zA-Z,._+-]` (DT spec
    /// §2.2.1): what region names and exported node names are made of.
    @inlinable
    public static func isNodeNameCharacter(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == 0x2C || byte == 0x2E || byte == 0x5F || byte == 0x2B || byte == 0x2D
    }

    /// Whether `byte` may appear in a device-tree property name: the node-name alphabet plus
    /// `?` and `#` (DT spec §2.2.4).
    @inlinable
    public static func isPropertyNameCharacter(_ byte: UInt8) -> Bool {
        isNodeNameCharacter(byte) || byte == 0x3F || byte == 0x23
    }

    /// Whether `name` may name a region: the node-name alphabet, an optional `@unit` as in
    /// device-tree node names (imported maps use them), plus `{i}` placeholders for repetitions.
    public static func isValidRegionName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            // One optional `@` between two non-empty parts; `{i}` placeholders stand for digits.
            var i = 0
            var partLength = 0
            var ats = 0
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
                } else if isNodeNameCharacter(b) {
                    partLength += 1
                } else {
                    return false
                }
                i += 1
            }
            return partLength > 0
        }
    }

    /// The device-tree node name export gives a region named `name` at unit address `unit`:
    /// the name (characters outside the node-name alphabet replaced by `-`, any `@unit` of its
    /// own dropped), then `@` and the unit address in lowercase hex.
    public static func nodeName(_ name: String, unit: UInt64?) -> String {
        var bytes: [UInt8] = []
        for b in name.utf8 {
            if b == UInt8(ascii: "@") { break }
            bytes.append(isNodeNameCharacter(b) ? b : UInt8(ascii: "-"))
        }
        let base = bytes.isEmpty ? "node" : String(decoding: bytes, as: UTF8.self)
        return unit.map { base + "@" + String($0, radix: 16) } ?? base
    }

    /// Whether `name` is a valid device-tree node name: at least one character of the node-name
    /// alphabet, then an optional `@unit-address` of the same alphabet. (The specification
    /// advises at most 31 characters before the `@`; real trees exceed it and dtc accepts them.)
    @inlinable
    public static func isValidNodeName(_ name: some Collection<UInt8>) -> Bool {
        var base = 0
        var unit = -1
        for b in name {
            if b == 0x40 && unit < 0 {
                unit = 0
                continue
            }
            guard isNodeNameCharacter(b) else { return false }
            if unit < 0 { base += 1 } else { unit += 1 }
        }
        return base >= 1 && unit != 0
    }

    /// Whether `word` may name a switch, a switch value or an initiator.
    public static func isValidWord(_ word: String) -> Bool {
        !word.isEmpty && word.utf8.allSatisfy { isAlphanumeric($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2B || $0 == 0x2D }
    }

    @usableFromInline
    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }
}
