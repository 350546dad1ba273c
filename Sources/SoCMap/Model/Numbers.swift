/// Parses the numbers people write in maps and on the command line: `0x8000_0000`,
/// `0x80000000`, `4096`, `1_048_576`, `64K`, `1G`, `0x10M`, `4KiB`.
///
/// Returns `nil` for anything else, including values that do not fit in 64 bits.
public func parseAddress(_ text: String) -> UInt64? {
    var s = Substring(text.trimmingSpaces)
    guard !s.isEmpty else { return nil }
    var multiplier: UInt64 = 1
    let isHex = s.hasPrefix("0x") || s.hasPrefix("0X")
    // Size suffix: K M G T P (and E for decimal, where it is not a digit), optionally iB / B.
    for tail in ["iB", "B"] where s.count > tail.count + 1 && s.hasSuffix(tail) {
        let before = s.dropLast(tail.count)
        if let last = before.last, "KMGTPE".contains(last) { s = before }
        break
    }
    if let last = s.last, s.count > 1 {
        let suffixes: [Character: UInt64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40, "P": 1 << 50, "E": 1 << 60]
        if let m = suffixes[last], !(isHex && last == "E") {
            multiplier = m
            s = s.dropLast()
        }
    }
    let digits: Substring
    let radix: UInt64
    if isHex {
        digits = s.dropFirst(2)
        radix = 16
    } else {
        digits = s
        radix = 10
    }
    guard !digits.isEmpty, digits.first != "_", digits.last != "_", !digits.contains("__") else { return nil }
    var value: UInt64 = 0
    for ch in digits where ch != "_" {
        guard let d = ch.hexDigitValue, UInt64(d) < radix else { return nil }
        let (shifted, o1) = value.multipliedReportingOverflow(by: radix)
        let (sum, o2) = shifted.addingReportingOverflow(UInt64(d))
        guard !o1, !o2 else { return nil }
        value = sum
    }
    let (result, overflow) = value.multipliedReportingOverflow(by: multiplier)
    return overflow ? nil : result
}

/// Parses a signed decimal integer (`-1`, `+2`, `10`) for priorities and small counts.
public func parseSignedInteger(_ text: String) -> Int? {
    let s = text.trimmingSpaces
    if s.hasPrefix("+") { return Int(s.dropFirst()) }
    return Int(s)
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }

    func contains(_ other: String) -> Bool {
        Substring(self).range(of: other) != nil
    }
}
