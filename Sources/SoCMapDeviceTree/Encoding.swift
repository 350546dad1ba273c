import SoCMap

/// How a region's fields become `reg`, `reg-names`, `ranges` and `status`, and back: one
/// definition for export, which writes them, and import, which reads them and keeps a property
/// as written wherever export would write it differently (so that import → export gives back
/// the same tree).
enum Encoding {
    /// Something odd met while decoding, for import's warnings: a check id and the text.
    struct Issue {
        let checkID: String
        let message: String
    }

    // MARK: reg

    /// `reg` bytes: every entry's address and size in `cells`.
    static func reg(_ entries: [Region.Entry], cells: (Int, Int)) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.count * (cells.0 + cells.1) * 4)
        appendReg(entries, cells: cells, to: &bytes)
        return bytes
    }

    static func appendReg(_ entries: [Region.Entry], cells: (Int, Int), to bytes: inout [UInt8]) {
        for e in entries {
            BigEndian.appendNumber(e.range.base, cells: cells.0, to: &bytes)
            if cells.1 > 0 { BigEndian.appendNumber(e.range.sizeMinusOne &+ 1, cells: cells.1, to: &bytes) }
        }
    }

    /// `reg-names` when some entry is named (the unnamed ones as empty strings).
    static func regNames(_ entries: [Region.Entry]) -> [String]? {
        entries.contains { $0.name != nil } ? entries.map { $0.name ?? "" } : nil
    }

    /// The entries Linux reads from `reg` with `cells`: whole entries only; an entry that is
    /// empty or wraps past 2^64 is skipped; a `#size-cells = 0` level gives one byte per
    /// address. Entry k takes name k of `names`.
    static func entries(reg p: DeviceTree.Property, names: [String]?, cells: (Int, Int), issues: inout [Issue]) -> [Region.Entry] {
        let width = (cells.0 + cells.1) * 4
        guard (1...4).contains(cells.0), width > 0 else { return [] }
        let count = p.count / width
        if p.count == 0 {
            issues.append(Issue(checkID: "reg-format", message: "\(p.name) is empty"))
        } else if p.count % width != 0 {
            issues.append(
                Issue(
                    checkID: "reg-format",
                    message:
                        "\(p.name) is \(p.count) bytes, not a multiple of \(width) ((#address-cells \(cells.0) + #size-cells \(cells.1)) x 4); "
                        + (count == 1 ? "the whole entry is read" : "the \(count) whole entries are read")
                        + " and the rest ignored, as Linux does"))
        }
        if let names, names.count != count, count > 0 {
            issues.append(
                Issue(
                    checkID: "reg-names",
                    message: "reg-names has \(names.count) names for \(count) reg entries; the first \(min(names.count, count)) are used"))
        }
        var result: [Region.Entry] = []
        result.reserveCapacity(count)
        let step = cells.0 + cells.1
        for i in 0..<count {
            let address = p.number(at: i * step, count: cells.0) ?? 0
            let name = names.flatMap { i < $0.count ? $0[i] : nil }
            if cells.1 == 0 {
                result.append(Region.Entry(range: AddressRange(base: address, size: 1)!, name: name))
                continue
            }
            let size = p.number(at: i * step + cells.0, count: cells.1) ?? 0
            guard let range = AddressRange(base: address, size: size) else {
                issues.append(
                    Issue(
                        checkID: "reg-format",
                        message: size == 0
                            ? "reg entry at \(hex(address)) has size 0 (often a placeholder a bootloader fills in); nothing placed"
                            : "reg entry at \(hex(address)) with size \(hex(size)) runs past 2^64; nothing placed"))
                continue
            }
            result.append(Region.Entry(range: range, name: name))
        }
        return result
    }

    // MARK: ranges

    /// `ranges` bytes for `translation` (`nil`: no `ranges`; empty: `ranges;`).
    static func ranges(_ translation: Translation, own: (Int, Int), parent: (Int, Int)) -> [UInt8]? {
        switch translation {
        case .none: return nil
        case .identity: return []
        case .windows(let ws):
            var bytes: [UInt8] = []
            for w in ws {
                BigEndian.appendNumber(w.childRange.base, cells: own.0, to: &bytes)
                BigEndian.appendNumber(w.parentRange.base, cells: parent.0, to: &bytes)
                BigEndian.appendNumber(w.childRange.sizeMinusOne &+ 1, cells: own.1, to: &bytes)
            }
            return bytes
        }
    }

    /// The windows of a non-empty `ranges`: whole entries, the empty or wrapping ones skipped.
    static func windows(_ p: DeviceTree.Property, own: (Int, Int), parent: (Int, Int), issues: inout [Issue]) -> [TranslationWindow] {
        let count = own.0 + parent.0 + own.1
        guard count > 0 else { return [] }
        if p.count % (count * 4) != 0 {
            issues.append(
                Issue(
                    checkID: "ranges-format",
                    message:
                        "ranges is \(p.count) bytes, not a multiple of \(count * 4) ((child #address-cells \(own.0) + parent #address-cells \(parent.0) + #size-cells \(own.1)) x 4); the whole entries are read"
                ))
        }
        var result: [TranslationWindow] = []
        for i in stride(from: 0, to: p.count / 4 - count + 1, by: count) {
            let child = p.number(at: i, count: own.0) ?? 0
            let parentAddress = p.number(at: i + own.0, count: parent.0) ?? 0
            let size = p.number(at: i + own.0 + parent.0, count: own.1) ?? 0
            guard size > 0, let w = TranslationWindow(childBase: child, parentBase: parentAddress, size: size) else {
                issues.append(
                    Issue(
                        checkID: "ranges-format",
                        message:
                            "ranges entry \(i / count) (child \(hex(child)), parent \(hex(parentAddress)), size \(hex(size))) is empty or runs past 2^64; skipped"
                    ))
                continue
            }
            result.append(w)
        }
        return result
    }

    /// A PCI host's 3-cell `ranges`: space code (+ prefetchable), PCI address, CPU address, size.
    static func pciRanges(_ windows: [PCIeWindow], parentAddressCells: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for w in windows {
            BigEndian.appendCell(w.space.physHi | (w.prefetchable ? 0x4000_0000 : 0), to: &bytes)
            BigEndian.appendNumber(w.pciBase, cells: 2, to: &bytes)
            BigEndian.appendNumber(w.cpuRange.base, cells: parentAddressCells, to: &bytes)
            BigEndian.appendNumber(w.cpuRange.sizeMinusOne &+ 1, cells: 2, to: &bytes)
        }
        return bytes
    }

    /// The windows of a PCI host's `ranges`; configuration-space and empty entries skipped.
    static func pciWindows(_ p: DeviceTree.Property, parentAddressCells: Int, issues: inout [Issue]) -> [PCIeWindow] {
        let count = 3 + parentAddressCells + 2
        if p.count % (count * 4) != 0 {
            issues.append(
                Issue(
                    checkID: "ranges-format",
                    message:
                        "PCI ranges is \(p.count) bytes, not a multiple of \(count * 4) ((3 + parent #address-cells \(parentAddressCells) + 2) x 4); the whole entries are read"
                ))
        }
        var windows: [PCIeWindow] = []
        for i in stride(from: 0, to: p.count / 4 - count + 1, by: count) {
            let hi = p.cell(i) ?? 0
            let pci = p.number(at: i + 1, count: 2) ?? 0
            let cpu = p.number(at: i + 3, count: parentAddressCells) ?? 0
            let size = p.number(at: i + 3 + parentAddressCells, count: 2) ?? 0
            let space: PCISpace
            switch (hi >> 24) & 3 {
            case 1: space = .io
            case 2: space = .mem32
            case 3: space = .mem64
            default:
                issues.append(
                    Issue(
                        checkID: "pci-ranges",
                        message: "ranges entry \(i / count) is in configuration space, which never translates; skipped"))
                continue
            }
            guard let cpuRange = AddressRange(base: cpu, size: size), !pci.addingReportingOverflow(size &- 1).overflow else {
                issues.append(Issue(checkID: "pci-ranges", message: "ranges entry \(i / count) is empty or runs past 2^64; skipped"))
                continue
            }
            windows.append(PCIeWindow(space: space, prefetchable: hi & 0x4000_0000 != 0, cpuRange: cpuRange, pciBase: pci))
        }
        return windows
    }

    // MARK: status

    /// Whether a `status` value switches its node off (anything but "okay" or "ok").
    static func isDisabled(_ status: DeviceTree.Property?) -> Bool {
        guard let status else { return false }
        return !(status.isString("okay") || status.isString("ok"))
    }
}
