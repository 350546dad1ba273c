import Foundation
import SoCMap

/// `socmap decode MAP -`: one address per line on standard input, one answer per line on
/// standard output, built in raw byte buffers (millions of lines per second).
///
/// Plain lines: `0x4120_0000 /m-axi-gp0/axi-interconnect/axi_gpio_0 +0x0`; a PCIe window adds
/// the space (`/pcie:io +0x10` is bus address 0x10), ECAM `:config`; `reserved PATH +off`;
/// `unassigned`. JSON lines: `{"address":"0x41200000","status":"decoded","unit":"...","offset":"0x0"}`.
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
        let node = router.tree.nodes[route.unit]
        var text: String
        let reserved = node.region.kind == .reserved && route.target == .region
        switch route.target {
        case .region: text = node.path
        case .pcieConfig: text = node.path + ":config"
        case .pcieWindow(let i): text = node.path + ":" + (node.region.pcie?.windows[i].space.rawValue ?? "?")
        }
        if json {
            text = "\"status\":\"\(reserved ? "reserved" : "decoded")\",\"unit\":" + JSON.string(text).compact + ",\"offset\":\"0x"
        } else {
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
        var lo = 0, hi = raw.count
        while lo < hi, raw[lo] == 0x20 || raw[lo] == 0x09 || raw[lo] == 0x0D { lo += 1 }
        while hi > lo, raw[hi - 1] == 0x20 || raw[hi - 1] == 0x09 || raw[hi - 1] == 0x0D { hi -= 1 }
        if lo == hi { return true }
        let line = UnsafeBufferPointer(rebasing: raw[lo..<hi])
        guard let address = Self.fastParse(line) ?? parseAddress(String(decoding: line, as: UTF8.self)) else { return false }
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
            labelBytes.withUnsafeBufferPointer { out.append(UnsafeBufferPointer(rebasing: $0[Int(span.offset)..<Int(span.offset + span.length)])) }
            out.appendHex(route.offset, grouped: !json)
            if json { out.append(Self.jsonTail) } else { out.append(0x0A) }
        } else {
            unassigned += 1
            out.append(json ? Self.jsonUnassigned : Self.plainUnassigned)
        }
        return true
    }

    /// Plain hex (`0x…`, `_` allowed) or decimal, without suffixes; `nil` hands over to the
    /// full parser.
    @inline(__always)
    static func fastParse(_ s: UnsafeBufferPointer<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        var i = 0
        if s.count > 2, s[0] == 0x30, s[1] | 0x20 == 0x78 {
            i = 2
            var digits = 0
            while i < s.count {
                let c = s[i]
                let d: UInt64
                switch c {
                case 0x30...0x39: d = UInt64(c &- 0x30)
                case 0x61...0x66: d = UInt64(c &- 0x61 &+ 10)
                case 0x41...0x46: d = UInt64(c &- 0x41 &+ 10)
                case 0x5F:
                    i += 1
                    continue
                default: return nil
                }
                if value >> 60 != 0 { return nil }
                value = value << 4 | d
                digits += 1
                i += 1
            }
            return digits > 0 && s[s.count - 1] != 0x5F ? value : nil
        }
        while i < s.count {
            let c = s[i]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (v, o2) = m.addingReportingOverflow(UInt64(c &- 0x30))
            if o1 || o2 { return nil }
            value = v
            i += 1
        }
        return value
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
        let digits = max(1, (64 &- value.leadingZeroBitCount &+ 3) / 4)
        let length = grouped ? digits + (digits - 1) / 4 : digits
        reserve(length)
        var v = value
        var i = count + length
        var written = 0
        repeat {
            if grouped && written > 0 && written & 3 == 0 {
                i -= 1
                base[i] = 0x5F
            }
            let d = UInt8(truncatingIfNeeded: v & 0xF)
            i -= 1
            base[i] = d < 10 ? 0x30 &+ d : 0x57 &+ d
            v >>= 4
            written += 1
        } while written < digits
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
