import SoCMap

/// Checks about PCIe host bridges and naturally aligned windows.
enum PCIeChecks {
    static func windowAlignment(_ c: CheckContext) -> [Finding] {
        var findings: [Finding] = []
        for node in c.tree.nodes {
            let region = node.region
            // PCIe outbound windows need no natural alignment (Linux and the controllers' address
            // translation take any); an FPGA window's AXI decoder and an ECAM's bus bits do.
            let dt = c.map.overlapRule == .deviceTree
            var windows: [(String, AddressRange)] = []
            if region.kind.requiresNaturalAlignment, let r = region.range { windows.append(("window", r)) }
            if region.pcie != nil, let e = region.ecam { windows.append(("ECAM", e)) }
            for (what, r) in windows where !r.isAligned(to: r.naturalAlignment) {
                findings.append(
                    Finding(
                        "\(what) \(r) is not aligned to \(hex(r.naturalAlignment)), the natural alignment of its size"
                            + (dt && what == "ECAM" ? " (Linux takes it as it is: bus n at base + n MiB)" : ""), region: node.id,
                        severity: dt && what == "ECAM" ? .warning : nil))
            }
            if let e = region.ecam, !e.isAligned(to: 1 << 20) || (e.size ?? 0) % (1 << 20) != 0 {
                findings.append(
                    Finding("ECAM \(e) must start on and span whole 1 MiB buses", region: node.id, severity: dt ? .warning : nil))
            }
        }
        return findings
    }

    /// An ECAM that does not hold exactly the buses of `bus-range`. In a device tree: smaller,
    /// Linux clips the bus range (a warning); larger, the rest is unused (a note).
    static func busRange(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.compactMap { node in
            guard let host = node.region.pcie, let ecam = node.region.ecam else { return nil }
            let buses = UInt64(host.lastBus) - UInt64(host.firstBus) + 1
            let expected = buses << 20
            guard ecam.size != expected else { return nil }
            let held = ecam.sizeMinusOne >> 20 + 1
            let text =
                "ECAM \(ecam) holds \(held) bus\(held == 1 ? "" : "es") but bus-range [\(host.firstBus), \(host.lastBus)] names \(buses) (1 MiB each)"
            guard c.map.overlapRule == .deviceTree else { return Finding(text, region: node.id) }
            if held < buses {
                let last = UInt64(host.firstBus) + held - 1
                return Finding(
                    text
                        + "; Linux reduces the bus range to [bus \(paddedHex(UInt64(host.firstBus), width: 2))-\(paddedHex(last, width: 2))] and says so",
                    region: node.id, severity: .warning)
            }
            return Finding(text + "; the ECAM beyond the last bus goes unused", region: node.id, severity: .note)
        }
    }

    static func windowOverlaps(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.flatMap { node -> [Finding] in
            guard let host = node.region.pcie else { return [] }
            let named =
                (node.region.ecam.map { [("ECAM", $0)] } ?? [])
                + host.windows.enumerated().map { ("\($1.space.rawValue) window \($0)", $1.cpuRange) }
            var out: [Finding] = []
            for i in named.indices {
                for j in named.indices where j > i && named[i].1.overlaps(named[j].1) {
                    out.append(Finding("\(named[j].0) \(named[j].1) overlaps \(named[i].0) \(named[i].1)", region: node.id))
                }
            }
            return out
        }
    }
}
