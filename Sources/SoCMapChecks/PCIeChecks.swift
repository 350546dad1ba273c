import SoCMap

/// Checks about PCIe host bridges and naturally aligned windows.
enum PCIeChecks {
    static func windowAlignment(_ c: CheckContext) -> [Finding] {
        var findings: [Finding] = []
        for node in c.tree.nodes {
            let region = node.region
            var windows: [(String, AddressRange)] = []
            if region.kind.requiresNaturalAlignment, let r = region.range { windows.append(("window", r)) }
            if let host = region.pcie {
                if let e = region.ecam { windows.append(("ECAM", e)) }
                windows += host.windows.map { ("\($0.space.rawValue) window", $0.cpuRange) }
            }
            for (what, r) in windows where !r.isAligned(to: r.naturalAlignment) {
                findings.append(
                    Finding("\(what) \(r) is not aligned to \(hex(r.naturalAlignment)), the natural alignment of its size", region: node.id)
                )
            }
            if let e = region.ecam, !e.isAligned(to: 1 << 20) || (e.size ?? 0) % (1 << 20) != 0 {
                findings.append(Finding("ECAM \(e) must start on and span whole 1 MiB buses", region: node.id))
            }
        }
        return findings
    }

    static func busRange(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.compactMap { node in
            guard let host = node.region.pcie, let ecam = node.region.ecam else { return nil }
            let buses = UInt64(host.lastBus) - UInt64(host.firstBus) + 1
            let expected = buses << 20
            guard ecam.size != expected else { return nil }
            return Finding(
                "ECAM \(ecam) holds \(ecam.sizeMinusOne >> 20 + 1) buses but bus-range [\(host.firstBus), \(host.lastBus)] names \(buses) (1 MiB each)",
                region: node.id)
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
