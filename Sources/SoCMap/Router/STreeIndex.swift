/// An implicit static B-tree ("S-tree") over the segment bases: nodes of 8 keys, one 64-byte
/// cache line each, 9 children per node. Large maps pay one cache miss per level and 7 levels
/// reach a million segments, where a binary layout without prefetching pays ~20. Within a node
/// the number of keys `<= x` is a branch-free count that picks the child.
@usableFromInline
struct STreeLayout {
    @usableFromInline static let width = 8
    /// Node `k` holds keys `k*8 ..< k*8+8`, padded with `UInt64.max`.
    @usableFromInline let keys: UnsafeMutablePointer<UInt64>
    /// For each key slot: the segment just before that key (its last address and index).
    @usableFromInline let tails: UnsafeMutablePointer<SegmentTail>
    @usableFromInline let nodes: Int
    @usableFromInline let count: Int
    /// The last segment: the answer when every base is `<= x`.
    @usableFromInline let lastTail: SegmentTail

    init(sortedBases sorted: [UInt64], lasts: [UInt64]) {
        let w = Self.width
        count = sorted.count
        nodes = max((count + w - 1) / w, 1)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: nodes * w * 8, alignment: 64)
        keys = raw.bindMemory(to: UInt64.self, capacity: nodes * w)
        tails = .allocate(capacity: nodes * w)
        keys.initialize(repeating: .max, count: nodes * w)
        // Padding slots carry Int.min, real keys the index of the segment before them (-1: none).
        tails.initialize(repeating: SegmentTail(last: 0, index: Int.min), count: nodes * w)
        lastTail = count > 0 ? SegmentTail(last: lasts[count - 1], index: count - 1) : SegmentTail(last: 0, index: -1)
        // In-order fill: node k's child j is k*(w+1) + j + 1.
        var next = 0
        func fill(_ k: Int) {
            guard k < nodes else { return }
            for j in 0..<w {
                fill(k * (w + 1) + j + 1)
                if next < count {
                    keys[k * w + j] = sorted[next]
                    tails[k * w + j] = next > 0 ? SegmentTail(last: lasts[next - 1], index: next - 1) : SegmentTail(last: 0, index: -1)
                    next += 1
                }
            }
            fill(k * (w + 1) + w + 1)
        }
        fill(0)
    }

    func deallocate() {
        UnsafeMutableRawPointer(keys).deallocate()
        tails.deallocate()
    }

    /// The index of the segment holding `x`, or -1.
    ///
    /// - Complexity: O(log n) with about log9(n) cache lines touched; allocates nothing.
    @inlinable @inline(__always)
    func segment(holding x: UInt64) -> Int {
        let w = Self.width
        var k = 0
        var slot = -1
        while k < nodes {
            let node = keys + k &* w
            // Keys <= x in this node; padding (UInt64.max) counts only when x is UInt64.max.
            var c = 0
            for j in 0..<8 { c &+= Int(truncatingIfNeeded: (node[j] <= x).toUInt8) }
            // node[c] is the first key > x here; deeper levels only find smaller ones.
            if c < w { slot = k &* w &+ c }
            k = k &* (w &+ 1) &+ c &+ 1
        }
        // A padding slot is no successor: fall back to the last segment.
        let t = slot >= 0 && tails[slot].index != Int.min ? tails[slot] : lastTail
        let hit = Int(truncatingIfNeeded: (t.index >= 0).toUInt8 & (t.last >= x).toUInt8)
        return (t.index &+ 1) &* hit &- 1
    }
}
