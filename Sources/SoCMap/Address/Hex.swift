/// Formats an address or size for people: lowercase hex with `_` every four digits,
/// `0x8000_0000`, `0x0`, `0xffff_ffff_ffff_ffff`.
public func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    var out = "0x"
    out.reserveCapacity(digits.count + digits.count / 4 + 2)
    var remaining = digits.count
    for ch in digits {
        out.append(ch)
        remaining -= 1
        if remaining > 0 && remaining % 4 == 0 { out.append("_") }
    }
    return out
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
    let units: [(UInt64, String)] = [(1 << 60, "E"), (1 << 50, "P"), (1 << 40, "T"), (1 << 30, "G"), (1 << 20, "M"), (1 << 10, "K")]
    for (unit, suffix) in units where size >= unit && size % unit == 0 && size / unit < 1024 {
        return "\(size / unit)\(suffix)"
    }
    return hex(size)
}
