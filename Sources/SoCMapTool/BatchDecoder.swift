import Foundation
import SoCMap

/// `socmap decode MAP -`: one address per line on standard input, one answer per line on
/// standard output, built in byte buffers (millions of lines per second).
///
/// Plain lines: `0x4120_0000 /m-axi-gp0/axi-interconnect/axi_gpio_0 +0x0`; a PCIe window adds
/// the space (`/pcie:io +0x10` is bus address 0x10), ECAM `:config`; `reserved PATH +off`;
/// `unassigned`. JSON lines: `{"address":"0x41200000","status":"decoded","unit":"...","offset":"0x0"}`.
struct BatchDecoder {
    let router: Router
    let json: Bool
    /// Per segment: the bytes between the address and the offset.
    private var labels: [Int: [UInt8]] = [:]
    private(set) var unassigned = 0

    init(router: Router, json: Bool) {
        self.router = router
        self.json = json
    }

    mutating func label(for segment: Int, route: Router.Route) -> [UInt8] {
        if let cached = labels[segment] { return cached }
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
            text = (reserved ? " reserved " : " ") + text + " +"
        }
        let bytes = Array(text.utf8)
        labels[segment] = bytes
        return bytes
    }

    /// Writes and empties the output buffer.
    static func flush(_ output: inout [UInt8]) {
        output.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(1, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
        output.removeAll(keepingCapacity: true)
    }

    /// Decodes every line of standard input. Returns false after reporting a bad line (the
    /// answers before it are written first).
    mutating func run() -> Bool {
        var input = [UInt8](repeating: 0, count: 1 << 20)
        var output: [UInt8] = []
        output.reserveCapacity(1 << 21)
        var pending: [UInt8] = []
        var lineNumber = 0
        while true {
            let n = input.withUnsafeMutableBytes { read(0, $0.baseAddress!, $0.count) }
            if n <= 0 {
                // End of input: a last line without a newline.
                if !pending.isEmpty {
                    lineNumber += 1
                    if !decodeLine(pending[...], into: &output) {
                        Self.flush(&output)
                        reportBad(pending[...], line: lineNumber)
                        return false
                    }
                }
                break
            }
            var start = 0
            for i in 0..<n where input[i] == 0x0A {
                lineNumber += 1
                let line: ArraySlice<UInt8>
                if pending.isEmpty {
                    line = input[start..<i]
                } else {
                    pending += input[start..<i]
                    line = pending[...]
                }
                if !decodeLine(line, into: &output) {
                    Self.flush(&output)
                    reportBad(line, line: lineNumber)
                    return false
                }
                pending.removeAll(keepingCapacity: true)
                start = i + 1
                if output.count > 1 << 20 { Self.flush(&output) }
            }
            pending += input[start..<n]
        }
        Self.flush(&output)
        return true
    }

    func reportBad(_ line: ArraySlice<UInt8>, line number: Int) {
        let text = String(decoding: line, as: UTF8.self)
        printError("<stdin>:\(number): error: bad address '\(text)': expected hex (0x8000_0000), decimal or a size (64K, 1G)")
    }

    /// Decodes one line; blank lines produce nothing. False for a bad address.
    mutating func decodeLine(_ raw: ArraySlice<UInt8>, into out: inout [UInt8]) -> Bool {
        var line = raw
        while let f = line.first, f == 0x20 || f == 0x09 || f == 0x0D { line = line.dropFirst() }
        while let l = line.last, l == 0x20 || l == 0x09 || l == 0x0D { line = line.dropLast() }
        if line.isEmpty { return true }
        guard let address = Self.fastParse(line) ?? parseAddress(String(decoding: line, as: UTF8.self)) else { return false }
        if json {
            out += Array("{\"address\":\"0x".utf8)
            Self.appendHex(address, grouped: false, to: &out)
            out += Array("\",".utf8)
        } else {
            out.append(0x30)
            out.append(0x78)
            Self.appendHex(address, grouped: true, to: &out)
        }
        if let route = router.route(PhysicalAddress(address)) {
            out += label(for: route.segment, route: route)
            if json {
                Self.appendHex(route.offset, grouped: false, to: &out)
                out += Array("\"}\n".utf8)
            } else {
                out.append(0x30)
                out.append(0x78)
                Self.appendHex(route.offset, grouped: true, to: &out)
                out.append(0x0A)
            }
        } else {
            unassigned += 1
            out += json ? Array("\"status\":\"unassigned\"}\n".utf8) : Array(" unassigned\n".utf8)
        }
        return true
    }

    /// Plain hex (`0x…`, `_` allowed) or decimal, without suffixes; `nil` hands over to the
    /// full parser.
    @inline(__always)
    static func fastParse(_ s: ArraySlice<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        var i = s.startIndex
        if s.count > 2, s[i] == 0x30, s[i + 1] | 0x20 == 0x78 {
            i += 2
            var digits = 0
            while i < s.endIndex {
                let c = s[i]
                var d: UInt64
                switch c {
                case 0x30...0x39: d = UInt64(c - 0x30)
                case 0x61...0x66: d = UInt64(c - 0x61 + 10)
                case 0x41...0x46: d = UInt64(c - 0x41 + 10)
                case 0x5F: i += 1; continue
                default: return nil
                }
                if value >> 60 != 0 { return nil }
                value = value << 4 | d
                digits += 1
                i += 1
            }
            return digits > 0 && s.last != 0x5F ? value : nil
        }
        while i < s.endIndex {
            let c = s[i]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (v, o2) = m.addingReportingOverflow(UInt64(c - 0x30))
            if o1 || o2 { return nil }
            value = v
            i += 1
        }
        return value
    }

    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends lowercase hex digits, with `_` every four when `grouped`.
    @inline(__always)
    static func appendHex(_ value: UInt64, grouped: Bool, to out: inout [UInt8]) {
        let count = max(1, (64 - value.leadingZeroBitCount + 3) / 4)
        for k in stride(from: count - 1, through: 0, by: -1) {
            out.append(digits[Int((value >> UInt64(4 * k)) & 0xF)])
            if grouped && k > 0 && k % 4 == 0 { out.append(0x5F) }
        }
    }
}
