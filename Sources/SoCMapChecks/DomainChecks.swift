import SoCMap

/// Isolation checks on guest domains (Xen dom0less rules and what a hypervisor engineer
/// expects of a partitioned address space).
public enum DomainChecks {
    /// All domain checks, in report order.
    public static let all: [Check] = [
        Check(
            id: "domain-entry", severity: .error,
            doc: "a domain entry names no host region, a slice outside it, or an undeclared initiator", run: entries),
        Check(
            id: "domain-shared-range", severity: .error, doc: "one host range is mapped into two domains and not both entries say shared",
            run: sharedRanges),
        Check(
            id: "domain-hypervisor-range", severity: .error, doc: "a domain reaches a host range reserved for the hypervisor",
            run: hypervisorRanges),
        Check(
            id: "domain-dma-iommu", severity: .error, doc: "a DMA-capable passthrough device in an untrusted domain without an IOMMU",
            run: dmaWithoutIOMMU),
        Check(
            id: "domain-direct-mismatch", severity: .error, doc: "a direct entry whose guest address differs from its host address",
            run: directMismatch),
        Check(
            id: "domain-direct-map-static", severity: .error, doc: "direct-map without static memory (Xen refuses such a domain)",
            run: directMapStatic),
        Check(
            id: "domain-direct-map-entry", severity: .error, doc: "a translated entry in a direct-map domain, where guest must equal host",
            run: directMapEntries),
        Check(
            id: "domain-passthrough-alignment", severity: .error,
            doc: "passthrough host or guest address or size not 4 KiB aligned (xen,reg)", run: passthroughAlignment),
        Check(id: "domain-ram-over-trap", severity: .error, doc: "guest RAM overlaps a trapped (emulated) window", run: ramOverTrap),
        Check(
            id: "domain-address-bits", severity: .error, doc: "a guest entry reaches above the guest's address-bits", run: guestAddressBits),
        Check(id: "domain-entry-overlap", severity: .error, doc: "two entries of one domain overlap in guest space", run: entryOverlaps),
    ]

    static func path(_ d: Domain, _ e: DomainEntry) -> String { "domain \(d.name) / entry \(e.name)" }

    static func isRAM(_ m: Stage2Mapping, _ c: CheckContext) -> Bool {
        guard m.entry.mode != .emulated || m.entry.kind == .dram else { return false }
        return (m.entry.kind ?? m.hostRegion.map { c.tree[$0].region.kind }) == .dram
    }

    /// Entries `ResolvedMap` could not resolve (a router refuses such a domain).
    static func entries(_ c: CheckContext) -> [Finding] {
        c.domains.flatMap { $0.problems.map(Finding.init) }
    }

    static func sharedRanges(_ c: CheckContext) -> [Finding] {
        var out: [Finding] = []
        let all = c.domains.flatMap { g in g.mappings.filter { $0.host != nil && $0.entry.mode != .emulated }.map { (g.domain, $0) } }
        for i in all.indices {
            for j in all.indices where j > i && all[i].0.name != all[j].0.name {
                let (da, a) = all[i]
                let (db, b) = all[j]
                guard let ha = a.host, let hb = b.host, let common = ha.intersection(hb), !(a.entry.shared && b.entry.shared) else {
                    continue
                }
                out.append(
                    Finding(
                        "host \(common) is mapped into domain \(da.name) (entry \(a.entry.name)) and domain \(db.name); mark both entries shared if that is intended",
                        location: b.entry.location, path: path(db, b.entry)))
            }
        }
        return out
    }

    static func hypervisorRanges(_ c: CheckContext) -> [Finding] {
        let reserved = c.tree.ids.filter { c.tree[$0].region.hypervisorOnly }.compactMap { id in c.placement(of: id).map { (id, $0) } }
        return c.domains.flatMap { g in
            g.mappings.compactMap { m -> Finding? in
                guard let host = m.host, let (id, range) = reserved.first(where: { $0.1.overlaps(host) }) else { return nil }
                return Finding(
                    "host \(host) reaches \(c.tree[id].path) \(range), reserved for the hypervisor", location: m.entry.location,
                    path: path(g.domain, m.entry))
            }
        }
    }

