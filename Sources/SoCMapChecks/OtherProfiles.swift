import SoCMap

/// Zynq UltraScale+ MPSoC rules (soc-maps.md §2).
enum ZynqMPProfile {
    static let plApertures = [
        ("M_AXI_HPM0_LPD", Rules.range(0x8000_0000, 0x9FFF_FFFF)), ("M_AXI_HPM0_FPD low", Rules.range(0xA000_0000, 0xAFFF_FFFF)),
        ("M_AXI_HPM1_FPD low", Rules.range(0xB000_0000, 0xBFFF_FFFF)), ("M_AXI_HPM0_FPD 36-bit", Rules.range(0x4_0000_0000, 0x4_FFFF_FFFF)),
        ("M_AXI_HPM1_FPD 36-bit", Rules.range(0x5_0000_0000, 0x5_FFFF_FFFF)),
        ("M_AXI_HPM0_FPD 40-bit", Rules.range(0x10_0000_0000, 0x47_FFFF_FFFF)),
        ("M_AXI_HPM1_FPD 40-bit", Rules.range(0x48_0000_0000, 0x7F_FFFF_FFFF)),
    ]
    static let pcieApertures = [
        ("PCIe low", Rules.range(0xE000_0000, 0xEFFF_FFFF)), ("PCIe high", Rules.range(0x6_0000_0000, 0x7_FFFF_FFFF)),
        ("PCIe 64-bit", Rules.range(0x80_0000_0000, 0xBF_FFFF_FFFF)),
    ]
    static let ddr = [("DDR low", Rules.range(0, 0x7FFF_FFFF)), ("DDR high", Rules.range(0x8_0000_0000, 0xF_FFFF_FFFF))]
    static let reserved = [
        Rules.range(0xF000_0000, 0xF7FF_FFFF), Rules.range(0xF910_0000, 0xFCFF_FFFF), Rules.range(0xFFF0_0000, 0xFFFB_FFFF),
        Rules.range(0x1_0000_0000, 0x3_FFFF_FFFF), Rules.range(0xC0_0000_0000, 0xFF_FFFF_FFFF),
    ]

    static let profile = Profile(
        name: "zynqmp", doc: "Xilinx Zynq UltraScale+ MPSoC", compatiblePrefixes: ["xlnx,zynqmp"],
        checks: [
            Check(id: "zynqmp-address-bits", severity: .error, doc: "every address below 2^40") { Rules.addressLimit($0, bits: 40) },
            Check(
                id: "zynqmp-ddr-window", severity: .error,
                doc: "DDR only in DDR low (2 GiB from 0) and DDR high (32 GiB from 0x8_0000_0000)"
            ) { c in
                Rules.dram(c).compactMap { leaf in
                    ddr.contains { $0.1.contains(leaf.range) }
                        ? nil
                        : Finding(
                            "DDR \(leaf.range) is outside both DDR windows (low \(ddr[0].1), high \(ddr[1].1)); systems above 2 GiB must split",
                            region: leaf.id)
                }
            },
            Check(id: "zynqmp-pl-aperture", severity: .error, doc: "PL windows lie inside one of the seven fixed PL apertures") { c in
                c.tree.ids.compactMap { id in
                    guard c.tree[id].region.kind == .plWindow, let p = c.placement(of: id),
                        !plApertures.contains(where: { $0.1.contains(p) })
                    else { return nil }
                    return Finding("PL window \(p) is not inside one of the fixed PL apertures", region: id)
                }
            },
            Check(id: "zynqmp-pcie-aperture", severity: .error, doc: "PCIe ECAM and windows only in the three fixed PCIe apertures") { c in
                Rules.pcieParts(c).compactMap { part in
                    pcieApertures.contains { $0.1.contains(part.range) }
                        ? nil : Finding("PCIe \(part.what) \(part.range) is outside the PCIe apertures", region: part.id)
                }
            },
            Check(id: "zynqmp-ocm", severity: .error, doc: "OCM fixed at 0xfffc_0000 (256 KiB)") { c in
                c.leaves.compactMap { leaf in
                    let r = c.tree[leaf.id].region
                    guard r.kind == .sram,
                        leaf.range.overlaps(Rules.range(0xFFFC_0000, 0xFFFF_FFFF)) || r.name.lowercased().contains("ocm"),
                        leaf.range != Rules.range(0xFFFC_0000, 0xFFFF_FFFF)
                    else { return nil }
                    return Finding("OCM \(leaf.range) must be exactly 0xfffc_0000-0xffff_ffff", region: leaf.id)
                }
            },
            Check(id: "zynqmp-reserved-hole", severity: .error, doc: "nothing placed in the reserved ranges") {
                Rules.noneInHoles($0, holes: reserved, what: "reserved range")
            },
            Check(id: "zynqmp-rpu-reach", severity: .error, doc: "the RPU (32-bit) sees nothing above 4 GiB") { c in
                Rules.neverDecodes(
                    c, initiators: { $0 == "rpu" }, area: Rules.range(0x1_0000_0000, .max), kinds: Set(RegionKind.allCases),
                    what: "the RPU issues 32-bit addresses only")
            },
        ])
}

