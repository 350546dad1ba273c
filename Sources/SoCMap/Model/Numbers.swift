/// Parses the numbers people write in maps and on the command line: `0x8000_0000`,
/// `0x80000000`, `4096`, `1_048_576`, `64K`, `1G`, `0x10M`, `4KiB`.
///
/// Returns `nil` for anything else, including values that do not fit in 64 bits.
public func parseAddress(_ text: String) -> UInt64? {
    var utf8 = Array(text.utf8)[...]
    while let f = utf8.first, f == 0x20 || f == 0x09 || f == 0x0A || f == 0x0D { utf8 = utf8.dropFirst() }
    while let l = utf8.last, l == 0x20 || l == 0x09 || l == 0x0A || l == 0x0D { utf8 = utf8.dropLast() }
    guard !utf8.isEmpty else { return nil }
    let start = utf8.startIndex
    let isHex = utf8.count > 1 && utf8[start] == 0x30 && (utf8[start + 1] | 0x20) == 0x78
    // Size suffix: K M G T P (and E for decimal, where it is not a digit), optionally iB / B.
    func isUnit(_ b: UInt8) -> Bool { b == 0x4B || b == 0x4D || b == 0x47 || b == 0x54 || b == 0x50 || b == 0x45 }
    if utf8.count > 3, utf8.last == 0x42, utf8[utf8.endIndex - 2] == 0x69, isUnit(utf8[utf8.endIndex - 3]) {
        utf8 = utf8.dropLast(2)
    } else if utf8.count > 2, utf8.last == 0x42, isUnit(utf8[utf8.endIndex - 2]) {
        utf8 = utf8.dropLast()
    }
    var multiplier: UInt64 = 1
    if utf8.count > 1, let last = utf8.last, isUnit(last), !(isHex && last == 0x45) {
        switch last {
        case 0x4B: multiplier = 1 << 10
        case 0x4D: multiplier = 1 << 20
        case 0x47: multiplier = 1 << 30
        case 0x54: multiplier = 1 << 40
        case 0x50: multiplier = 1 << 50
        default: multiplier = 1 << 60
        }
        utf8 = utf8.dropLast()
    }
    let digits = isHex ? utf8.dropFirst(2) : utf8
    let radix: UInt64 = isHex ? 16 : 10
    guard let first = digits.first, let last = digits.last, first != 0x5F, last != 0x5F else { return nil }
    var value: UInt64 = 0
    var previousUnderscore = false
    for b in digits {
        if b == 0x5F {
            if previousUnderscore { return nil }
            previousUnderscore = true
            continue
        }
        previousUnderscore = false
        let d: UInt64
        switch b {
        case 0x30...0x39: d = UInt64(b - 0x30)
        case 0x61...0x66: d = UInt64(b - 0x61 + 10)
        case 0x41...0x46: d = UInt64(b - 0x41 + 10)
        default: return nil
        }
        guard d < radix else { return nil }
        let (shifted, o1) = value.multipliedReportingOverflow(by: radix)
        let (sum, o2) = shifted.addingReportingOverflow(d)
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
}
