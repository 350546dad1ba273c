import SoCMap

/// What kind of running-system text a file holds, judged by its first lines.
public enum RunningSystemText: Sendable, Equatable {
    /// QEMU's `info mtree -f`: flat views, one per group of address spaces.
    case qemuFlatView
    /// QEMU's `info mtree` without `-f` (the region tree), which socmap does not read.
    case qemuTree
    /// Linux's `/proc/iomem`.
    case procIOMem

    /// The kind of `text`, or `nil` when it looks like neither (a map, a device tree).
    ///
    /// A flat view has a `FlatView #N` header or a `(prio N, type): name` line; a tree has an
    /// `address-space:` header; `/proc/iomem` lines are `start-last : name`.
    public static func recognise(_ text: String) -> RunningSystemText? {
        var checked = 0
        for line in text.split(whereSeparator: \.isNewline) {
            let body = TextLine.withoutMonitorPrompt(line)
            if body.hasPrefix("FlatView #") { return .qemuFlatView }
            if body.hasPrefix("address-space:") { return .qemuTree }
            if TextLine.hexRange(body.drop { $0 == " " }) != nil {
                if body.contains(" (prio ") { return .qemuFlatView }
                if body.contains(" : ") { return .procIOMem }
            }
            checked += 1
            if checked > 40 { break }
        }
        return nil
    }
}

/// Pieces of the line formats both readers share.
enum TextLine {
    /// A line without a leading `(qemu) ` monitor prompt (a monitor on stdio prints it before
    /// the first line of each answer).
    static func withoutMonitorPrompt(_ line: Substring) -> Substring {
        var body = line
        while body.hasPrefix("(qemu) ") { body = body.dropFirst(7) }
        if body.hasSuffix("\r") { body = body.dropLast() }
        return body
    }

    /// An input error at `file:line:col` with the reader's check id.
    static func error(_ checkID: String, _ message: String, _ file: String, _ line: Int, _ column: Int) -> MapInputError {
        MapInputError([Diagnostic(.error, checkID, message, at: SourceLocation(file: file, line: line, column: column))])
    }

    /// `start-last` in hex at the start of `text` (no `0x`), with what follows it.
    static func hexRange(_ text: Substring) -> (base: UInt64, last: UInt64, rest: Substring)? {
        guard let dash = text.firstIndex(of: "-") else { return nil }
        let first = text[..<dash]
        let afterDash = text[text.index(after: dash)...]
        let second = afterDash.prefix { $0.isHexDigit }
        guard let base = hexValue(first), let last = hexValue(second) else { return nil }
        return (base, last, afterDash[second.endIndex...])
    }

    /// A run of 1 to 16 hex digits as a number; `nil` for anything else.
    static func hexValue(_ digits: Substring) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 16, digits.allSatisfy(\.isHexDigit) else { return nil }
        return UInt64(digits, radix: 16)
    }

    /// A region name made of the device-tree node-name alphabet and at most one `@`: every
    /// other character becomes `-` (runs of them one `-`), so `System RAM` is `System-RAM`
    /// and `pl011@9000000` stays as it is.
    static func regionName(_ text: some StringProtocol) -> String {
        var bytes: [UInt8] = []
        for b in text.utf8 {
            if Names.isNodeNameCharacter(b) || (b == UInt8(ascii: "@") && !bytes.isEmpty && !bytes.contains(b)) {
                bytes.append(b)
            } else if bytes.last != UInt8(ascii: "-") {
                bytes.append(UInt8(ascii: "-"))
            }
        }
        while bytes.last == UInt8(ascii: "-") || bytes.last == UInt8(ascii: "@") { bytes.removeLast() }
        while bytes.first == UInt8(ascii: "-") { bytes.removeFirst() }
        return bytes.isEmpty ? "unnamed" : String(decoding: bytes, as: UTF8.self)
    }

    /// Names made unique among siblings: a name used more than once gets `@` and the
    /// region's base in hex on every use (`virtio-mmio@a000200`), as device-tree unit
    /// addresses do (a name that has an `@` already gets `-N`).
    static func uniqueNames(_ regions: inout [Region]) {
        var uses: [String: Int] = [:]
        for r in regions { uses[r.name, default: 0] += 1 }
        var taken = Set<String>()
        for i in regions.indices where uses[regions[i].name, default: 0] > 1 {
            let original = regions[i].name
            let base = regions[i].range.map { String($0.base, radix: 16) } ?? "\(i)"
            var n = 1
            func candidate() -> String {
                if original.contains("@") { return original + "-\(n)" }
                return n == 1 ? original + "@" + base : original + "-\(n)@" + base
            }
            var name = candidate()
            while taken.contains(name) {
                n += 1
                name = candidate()
            }
            taken.insert(name)
            regions[i].name = name
        }
    }

    /// The file name without folders and extension, as a map name.
    static func mapName(for path: String) -> String {
        var name = Substring(path.split(separator: "/").last ?? "running")
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { name = name[..<dot] }
        return regionName(name)
    }
}