/// Arm Juno rules (soc-maps.md §3, DEN 0001 style).
enum JunoProfile {
    static let profile = Profile(
        name: "juno", doc: "Arm Juno r0/r1/r2", compatiblePrefixes: ["arm,juno"],
        checks: [
            Check(id: "juno-address-bits", severity: .error, doc: "every address below 2^40") { Rules.addressLimit($0, bits: 40) },
            Check(id: "juno-dram-window", severity: .error, doc: "DRAM only at 0x8000_0000 (2 GiB) and from 0x8_8000_0000") { c in
                Rules.dram(c).compactMap { leaf in
                    Rules.range(0x8000_0000, 0xFFFF_FFFF).contains(leaf.range) || leaf.range.base >= 0x8_8000_0000
                        ? nil
                        : Finding("DRAM \(leaf.range) is outside 0x8000_0000-0xffff_ffff and below 0x8_8000_0000", region: leaf.id)
                }
            },
            Check(
                id: "juno-pcie-windows", severity: .error,
                doc: "PCIe: ECAM 256 MiB at 1 GiB, I/O 8 MiB, memory windows below 4 GiB or from 0x40_0000_0000"
            ) { c in
                Rules.pcieParts(c).compactMap { part in
                    switch part.space {
                    case nil:
                        return part.range == Rules.range(0x4000_0000, 0x4FFF_FFFF)
                            ? nil : Finding("ECAM \(part.range) must be 256 MiB at 0x4000_0000", region: part.id)
                    case .io?:
                        return part.range.sizeMinusOne + 1 == 8 << 20
                            ? nil : Finding("PCIe I/O window \(part.range) must be 8 MiB", region: part.id)
                    case .mem32?, .mem64?:
                        // By where it is, not by its space code: upstream trees put the 64-bit
                        // region at 0x40_0000_0000 with a 32-bit prefetchable code.
                        return part.range.last <= 0xFFFF_FFFF || part.range.base >= 0x40_0000_0000
                            ? nil
                            : Finding(
                                "PCIe memory window \(part.range) lies in neither PCIe memory region of the Juno map (below 4 GiB, or from 0x40_0000_0000)",
                                region: part.id)
                    case .config?: return nil
                    }
                }
            },
            Check(id: "juno-boot-region", severity: .error, doc: "boot ROM and trusted SRAM inside the 128 MiB boot region") { c in
                c.leaves.compactMap { leaf in
                    let r = c.tree[leaf.id].region
                    guard leaf.range.base < 0x800_0000, leaf.range.last >= 0x800_0000, r.kind == .rom || r.kind == .sram else { return nil }
                    return Finding("\(leaf.range) runs out of the 128 MiB boot region", region: leaf.id)
                }
            },
            Check(id: "juno-dram-overlap", severity: .error, doc: "peripherals never overlap DRAM") { c in
                let dram = Rules.dram(c)
                return c.leaves.compactMap { leaf in
                    let kind = c.tree[leaf.id].region.kind
                    guard kind == .mmio || kind == .rom, let d = dram.first(where: { $0.range.overlaps(leaf.range) }) else { return nil }
                    return Finding("peripheral \(leaf.range) overlaps DRAM \(c.tree[d.id].path) \(d.range)", region: leaf.id)
                }
            },
        ])
}

/// QEMU `virt` rules (soc-maps.md §4).
enum QEMUVirtProfile {
    static let profile = Profile(
        name: "qemu-virt", doc: "QEMU arm/aarch64 virt machine", compatiblePrefixes: ["linux,dummy-virt"],
        checks: [
            Check(
                id: "virt-64k-pages", severity: .warning, doc: "devices below 1 GiB do not straddle 64 KiB pages (guests may use 64K pages)"
            ) { c in
                Rules.slotted(
                    c, area: Rules.range(0, 0x3FFF_FFFF), slot: 0x1_0000, kinds: [.mmio, .rom, .sram], what: "device area below 1 GiB")
            },
            Check(id: "virt-ram", severity: .error, doc: "RAM contiguous from 0x4000_0000") { c in
                let banks = Rules.dram(c).sorted { $0.range.base < $1.range.base }
                guard let first = banks.first else { return [] }
                var findings: [Finding] =
                    first.range.base == 0x4000_0000
                    ? [] : [Finding("RAM starts at \(hex(first.range.base)), not 0x4000_0000", region: first.id)]
                for (a, b) in zip(banks, banks.dropFirst()) where a.range.last &+ 1 != b.range.base {
                    findings.append(Finding("RAM is not contiguous: \(b.range) does not follow \(a.range)", region: b.id))
                }
                return findings
            },
            Check(id: "virt-high-regions", severity: .error, doc: "high device regions naturally aligned and at or above 256 GiB") { c in
                (Rules.pcieParts(c).map { ($0.id, $0.range) }
                    + c.leaves.filter { c.tree[$0.id].region.kind != .dram }.map { ($0.id, $0.range) })
                    .filter { $0.1.base > 0xFFFF_FFFF }
                    .compactMap { id, range in
                        if range.base < 0x40_0000_0000 { return Finding("high region \(range) lies below 256 GiB", region: id) }
                        return range.isAligned(to: range.naturalAlignment)
                            ? nil : Finding("high region \(range) is not aligned to its size", region: id)
                    }
            },
            Check(
                id: "virt-address-bits", severity: .error,
                doc: "every region inside the map's address-bits (QEMU drops high regions beyond the PA size)"
            ) { c in
                Rules.addressLimit(c, bits: c.map.addressBits)
            },
        ])
}

