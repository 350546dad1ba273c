/// An address in one address space, as a typed 64-bit value.
///
/// Deliberately offers no `+` or `-`: moving within a space uses `checkedAdding(_:)` and
/// `offset(from:)`, and moving between spaces goes through a translation that can fail
/// (a bus window, a stage-2 mapping).
public protocol SpaceAddress: RawRepresentable<UInt64>, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Wraps a raw 64-bit value.
    init(_ rawValue: UInt64)
}

extension SpaceAddress {
    /// `self + offset`, or `nil` when that would pass `0xFFFF_FFFF_FFFF_FFFF`.
    public func checkedAdding(_ offset: UInt64) -> Self? {
        let (sum, overflow) = rawValue.addingReportingOverflow(offset)
        return overflow ? nil : Self(sum)
    }

    /// The distance from `base` up to `self`, or `nil` when `base` lies above `self`.
    public func offset(from base: Self) -> UInt64? {
        rawValue >= base.rawValue ? rawValue - base.rawValue : nil
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `0x8000_0000`
    public var description: String { hex(rawValue) }
}

/// An address in an initiator's physical (CPU-visible, host-physical) address space: what a
/// `Router` takes and what stage 2 produces.
public struct PhysicalAddress: SpaceAddress {
    /// The 64-bit address value.
    public let rawValue: UInt64

    /// Wraps a raw 64-bit value.
    @inlinable
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Wraps a raw 64-bit value.
    @inlinable
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
}

/// An address in a guest domain's physical address space (intermediate physical address):
/// what a `GuestRouter` takes. Stage 2 turns it into a `PhysicalAddress`, or faults.
public struct GuestPhysicalAddress: SpaceAddress {
    /// The 64-bit address value.
    public let rawValue: UInt64

    /// Wraps a raw 64-bit value.
    @inlinable
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Wraps a raw 64-bit value.
    @inlinable
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
}
