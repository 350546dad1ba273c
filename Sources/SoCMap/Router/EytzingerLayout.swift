/// Sorted keys stored in Eytzinger (breadth-first) order so that a search touches one cache
/// line per few levels and turns each comparison into index arithmetic instead of a branch
/// (Khuong & Morin, "Array layouts for comparison-based searching").
///
/// Slot `k` (1-based) holds a key; `previous[k]` holds the sorted index of the key just before
/// it, so the search for "the last key <= x" ends with one load. `previous[0]` is the last
/// index (no key above x).
struct EytzingerLayout: Sendable {
    private let keys: [UInt64]
    private let previous: [Int32]

    init(sorted: [UInt64]) {
        var keys = [UInt64](repeating: 0, count: sorted.count + 1)
        var previous = [Int32](repeating: -1, count: sorted.count + 1)
        previous[0] = Int32(sorted.count) - 1
        // In-order walk of the implicit tree assigns sorted positions to slots.
        var slot = 1, next = 0
        var stack: [Int] = []
        while slot <= sorted.count || !stack.isEmpty {
            while slot <= sorted.count {
                stack.append(slot)
                slot *= 2
            }
            slot = stack.removeLast()
            keys[slot] = sorted[next]
            previous[slot] = Int32(next) - 1
            next += 1
            slot = 2 * slot + 1
        }
        self.keys = keys
        self.previous = previous
    }

    /// The sorted index of the last key `<= x`, or -1.
    ///
    /// - Complexity: O(log n); allocates nothing.
    @inline(__always)
    func lastNotAbove(_ x: UInt64) -> Int {
        keys.withUnsafeBufferPointer { k in
            let n = k.count - 1
            var i = 1
            while i <= n {
                // The comparison feeds the index: no data-dependent branch.
                i = 2 &* i &+ Int(truncatingIfNeeded: (k[i] <= x).toUInt8)
            }
            i &>>= (~i).trailingZeroBitCount &+ 1
            return previous.withUnsafeBufferPointer { Int($0[i]) }
        }
    }
}

extension Bool {
    @inline(__always)
    var toUInt8: UInt8 { self ? 1 : 0 }
}
