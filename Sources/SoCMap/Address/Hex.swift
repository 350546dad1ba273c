/// Formats an address or size for people: lowercase hex with `_` every four digits,
/// `0x8000_0000`, `0x0`, `0xffff_ffff_ffff_ffff`.
public func hex(_ value: UInt64) -> String {
    // Written right to left into the string's own storage: this runs for every address
    // `fmt`, `import` and `show` print.
    let digits = value == 0 ? 1 : (67 - value.leadingZeroBitCount) / 4
    let count = 2 + digits + (digits - 1) / 4
    return String(unsafeUninitializedCapacity: count) { buffer in
        buffer[0] = UInt8(ascii: "0")
        buffer[1] = UInt8(ascii: "x")
        var v = value, at = count - 1
        for i in 0..<digits {
            if i > 0 && i % 4 == 0 {
                buffer[at] = UInt8(ascii: "_")
                at -= 1
            }
            let d = UInt8(truncatingIfNeeded: v & 0xF)
            buffer[at] = d < 10 ? 0x30 + d : 0x57 + d
            at -= 1
            v >>= 4
        }
        return count
    }
}

/// Formats `value` as exactly `width` lowercase hex digits with no prefix, the way QEMU's
/// `info mtree` (`%016x`) and `/proc/iomem` (`%08x`, wider when needed) print addresses.
public func paddedHex(_ value: UInt64, width: Int) -> String {
    let digits = String(value, radix: 16)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

/// Formats a size with a binary suffix when it is an exact multiple below 1024 of the unit
/// (`64K`, `1G`, `1023M`), otherwise as hex (`0x2eff_0000`). The canonical form `socmap fmt` writes.
public func sizeText(_ size: UInt64) -> String {
    var shift: UInt64 = 60
    for suffix in ["E", "P", "T", "G", "M", "K"] as [StaticString] {
        let unit: UInt64 = 1 << shift
        if size >= unit && size & (unit - 1) == 0 && size >> shift < 1024 { return String(size >> shift) + suffix.description }
        shift -= 10
    }
    return hex(size)
}
