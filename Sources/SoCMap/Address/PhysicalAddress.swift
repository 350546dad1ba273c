/// An address in an initiator's physical (CPU-visible) address space: what a router takes.
///
/// Deliberately offers no `+` or `-`: moving between spaces goes through a translation
/// window that can fail, and offsets are taken with `offset(from:)`.
public struct PhysicalAddress: RawRepresentable, Hashable, Comparable, Sendable {
    /// The 64-bit address value.
    public let rawValue: UInt64

    /// Wraps a raw 64-bit value.
    @inlinable
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Wraps a raw 64-bit value.
    @inlinable
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// `self + offset`, or `nil` when that would pass `0xFFFF_FFFF_FFFF_FFFF`.
    public func checkedAdding(_ offset: UInt64) -> PhysicalAddress? {
        let (sum, overflow) = rawValue.addingReportingOverflow(offset)
        return overflow ? nil : PhysicalAddress(sum)
    }

    /// The distance from `base` up to `self`, or `nil` when `base` lies above `self`.
    public func offset(from base: PhysicalAddress) -> UInt64? {
        rawValue >= base.rawValue ? rawValue - base.rawValue : nil
    }

    public static func < (lhs: PhysicalAddress, rhs: PhysicalAddress) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension PhysicalAddress: CustomStringConvertible {
    /// `0x8000_0000`
    public var description: String { hex(rawValue) }
}
