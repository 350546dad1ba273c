/// Formats an address or size for people: lowercase hex with `_` every four digits,
/// `0x8000_0000`, `0x0`, `0xffff_ffff_ffff_ffff`.
public func hex(_ value: UInt64) -> String {
    let count = 2 + HexDigits.count(value, grouped: true)
    return String(unsafeUninitializedCapacity: count) { buffer in
        buffer[0] = UInt8(ascii: "0")
        buffer[1] = UInt8(ascii: "x")
        HexDigits.write(value, grouped: true, endingAt: count, in: buffer)
        return count
    }
}

/// Formats `value` as `0x` and lowercase hex digits without separators, `0x80000000`: how JSON
/// outputs, blob offsets and dtc's messages print numbers.
public func compactHex(_ value: UInt64) -> String { "0x" + paddedHex(value, width: 1) }

/// Formats `value` as at least `width` lowercase hex digits with no prefix, the way QEMU's
/// `info mtree` (`%016x`) and `/proc/iomem` (`%08x`, wider when needed) print addresses.
public func paddedHex(_ value: UInt64, width: Int) -> String {
    let count = max(width, HexDigits.count(value, grouped: false))
    return String(unsafeUninitializedCapacity: count) { buffer in
        HexDigits.write(value, grouped: false, endingAt: count, in: buffer, minimumDigits: count)
        return count
    }
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

/// The one routine that turns numbers into lowercase hex digits, for every writer in the
/// package (`hex`, node unit addresses, batch decode answers).
package enum HexDigits {
    /// The characters `write` produces for `value`: its significant digits, plus a `_`
    /// between every group of four when `grouped`.
    @inlinable
    package static func count(_ value: UInt64, grouped: Bool) -> Int {
        let digits = max(1, (64 &- value.leadingZeroBitCount &+ 3) / 4)
        return grouped ? digits + (digits - 1) / 4 : digits
    }

    /// Writes the digits of `value` right to left so that the last one lands just before
    /// `end` in `buffer`, zero-padded to `minimumDigits` (ungrouped only); returns where the
    /// first character went.
    @inlinable @discardableResult
    package static func write(
        _ value: UInt64, grouped: Bool, endingAt end: Int, in buffer: UnsafeMutableBufferPointer<UInt8>, minimumDigits: Int = 1
    ) -> Int {
        let digits = max(minimumDigits, max(1, (64 &- value.leadingZeroBitCount &+ 3) / 4))
        var v = value
        var i = end
        var written = 0
        repeat {
            if grouped && written > 0 && written & 3 == 0 {
                i -= 1
                buffer[i] = UInt8(ascii: "_")
            }
            let d = UInt8(truncatingIfNeeded: v & 0xF)
            i -= 1
            buffer[i] = d < 10 ? 0x30 &+ d : 0x57 &+ d
            v >>= 4
            written += 1
        } while written < digits
        return i
    }
}
