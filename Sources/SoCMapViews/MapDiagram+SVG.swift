import SoCMap

extension MapDiagram {
    /// Colours by kind and by guest mode.
    static let fills: [(key: String, fill: String)] = [
        ("dram", "#8fc1e3"), ("sram", "#a8d5a2"), ("rom", "#f3d17c"), ("mmio", "#f4a98a"), ("reserved", "#d0d0d0"),
        ("pl-window", "#c9a0dc"), ("bus", "#e4e4e4"), ("pcie", "#9ad0c2"), ("pcie-window", "#9ad0c2"), ("pcie-ecam", "#5fa897"),
        ("alias", "#f7c6d9"), ("direct", "#8fc1e3"), ("translated", "#b9a4e6"), ("emulated", "#f4a98a"), ("passthrough", "#f3d17c"),
    ]
    static func fill(_ key: String) -> String { fills.first { $0.key == key }?.fill ?? "#eeeeee" }

    /// An empty stretch at least this long becomes a break.
    static let breakAt: UInt64 = 0x100_0000
    static let columnWidth = 230
    static let gapWidth = 70
    static let axisWidth = 120

    /// One horizontal band of the picture: the addresses it covers and its height.
    struct Band {
        let base: UInt64
        /// One past the end; `nil` at 2^64.
        let end: UInt64?
        let height: Int
        let isBreak: Bool
    }

    /// The bands: every box edge of every column (and every link end) is a boundary; a band is
    /// 20-64 px by the log of its size, an empty band that long a 26 px break.
    func bands() -> [Band] {
        var cuts = Set<UInt64>()
        var top = false
        func add(_ r: AddressRange) {
            cuts.insert(r.base)
            if r.last == .max { top = true } else { cuts.insert(r.last + 1) }
        }
        for c in columns { for b in c.boxes { add(b.range) } }
        for l in links {
            add(l.from.range)
            add(l.to.range)
        }
        let sorted = cuts.sorted()
        var bands: [Band] = []
        for (i, base) in sorted.enumerated() {
            let end: UInt64? = i + 1 < sorted.count ? sorted[i + 1] : nil
            if end == nil && !top { break }
            let size = (end ?? 0) &- base  // 0 means 2^64 - base wrapped only for the full space
            let probe = AddressRange(base: base, last: (end ?? 0) &- 1)
            let occupied = probe.map { r in columns.contains { c in c.boxes.contains { $0.range.overlaps(r) } } } ?? true
            let bits = size == 0 ? 64 : 64 - size.leadingZeroBitCount
            if !occupied && (size == 0 || size >= Self.breakAt) {
                bands.append(Band(base: base, end: end, height: 26, isBreak: true))
            } else if !occupied {
                bands.append(Band(base: base, end: end, height: 12, isBreak: false))
            } else {
                bands.append(Band(base: base, end: end, height: min(64, max(20, 20 + (bits - 12) * 3)), isBreak: false))
            }
        }
        return bands
    }

