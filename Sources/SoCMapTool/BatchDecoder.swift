import SoCMap
import SoCMapViews

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `socmap decode MAP -`: one address per line on standard input, one answer per line on
/// standard output, built in raw byte buffers (millions of lines per second).
///
/// Plain lines: `0x4120_0000 /m-axi-gp0/axi-interconnect/axi_gpio_0 +0x0`; a PCIe window adds
/// the space (`/pcie:io +0x10` is bus address 0x10), ECAM `:config`, an entry of a unit with
/// several its name or `regN` (`/flash:reg1 +0x10`); `reserved PATH +off`; `unassigned`.
/// JSON lines: `{"address":"0x41200000","status":"decoded","unit":"...","offset":"0x0"}`, with
/// `space` and `entry` where they apply.
struct BatchDecoder {
    let router: Router
    let json: Bool
    /// Per segment: where its label sits in `labelBytes` (offset, length), built on first use.
    private var labelSpans: [(offset: Int32, length: Int32)]
    private var labelBytes: [UInt8] = []
    private(set) var unassigned = 0

    init(router: Router, json: Bool) {
        self.router = router
        self.json = json
        labelSpans = Array(repeating: (-1, 0), count: router.segmentCount)
    }

    // Fixed pieces of the answers, as static strings (no lazy globals on the per-line path).
    static let jsonHead: StaticString = "{\"address\":\"0x"
    static let jsonMiddle: StaticString = "\","
    static let jsonTail: StaticString = "\"}\n"
    static let jsonUnassigned: StaticString = "\"status\":\"unassigned\"}\n"
    static let plainUnassigned: StaticString = " unassigned\n"
    static let plainOffset: StaticString = "0x"

    /// The bytes between the address and the offset for a segment.
    mutating func labelSpan(for segment: Int, route: Router.Route) -> (offset: Int32, length: Int32) {
        let cached = labelSpans[segment]
        if cached.offset >= 0 { return cached }
        let node = router[route.unit]
        var text: String
        let reserved = node.region.kind == .reserved && route.target == .region
        let entries = node.region.entries
        // Which entry, for a unit with several or named ones: its name, else `reg N`.
        let entry =
            route.target == .region && entries.indices.contains(route.entry) && (entries.count > 1 || entries[route.entry].name != nil)
            ? route.entry : nil
        let space: String?
        switch route.target {
        case .region: space = nil
        case .pcieConfig: space = "config"
        case .pcieWindow(let i): space = node.region.pcie?.windows[i].space.rawValue ?? "?"
        }
        if json {
            text =
                "\"status\":\"\(reserved ? "reserved" : "decoded")\",\"unit\":" + JSON.string(node.path).compact
                + (space.map { ",\"space\":\"\($0)\"" } ?? "") + (entry.map { ",\"entry\":\($0)" } ?? "") + ",\"offset\":\"0x"
        } else {
            text = node.path + (space.map { ":" + $0 } ?? "") + (entry.map { ":" + (entries[$0].name ?? "reg\($0)") } ?? "")
            text = (reserved ? " reserved " : " ") + text + " +0x"
        }
        let span = (Int32(labelBytes.count), Int32(text.utf8.count))
        labelBytes += text.utf8
        labelSpans[segment] = span
        return span
    }

