/// The segment before a search slot: its inclusive last address and its index (-1: none).
@usableFromInline
struct SegmentTail: Sendable {
    @usableFromInline var last: UInt64
    @usableFromInline var index: Int

    @inlinable init(last: UInt64, index: Int) {
        self.last = last
        self.index = index
    }
}

/// Segment bases in Eytzinger (breadth-first) order, so that a search touches one cache line
/// per few levels and each comparison feeds index arithmetic instead of a branch (Khuong &
/// Morin, "Array layouts for comparison-based searching").
///
/// Slot `k` (1-based) holds a base; `tails[k]` the segment just before it, so the search ends
/// with one load. `tails[0]` is the last segment (no base above x).
@usableFromInline
struct SegmentSearch: Sendable {
    @usableFromInline let keys: [UInt64]
    @usableFromInline let tails: [SegmentTail]

    init(sortedBases sorted: [UInt64], lasts: [UInt64]) {
        let count = sorted.count
        var keys = [UInt64](repeating: 0, count: count + 1)
        var tails = [SegmentTail](repeating: SegmentTail(last: 0, index: -1), count: count + 1)
        func tail(_ index: Int) -> SegmentTail {
            index >= 0 ? SegmentTail(last: lasts[index], index: index) : SegmentTail(last: 0, index: -1)
        }
        tails[0] = tail(count - 1)
        // In-order walk of the implicit tree assigns sorted positions to slots.
        var slot = 1
        var next = 0
        var stack: [Int] = []
        while slot <= count || !stack.isEmpty {
            while slot <= count {
                stack.append(slot)
                slot *= 2
            }
            slot = stack.removeLast()
            keys[slot] = sorted[next]
            tails[slot] = tail(next - 1)
            next += 1
            slot = 2 * slot + 1
        }
        self.keys = keys
        self.tails = tails
    }

    /// The index of the segment holding `x`, or -1.
    ///
    /// - Complexity: O(log n); allocates nothing.
    @inlinable @inline(__always)
    func segment(holding x: UInt64) -> Int {
        keys.withUnsafeBufferPointer { keys in
            tails.withUnsafeBufferPointer { tails in
                let n = keys.count &- 1
                var i = 1
                while i <= n {
                    // The comparison feeds the index: no data-dependent branch.
                    i = 2 &* i &+ Int(truncatingIfNeeded: (keys[i] <= x).toUInt8)
                }
                i &>>= (~i).trailingZeroBitCount &+ 1
                let t = tails[i]
                // Hits and misses are a coin toss: the answer is index arithmetic, not a select,
                // which LLVM's x86 cmov conversion would turn back into a mispredicted branch.
                let hit = Int(truncatingIfNeeded: (t.index >= 0).toUInt8 & (t.last >= x).toUInt8)
                return (t.index &+ 1) &* hit &- 1
            }
        }
    }
}

extension Bool {
    @inlinable @inline(__always)
    var toUInt8: UInt8 { self ? 1 : 0 }
}
