/// Parses the numbers people write in maps and on the command line: `0x8000_0000`,
/// `0x80000000`, `4096`, `1_048_576`, `64K`, `1G`, `0x10M`, `4KiB`.
///
/// Returns `nil` for anything else, including values that do not fit in 64 bits.
public func parseAddress(_ text: some StringProtocol) -> UInt64? {
    var text = String(text)
    return text.withUTF8 { parseAddress(bytes: $0) }
}

/// `parseAddress` on UTF-8 bytes (what batch decoding reads from standard input): the one
/// parser of numbers in the package. Surrounding spaces, tabs and line ends are ignored.
@inlinable
public func parseAddress<Bytes: RandomAccessCollection<UInt8>>(bytes: Bytes) -> UInt64? {
    @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
    // Size suffix: K M G T P (and E for decimal, where it is not a digit), optionally iB / B.
    @inline(__always) func isUnit(_ b: UInt8) -> Bool { b == 0x4B || b == 0x4D || b == 0x47 || b == 0x54 || b == 0x50 || b == 0x45 }
    var start = bytes.startIndex
    var end = bytes.endIndex
    while start < end, isSpace(bytes[start]) { bytes.formIndex(after: &start) }
    while start < end, isSpace(bytes[bytes.index(before: end)]) { bytes.formIndex(before: &end) }
    var count = bytes.distance(from: start, to: end)
    guard count > 0 else { return nil }
    @inline(__always) func at(_ k: Int) -> UInt8 { bytes[bytes.index(start, offsetBy: k)] }
    let isHex = count > 1 && at(0) == 0x30 && (at(1) | 0x20) == 0x78
    // In hex, E and B are digits (`0xEB`), never a unit.
    @inline(__always) func isUnitHere(_ b: UInt8) -> Bool { isUnit(b) && !(isHex && b == 0x45) }
    if count > 3, at(count - 1) == 0x42, at(count - 2) == 0x69, isUnitHere(at(count - 3)) {
        count -= 2
    } else if count > 2, at(count - 1) == 0x42, isUnitHere(at(count - 2)) {
        count -= 1
    }
    var multiplier: UInt64 = 1
    if count > 1, isUnitHere(at(count - 1)) {
        switch at(count - 1) {
        case 0x4B: multiplier = 1 << 10
        case 0x4D: multiplier = 1 << 20
        case 0x47: multiplier = 1 << 30
        case 0x54: multiplier = 1 << 40
        case 0x50: multiplier = 1 << 50
        default: multiplier = 1 << 60
        }
        count -= 1
    }
    let first = isHex ? 2 : 0
    let radix: UInt64 = isHex ? 16 : 10
    guard first < count, at(first) != 0x5F, at(count - 1) != 0x5F else { return nil }
    var value: UInt64 = 0
    var previousUnderscore = false
    for k in first..<count {
        let b = at(k)
        if b == 0x5F {
            if previousUnderscore { return nil }
            previousUnderscore = true
            continue
        }
        previousUnderscore = false
        let d: UInt64
        switch b {
        case 0x30...0x39: d = UInt64(b &- 0x30)
        case 0x61...0x66: d = UInt64(b &- 0x61 &+ 10)
        case 0x41...0x46: d = UInt64(b &- 0x41 &+ 10)
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