    /// The picture.
    public var svg: String {
        let bands = bands()
        let top = 78
        let bottomMargin = 40
        let total = bands.reduce(0) { $0 + $1.height }
        let width = Self.axisWidth + columns.count * Self.columnWidth + max(0, columns.count - 1) * Self.gapWidth + 20
        let legendKeys = Self.fills.map(\.key).filter { k in columns.contains { c in c.boxes.contains { $0.key == k } } }
        let legendRows = (legendKeys.count + 5) / 6
        let height = top + total + bottomMargin + legendRows * 20 + 20
        // y of the bottom edge of band i (addresses grow upward).
        var bottoms: [Int] = []
        var y = top + total
        for b in bands {
            bottoms.append(y)
            y -= b.height
        }
        func index(of address: UInt64) -> Int { bands.firstIndex { $0.base == address } ?? 0 }
        func span(_ r: AddressRange) -> (y: Int, h: Int) {
            let first = index(of: r.base)
            var last = first
            while last + 1 < bands.count, bands[last + 1].base <= r.last { last += 1 }
            let yTop = bottoms[last] - bands[last].height
            return (yTop, bottoms[first] - yTop)
        }
        func x(_ column: Int) -> Int { Self.axisWidth + column * (Self.columnWidth + Self.gapWidth) }
        var out: [String] = [
            ##"<?xml version="1.0" encoding="UTF-8"?>"##,
            ##"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\##(width)" height="\##(height)" viewBox="0 0 \##(width) \##(height)" font-family="sans-serif" font-size="11">"##,
            ##"<rect x="0" y="0" width="\##(width)" height="\##(height)" fill="#ffffff"/>"##,
            ##"<text x="10" y="20" font-size="15" font-weight="bold">\##(Self.xml(title))</text>"##,
            ##"<text x="10" y="38" fill="#555555">\##(Self.xml(subtitle ?? ""))</text>"##,
            ##"<text x="10" y="54" fill="#555555">Not to scale: a band's height grows with the logarithm of its size; ≈ marks an empty stretch cut out.</text>"##,
        ]
        for (i, c) in columns.enumerated() {
            out.append(##"<text x="\##(x(i))" y="\##(top - 8)" font-weight="bold">\##(Self.xml(c.title))</text>"##)
        }
        // Bands to their guest ranges' host ranges, under the boxes.
        for l in links {
            let a = span(l.from.range)
            let b = span(l.to.range)
            let left = x(l.to.column) + Self.columnWidth
            let right = x(l.from.column)
            out.append(
                ##"<polygon points="\##(left),\##(b.y) \##(right),\##(a.y) \##(right),\##(a.y + a.h) \##(left),\##(b.y + b.h)" fill="#b9a4e6" fill-opacity="0.35" stroke="#7a66b8" stroke-width="0.5"/>"##
            )
        }
        for (i, c) in columns.enumerated() {
            for b in c.boxes {
                let s = span(b.range)
                out.append(
                    ##"<rect x="\##(x(i))" y="\##(s.y)" width="\##(Self.columnWidth)" height="\##(s.h)" fill="\##(Self.fill(b.key))" stroke="#333333" stroke-width="0.6"><title>\##(Self.xml("\(b.detail.isEmpty ? b.label : b.detail) \(b.range) · \(b.range.size.map(sizeText) ?? "16E")"))</title></rect>"##
                )
                let name = b.label.count > 34 ? String(b.label.prefix(33)) + "…" : b.label
                let nameY = s.h >= 34 ? s.y + 14 : s.y + s.h / 2 + 4
                out.append(##"<text x="\##(x(i) + 5)" y="\##(nameY)" font-weight="bold">\##(Self.xml(name))</text>"##)
                if s.h >= 34 {
                    let size = b.range.size.map(sizeText) ?? "16E"
                    out.append(##"<text x="\##(x(i) + 5)" y="\##(s.y + 27)" fill="#333333">\##(Self.xml("\(b.range) · \(size)"))</text>"##)
                }
            }
        }
        // The axis: each boundary's address, and the breaks across every column.
        for (i, band) in bands.enumerated() {
            let yBottom = bottoms[i]
            out.append(##"<text x="\##(Self.axisWidth - 8)" y="\##(yBottom + 4)" text-anchor="end">\##(hex(band.base))</text>"##)
            out.append(
                ##"<line x1="\##(Self.axisWidth - 4)" y1="\##(yBottom)" x2="\##(Self.axisWidth)" y2="\##(yBottom)" stroke="#333333"/>"##)
            if band.isBreak {
                let mid = yBottom - band.height / 2
                let size = band.end.map { sizeText($0 - band.base) } ?? "to 2^64"
                out.append(
                    ##"<path d="M \##(Self.axisWidth) \##(mid - 3) l 8 -4 l 8 8 l 8 -8 l 8 8 l 8 -4" fill="none" stroke="#888888"/>"##)
                out.append(##"<text x="\##(Self.axisWidth + 50)" y="\##(mid + 4)" fill="#888888">≈ \##(Self.xml(size)) unassigned</text>"##)
            }
        }
        if let last = bands.last, let end = last.end {
            out.append(##"<text x="\##(Self.axisWidth - 8)" y="\##(top + 4)" text-anchor="end">\##(hex(end))</text>"##)
        }
        // The legend.
        for (k, key) in legendKeys.enumerated() {
            let lx = 10 + (k % 6) * 130
            let ly = top + total + bottomMargin + (k / 6) * 20
            out.append(
                ##"<rect x="\##(lx)" y="\##(ly - 10)" width="14" height="12" fill="\##(Self.fill(key))" stroke="#333333" stroke-width="0.6"/>"##
            )
            out.append(##"<text x="\##(lx + 20)" y="\##(ly)">\##(Self.xml(key))</text>"##)
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// Text for XML (and HTML) content and attribute values.
    static func xml(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
