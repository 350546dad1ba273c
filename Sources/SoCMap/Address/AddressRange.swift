/// An inclusive range of 64-bit addresses, `[base, last]`, in one address space.
///
/// A range is never empty and may end at `0xFFFF_FFFF_FFFF_FFFF`; it can even span the
/// whole 64-bit space, whose size (2^64) does not fit in a `UInt64`. For that reason
/// the range stores its inclusive `last` address rather than a size, and every
/// constructor that takes a size checks for zero and for overflow instead of trapping.
public struct AddressRange: Hashable, Sendable, Comparable {
    /// The first address inside the range.
    public let base: UInt64
    /// The last address inside the range (inclusive).
    public let last: UInt64

    /// Creates the range `[base, last]`, or `nil` when `last < base`.
    public init?(base: UInt64, last: UInt64) {
        guard last >= base else { return nil }
        self.base = base
        self.last = last
    }

    /// Creates the range `[base, base + size - 1]`, or `nil` when `size` is zero or the
    /// range would run past `0xFFFF_FFFF_FFFF_FFFF`.
    public init?(base: UInt64, size: UInt64) {
        guard size > 0 else { return nil }
        let (last, overflow) = base.addingReportingOverflow(size - 1)
        guard !overflow else { return nil }
        self.base = base
        self.last = last
    }

    /// The whole 64-bit address space.
    public static let all = AddressRange(uncheckedBase: 0, last: .max)

    init(uncheckedBase base: UInt64, last: UInt64) {
        precondition(base <= last, "AddressRange: base must not exceed last")
        self.base = base
        self.last = last
    }

    /// The number of addresses minus one; always representable, unlike the size itself.
    public var sizeMinusOne: UInt64 { last - base }

    /// The number of addresses, or `nil` for the whole 64-bit space (2^64 does not fit).
    public var size: UInt64? {
        let (size, overflow) = sizeMinusOne.addingReportingOverflow(1)
        return overflow ? nil : size
    }

    /// Whether `address` lies inside the range.
    @inlinable
    public func contains(_ address: UInt64) -> Bool {
        address >= base && address <= last
    }

    /// Whether `other` lies entirely inside this range.
    public func contains(_ other: AddressRange) -> Bool {
        other.base >= base && other.last <= last
    }

    /// Whether the two ranges share at least one address.
    public func overlaps(_ other: AddressRange) -> Bool {
        base <= other.last && other.base <= last
    }

    /// The addresses common to both ranges, or `nil` when they are disjoint.
    public func intersection(_ other: AddressRange) -> AddressRange? {
        AddressRange(base: Swift.max(base, other.base), last: Swift.min(last, other.last))
    }

    /// The smallest range holding both.
    public func span(_ other: AddressRange) -> AddressRange {
        AddressRange(uncheckedBase: Swift.min(base, other.base), last: Swift.max(last, other.last))
    }

    /// Moves the range by a signed displacement expressed as a wrapping 64-bit delta
    /// (`newBase = base &+ delta`), or returns `nil` when the moved range would wrap
    /// around the top or bottom of the address space.
    ///
    /// `forward` tells the direction of the move, which the wrapping delta alone cannot.
    func shifted(by delta: UInt64, forward: Bool) -> AddressRange? {
        if forward {
            let (newLast, overflow) = last.addingReportingOverflow(delta)
            return overflow ? nil : AddressRange(uncheckedBase: base &+ delta, last: newLast)
        } else {
            let back = 0 &- delta
            let (newBase, overflow) = base.subtractingReportingOverflow(back)
            return overflow ? nil : AddressRange(uncheckedBase: newBase, last: last &- back)
        }
    }

    /// Whether `base` is a multiple of `alignment` (a power of two).
    public func isAligned(to alignment: UInt64) -> Bool {
        alignment == 0 || base & (alignment - 1) == 0
    }

    /// The largest power of two that divides the range's size: the natural alignment
    /// of a window of that size. The whole space has natural alignment 2^63 reported as 0.
    public var naturalAlignment: UInt64 {
        guard let size else { return 0 }
        return size & (0 &- size)
    }

    public static func < (lhs: AddressRange, rhs: AddressRange) -> Bool {
        (lhs.base, lhs.last) < (rhs.base, rhs.last)
    }
}

extension AddressRange: CustomStringConvertible {
    /// `[0x8000_0000, 0x8000_0fff]`
    public var description: String { "[\(hex(base)), \(hex(last))]" }
}

/// A linear translation from one address space into another: `out = in + delta` with
/// 64-bit wrapping, plus the direction so that range arithmetic can detect wrap-around.
public struct Displacement: Hashable, Sendable {
    /// `out = in &+ delta`.
    public let delta: UInt64
    /// `true` when the displacement moves addresses up (or not at all).
    public let forward: Bool

    /// The displacement that maps `from` onto `to`.
    public init(from: UInt64, to: UInt64) {
        delta = to &- from
        forward = to >= from
    }

    init(delta: UInt64, forward: Bool) {
        self.delta = delta
        self.forward = forward
    }

    /// No movement.
    public static let identity = Displacement(delta: 0, forward: true)

    /// Applies the displacement to one address (wrapping).
    @inlinable
    public func apply(_ address: UInt64) -> UInt64 { address &+ delta }

    /// The displacement that undoes this one.
    public var inverse: Displacement {
        Displacement(delta: 0 &- delta, forward: delta == 0 ? true : !forward)
    }

    /// This displacement followed by `next`.
    public func then(_ next: Displacement) -> Displacement {
        let delta = delta &+ next.delta
        // Net direction: compare magnitudes as signed moves. Both are at most 2^64-1 apart,
        // so use the wrapping sum and the component directions.
        let forward: Bool
        if self.forward == next.forward {
            forward = self.forward || delta == 0
        } else {
            let up = self.forward ? self.delta : next.delta
            let down = self.forward ? 0 &- next.delta : 0 &- self.delta
            forward = up >= down
        }
        return Displacement(delta: delta, forward: forward)
    }

    /// Applies the displacement to a range, or `nil` if the result would wrap.
    public func apply(_ range: AddressRange) -> AddressRange? {
        range.shifted(by: delta, forward: forward)
    }
}