/// x86 PC rules: the PC holes and what E820 must say (soc-maps.md §5).
enum X86PCProfile {
    static let profile = Profile(
        name: "x86-pc", doc: "BIOS-era x86 PC (E820)", compatiblePrefixes: ["qemu,pc", "pc,"],
        checks: [
            Check(id: "x86-legacy-hole", severity: .error, doc: "0xa_0000-0xf_ffff is never RAM") { c in
                Rules.dram(c).compactMap { leaf in
                    leaf.range.overlaps(Rules.range(0xA_0000, 0xF_FFFF))
                        ? Finding("RAM \(leaf.range) covers the legacy VGA/BIOS hole 0xa_0000-0xf_ffff", region: leaf.id) : nil
                }
            },
            Check(id: "x86-chipset-window", severity: .error, doc: "no RAM in the chipset and BIOS area 0xfec0_0000-0xffff_ffff") { c in
                Rules.dram(c).compactMap { leaf in
                    leaf.range.overlaps(Rules.range(0xFEC0_0000, 0xFFFF_FFFF))
                        ? Finding("RAM \(leaf.range) covers fixed chipset MMIO or the BIOS below 4 GiB", region: leaf.id) : nil
                }
            },
            Check(
                id: "x86-pci-hole", severity: .error, doc: "32-bit PCI windows lie between the top of low RAM and 0xfec0_0000, over no RAM"
            ) { c in
                let lowTop = Rules.dram(c).filter { $0.range.last <= 0xFFFF_FFFF }.map(\.range.last).max() ?? 0
                return Rules.pcieParts(c).compactMap { part in
                    guard part.range.last <= 0xFFFF_FFFF, part.space != nil else { return nil }
                    if part.range.base <= lowTop {
                        return Finding("PCI \(part.what) \(part.range) starts below the top of low RAM \(hex(lowTop))", region: part.id)
                    }
                    if part.range.last >= 0xFEC0_0000 {
                        return Finding("PCI \(part.what) \(part.range) runs into the chipset area at 0xfec0_0000", region: part.id)
                    }
                    return nil
                }
            },
            Check(id: "x86-high-ram", severity: .error, doc: "RAM above 4 GiB starts at 0x1_0000_0000") { c in
                let high = Rules.dram(c).filter { $0.range.base > 0xFFFF_FFFF }.sorted { $0.range.base < $1.range.base }
                guard let first = high.first, first.range.base != 0x1_0000_0000 else { return [] }
                return [
                    Finding(
                        "the first RAM above 4 GiB starts at \(hex(first.range.base)); the remapped RAM starts at 0x1_0000_0000",
                        region: first.id)
                ]
            },
            Check(id: "x86-mmio64", severity: .error, doc: "64-bit PCI windows lie above all RAM") { c in
                let top = c.leaves.filter { c.tree[$0.id].region.kind == .dram }.map(\.range.last).max() ?? 0
                return Rules.pcieParts(c).compactMap { part in
                    part.space == .mem64 && part.range.base <= top
                        ? Finding("64-bit PCI window \(part.range) is not above RAM (top \(hex(top)))", region: part.id) : nil
                }
            },
            Check(id: "x86-mmconfig", severity: .error, doc: "MMCONFIG (ECAM) below 4 GiB and over no RAM, so E820 can reserve it") { c in
                Rules.pcieParts(c).compactMap { part in
                    guard part.space == nil else { return nil }
                    if let d = Rules.dram(c).first(where: { $0.range.overlaps(part.range) }) {
                        return Finding("MMCONFIG \(part.range) overlaps RAM \(c.tree[d.id].path)", region: part.id)
                    }
                    return part.range.last <= 0xFFFF_FFFF ? nil : Finding("MMCONFIG \(part.range) lies above 4 GiB", region: part.id)
                }
            },
        ])
}
