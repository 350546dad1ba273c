import Floor
import SoCMap

/// A flat map of `n` segments with gaps about as large as the segments, so that uniform
/// probes land in a gap about half the time.
func flatMap(segments n: Int, seed: UInt64) -> AddressMap {
    var rng = Rng(seed: seed)
    var regions: [Region] = []
    regions.reserveCapacity(n)
    var base: UInt64 = 0x1000
    for i in 0..<n {
        let size = 0x100 + (rng.next() % 0x1000)
        regions.append(Region(name: "r\(i)", kind: .mmio, range: AddressRange(base: base, size: size)!))
        base += size + 0x100 + (rng.next() % 0x1000)
    }
    return AddressMap(name: "flat-\(n)", regions: regions)
}

/// SplitMix64: deterministic probes across runs.
struct Rng {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A run-time zero the optimizer cannot see through: chained probes XOR the previous answer
/// masked with it, so each lookup waits for the one before (latency).
nonisolated(unsafe) var dependencyMask: UInt64 = 0

struct RouteResult {
    let n: Int
    var swiftThroughput: Double = 0  // lookups/s
    var swiftLatency: Double = 0  // ns/lookup
    var branchFreeThroughput: Double = 0
    var branchFreeLatency: Double = 0
    var eytzingerThroughput: Double = 0
    var eytzingerLatency: Double = 0
    var allocationsPerLookup: Double = 0
    var buildSeconds: Double = 0
    var hitRate: Double = 0
}

extension Bool {
    @inline(__always) var toHit: UInt8 { self ? 1 : 0 }
}

@inline(never)
func swiftRoute(_ router: Router, _ probes: UnsafeBufferPointer<UInt64>, chained: Bool) -> UInt64 {
    var hits: UInt64 = 0
    if chained {
        var carry: UInt64 = 0
        let mask = dependencyMask
        for p in probes {
            let a = p ^ (carry & mask)
            if let s = router.segmentIndex(of: PhysicalAddress(a)) {
                hits &+= 1
                carry = UInt64(truncatingIfNeeded: s)
            } else {
                carry = .max
            }
        }
    } else {
        // Counted without a branch, like the C floor (`hits += hit`): hits are a coin toss.
        for p in probes {
            hits &+= UInt64((router.segmentIndex(of: PhysicalAddress(p)) != nil).toHit)
        }
    }
    return hits
}

func benchmarkRoute(n: Int, probes count: Int, repeats: Int) -> RouteResult {
    var result = RouteResult(n: n)
    let map = flatMap(segments: n, seed: UInt64(n))
    let started = now()
    let router = try! Router(map: map)
    result.buildSeconds = now() - started
    let segments = router.segments
    let bases = segments.map(\.range.base)
    let lasts = segments.map(\.range.last)
    let span = (lasts.last ?? 0) + 0x1000
    var rng = Rng(seed: 42)
    let probes = (0..<count).map { _ in rng.next() % span }
    var eyt = [UInt64](repeating: 0, count: bases.count + 1)
    var prev = [Int64](repeating: 0, count: bases.count + 1)
    floor_eytzinger_build(bases, bases.count, &eyt, &prev)

    probes.withUnsafeBufferPointer { p in
        let c = Double(count)
        // The variants run interleaved, one round each per repeat, so that drift in the machine's
        // speed (a shared VM) affects them alike; medians over the rounds.
        var times = [[Double]](repeating: [], count: 6)
        var hits = [UInt64](repeating: 0, count: 6)
        var mallocs: UInt64 = 0
        for _ in 0..<repeats {
            let variants: [() -> UInt64] = [
                { swiftRoute(router, p, chained: false) },
                { swiftRoute(router, p, chained: true) },
                { floor_run_branchfree(bases, lasts, bases.count, p.baseAddress, count, 0, dependencyMask) },
                { floor_run_branchfree(bases, lasts, bases.count, p.baseAddress, count, 1, dependencyMask) },
                { floor_run_eytzinger(eyt, prev, lasts, bases.count, p.baseAddress, count, 0, dependencyMask) },
                { floor_run_eytzinger(eyt, prev, lasts, bases.count, p.baseAddress, count, 1, dependencyMask) },
            ]
            for (v, body) in variants.enumerated() {
                let before = floor_malloc_calls()
                let t = now()
                hits[v] = body()
                times[v].append(now() - t)
                if v == 0 { mallocs += floor_malloc_calls() - before }
            }
        }
        precondition(hits[2] == hits[0] && hits[4] == hits[0], "the C floors disagree with the router")
        result.allocationsPerLookup = Double(mallocs) / (c * Double(repeats))
        result.hitRate = Double(hits[0]) / c
        result.swiftThroughput = c / median(times[0])
        result.swiftLatency = median(times[1]) / c * 1e9
        result.branchFreeThroughput = c / median(times[2])
        result.branchFreeLatency = median(times[3]) / c * 1e9
        result.eytzingerThroughput = c / median(times[4])
        result.eytzingerLatency = median(times[5]) / c * 1e9
    }
    return result
}
