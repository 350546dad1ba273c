/// Ranges sorted by base with a running maximum of their ends, to find every range holding an
/// address without looking at the others: the ranges that start at or below the address are
/// a prefix, and walking that prefix backwards stops where no earlier range reaches far enough.
struct StabbingIndex: Sendable {
    private let order: [Int32]
    private let bases: [UInt64]
    private let lasts: [UInt64]
    private let reach: [UInt64]

    /// Indexes `ranges`; `stab` answers with positions in this array.
    init(_ ranges: [AddressRange]) {
        let order = ranges.indices.sorted { ranges[$0].base < ranges[$1].base || (ranges[$0].base == ranges[$1].base && $0 < $1) }
        self.order = order.map { Int32($0) }
        bases = order.map { ranges[$0].base }
        lasts = order.map { ranges[$0].last }
        var reach: [UInt64] = []
        reach.reserveCapacity(order.count)
        var furthest: UInt64 = 0
        for i in order {
            furthest = max(furthest, ranges[i].last)
            reach.append(furthest)
        }
        self.reach = reach
    }

    /// The positions of every range that holds `address`, in no particular order.
    ///
    /// - Complexity: O(log n + k) where k ranges start below the address and reach past it
    ///   (or lie between such ranges).
    func stab(_ address: UInt64) -> [Int] {
        var i = basesNotAbove(address, in: bases) - 1
        var found: [Int] = []
        while i >= 0, reach[i] >= address {
            if lasts[i] >= address { found.append(Int(order[i])) }
            i -= 1
        }
        return found
    }
}