    static func dmaWithoutIOMMU(_ c: CheckContext) -> [Finding] {
        c.domains.flatMap { g in
            g.mappings.compactMap { m -> Finding? in
                guard m.entry.mode == .passthrough, m.entry.dma, !g.domain.trusted, !g.domain.iommu else { return nil }
                return Finding(
                    "passes through DMA master '\(m.entry.name)' to an untrusted domain without an IOMMU: it can write anywhere in host memory",
                    location: m.entry.location, path: path(g.domain, m.entry))
            }
        }
    }

    static func directMismatch(_ c: CheckContext) -> [Finding] {
        c.domains.flatMap { g in
            g.mappings.compactMap { m -> Finding? in
                guard m.entry.mode == .direct, let host = m.host, m.guest.base != host.base else { return nil }
                return Finding(
                    "direct entry at guest \(hex(m.guest.base)) but host \(hex(host.base)): direct means guest-physical == host-physical",
                    location: m.entry.location, path: path(g.domain, m.entry))
            }
        }
    }

    static func directMapStatic(_ c: CheckContext) -> [Finding] {
        c.map.domains.compactMap { d in
            guard d.directMap, !d.staticMemory else { return nil }
            return Finding(
                "direct-map needs static-memory (Xen: \"direct-map is not valid for domain \(d.name) without static allocation\")",
                location: d.location, path: "domain \(d.name)")
        }
    }

    static func directMapEntries(_ c: CheckContext) -> [Finding] {
        c.domains.filter(\.domain.directMap).flatMap { g in
            g.mappings.compactMap { m -> Finding? in
                guard m.entry.mode == .translated || (m.entry.mode == .passthrough && m.host.map { $0.base != m.guest.base } ?? false)
                else { return nil }
                return Finding(
                    "domain \(g.domain.name) is direct-mapped, so guest must equal host, but this entry moves \(m.host.map(\.description) ?? "?") to guest \(hex(m.guest.base))",
                    location: m.entry.location, path: path(g.domain, m.entry))
            }
        }
    }

    static func passthroughAlignment(_ c: CheckContext) -> [Finding] {
        c.domains.flatMap { g in
            g.mappings.compactMap { m -> Finding? in
                guard m.entry.mode == .passthrough, let host = m.host else { return nil }
                let size = host.sizeMinusOne &+ 1
                guard host.base & 0xFFF != 0 || m.guest.base & 0xFFF != 0 || size & 0xFFF != 0 else { return nil }
                return Finding(
                    "xen,reg needs 4 KiB alignment: host \(hex(host.base)), guest \(hex(m.guest.base)), size \(hex(size))",
                    location: m.entry.location, path: path(g.domain, m.entry))
            }
        }
    }

    static func ramOverTrap(_ c: CheckContext) -> [Finding] {
        c.domains.flatMap { g -> [Finding] in
            let traps = g.mappings.filter { $0.entry.mode == .emulated && !isRAM($0, c) }
            return g.mappings.filter { isRAM($0, c) }.flatMap { ram in
                traps.compactMap { trap -> Finding? in
                    guard let common = ram.guest.intersection(trap.guest) else { return nil }
                    return Finding(
                        "guest RAM \(ram.guest) overlaps the trapped window of '\(trap.entry.name)' (\(trap.entry.deviceModel ?? "emulated")) at \(common)",
                        location: ram.entry.location, path: path(g.domain, ram.entry))
                }
            }
        }
    }

    static func guestAddressBits(_ c: CheckContext) -> [Finding] {
        c.domains.flatMap { g in
            g.mappings.compactMap { m -> Finding? in
                guard m.guest.last > g.domain.addressLimit else { return nil }
                return Finding(
                    "guest \(m.guest) reaches above the guest's \(g.domain.addressBits ?? 64)-bit limit \(hex(g.domain.addressLimit))",
                    location: m.entry.location, path: path(g.domain, m.entry))
            }
        }
    }

    static func entryOverlaps(_ c: CheckContext) -> [Finding] {
        c.domains.flatMap { g -> [Finding] in
            overlappingPairs(g.mappings, range: \.guest).compactMap { a, b in
                // RAM over a trap has its own check.
                let trapPair = (a.entry.mode == .emulated) != (b.entry.mode == .emulated) && (isRAM(a, c) || isRAM(b, c))
                guard !trapPair else { return nil }
                let later = a.index > b.index ? a : b
                let earlier = a.index > b.index ? b : a
                return Finding(
                    "guest \(later.guest) overlaps entry '\(earlier.entry.name)' \(earlier.guest); the earlier entry wins",
                    location: later.entry.location, path: path(g.domain, later.entry))
            }
        }
    }
}
