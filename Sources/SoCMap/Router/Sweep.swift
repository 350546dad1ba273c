/// Sweeps ranges (rank = index, lower wins where they overlap) into sorted,
/// non-overlapping segments, each naming the range that owns it.
///
/// - Complexity: O(n log n).
func sweep(_ ranges: [AddressRange]) -> (bases: [UInt64], lasts: [UInt64], owners: [Int32]) {
    var order = Array(ranges.indices)
    order.sort { ranges[$0].base < ranges[$1].base || (ranges[$0].base == ranges[$1].base && $0 < $1) }
    var bases: [UInt64] = []
    var lasts: [UInt64] = []
    var owners: [Int32] = []
    bases.reserveCapacity(ranges.count)
    lasts.reserveCapacity(ranges.count)
    owners.reserveCapacity(ranges.count)
    var heap = MinHeap()
    var next = 0
    var position: UInt64 = 0
    while next < order.count || !heap.isEmpty {
        if heap.isEmpty { position = ranges[order[next]].base }
        while next < order.count, ranges[order[next]].base <= position {
            heap.push(order[next])
            next += 1
        }
        while let top = heap.min, ranges[top].last < position { heap.popMin() }
        guard let top = heap.min else { continue }
        var end = ranges[top].last
        if next < order.count, ranges[order[next]].base - 1 < end { end = ranges[order[next]].base - 1 }
        if let lastOwner = owners.last, lastOwner == Int32(top), lasts[lasts.count - 1] &+ 1 == position, position != 0 {
            lasts[lasts.count - 1] = end
        } else {
            bases.append(position)
            lasts.append(end)
            owners.append(Int32(top))
        }
        if end == .max { break }
        position = end + 1
    }
    return (bases, lasts, owners)
}

/// The number of sorted segment bases that are `<= address` (the index just past the
/// segment that may hold it).
///
/// - Complexity: O(log n); allocates nothing.
func basesNotAbove(_ address: UInt64, in bases: [UInt64]) -> Int {
    bases.withUnsafeBufferPointer { b in
        var low = 0
        var count = b.count
        while count > 0 {
            let half = count / 2
            if b[low + half] <= address {
                low += half + 1
                count -= half + 1
            } else {
                count = half
            }
        }
        return low
    }
}

/// A binary min-heap of piece ranks.
struct MinHeap {
    private var items: [Int] = []
    var isEmpty: Bool { items.isEmpty }
    var min: Int? { items.first }

    mutating func push(_ value: Int) {
        items.append(value)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[parent] > items[i] else { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func popMin() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var smallest = i
            if l < items.count, items[l] < items[smallest] { smallest = l }
            if r < items.count, items[r] < items[smallest] { smallest = r }
            if smallest == i { break }
            items.swapAt(i, smallest)
            i = smallest
        }
    }
}