    /// Decodes every line of standard input. Returns false after reporting a bad line (the
    /// answers before it are written first).
    mutating func run() -> Bool {
        let inputCapacity = 1 << 20
        let input = UnsafeMutablePointer<UInt8>.allocate(capacity: inputCapacity)
        defer { input.deallocate() }
        var out = OutputBuffer(capacity: 1 << 21)
        defer { out.release() }
        var pending: [UInt8] = []
        var lineNumber = 0
        while true {
            let n = read(0, input, inputCapacity)
            if n <= 0 {
                if !pending.isEmpty {
                    lineNumber += 1
                    let good = pending.withUnsafeBufferPointer { decodeLine($0, into: &out) }
                    if !good {
                        out.flush()
                        reportBad(pending[...], line: lineNumber)
                        return false
                    }
                }
                break
            }
            var start = 0
            while start < n, let hit = memchr(input + start, 0x0A, n - start) {
                let end = input.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                lineNumber += 1
                var good: Bool
                if pending.isEmpty {
                    good = decodeLine(UnsafeBufferPointer(start: input + start, count: end - start), into: &out)
                } else {
                    pending.append(contentsOf: UnsafeBufferPointer(start: input + start, count: end - start))
                    good = pending.withUnsafeBufferPointer { decodeLine($0, into: &out) }
                }
                if !good {
                    out.flush()
                    let bad = pending.isEmpty ? Array(UnsafeBufferPointer(start: input + start, count: end - start))[...] : pending[...]
                    reportBad(bad, line: lineNumber)
                    return false
                }
                if !pending.isEmpty { pending.removeAll(keepingCapacity: true) }
                start = end + 1
                if out.count > 1 << 20 { out.flush() }
            }
            if start < n { pending.append(contentsOf: UnsafeBufferPointer(start: input + start, count: n - start)) }
        }
        out.flush()
        return true
    }

    func reportBad(_ line: ArraySlice<UInt8>, line number: Int) {
        let text = String(decoding: line, as: UTF8.self)
        printError("<stdin>:\(number): error: bad address '\(text)': expected hex (0x8000_0000), decimal or a size (64K, 1G)")
    }

    /// Decodes one line; blank lines produce nothing. False for a bad address.
    @inline(__always)
    mutating func decodeLine(_ raw: UnsafeBufferPointer<UInt8>, into out: inout OutputBuffer) -> Bool {
        var lo = 0
        var hi = raw.count
        while lo < hi, raw[lo] == 0x20 || raw[lo] == 0x09 || raw[lo] == 0x0D { lo += 1 }
        while hi > lo, raw[hi - 1] == 0x20 || raw[hi - 1] == 0x09 || raw[hi - 1] == 0x0D { hi -= 1 }
        if lo == hi { return true }
        let line = UnsafeBufferPointer(rebasing: raw[lo..<hi])
        guard let address = parseAddress(bytes: line) else { return false }
        out.reserve(96)
        if json {
            out.append(Self.jsonHead)
            out.appendHex(address, grouped: false)
            out.append(Self.jsonMiddle)
        } else {
            out.append(Self.plainOffset)
            out.appendHex(address, grouped: true)
        }
        if let route = router.route(PhysicalAddress(address)) {
            let span = labelSpan(for: route.segment, route: route)
            out.reserve(Int(span.length) + 32)
            labelBytes.withUnsafeBufferPointer {
                out.append(UnsafeBufferPointer(rebasing: $0[Int(span.offset)..<Int(span.offset + span.length)]))
            }
            out.appendHex(route.busAddress ?? route.offset, grouped: !json)
            if json { out.append(Self.jsonTail) } else { out.append(0x0A) }
        } else {
            unassigned += 1
            out.append(json ? Self.jsonUnassigned : Self.plainUnassigned)
        }
        return true
    }
}

/// A growable byte buffer written to standard output in large blocks.
struct OutputBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    func release() { base.deallocate() }

    @inline(__always)
    mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: max(capacity * 2, count + extra))
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = max(capacity * 2, count + extra)
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        reserve(bytes.count)
        (base + count).update(from: bytes.baseAddress!, count: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    mutating func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends lowercase hex digits, with `_` every four when `grouped`.
    @inline(__always)
    mutating func appendHex(_ value: UInt64, grouped: Bool) {
        let length = HexDigits.count(value, grouped: grouped)
        reserve(length)
        HexDigits.write(value, grouped: grouped, endingAt: count + length, in: UnsafeMutableBufferPointer(start: base, count: capacity))
        count += length
    }

    /// Writes everything to standard output and empties the buffer.
    mutating func flush() {
        var offset = 0
        while offset < count {
            let n = write(1, base + offset, count - offset)
            if n <= 0 { break }
            offset += n
        }
        count = 0
    }
}
