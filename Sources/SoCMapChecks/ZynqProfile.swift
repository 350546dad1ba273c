import SoCMap

/// Zynq-7000 layout rules (soc-maps.md §1.6, rules 1-9).
enum ZynqProfile {
    static let gp0 = Rules.range(0x4000_0000, 0x7FFF_FFFF)
    static let gp1 = Rules.range(0x8000_0000, 0xBFFF_FFFF)
    static let ocmLow = Rules.range(0x0, 0x3_FFFF)
    static let ocmHigh = Rules.range(0xFFFC_0000, 0xFFFF_FFFF)
    /// Table 4-1 reserved rows. The 1 KiB after the SLCR is left out: Linux and QEMU give the
    /// SLCR 4 KiB there (conflict C4).
    static let holes = [
        Rules.range(0xC000_0000, 0xDFFF_FFFF), Rules.range(0xE030_0000, 0xE0FF_FFFF), Rules.range(0xE600_0000, 0xF7FF_FFFF),
        Rules.range(0xF881_0000, 0xF889_0FFF), Rules.range(0xF889_E000, 0xF88F_FFFF), Rules.range(0xF8F0_3000, 0xFBFF_FFFF),
        Rules.range(0xFE00_0000, 0xFFFB_FFFF),
    ]
    static let slaves: Set<RegionKind> = [.mmio, .sram, .rom, .plWindow]
    /// The PS blocks of Table 4-1 whose decoder sends each address to one unit.
    static let psBlocks = [
        ("IOP devices", Rules.range(0xE000_0000, 0xE02F_FFFF)), ("SMC memories", Rules.range(0xE100_0000, 0xE5FF_FFFF)),
        ("SLCR", Rules.range(0xF800_0000, 0xF800_0FFF)), ("PS system registers", Rules.range(0xF800_1000, 0xF880_FFFF)),
        ("CPU-private registers", Rules.range(0xF890_0000, 0xF8F0_2FFF)), ("QSPI linear window", Rules.range(0xFC00_0000, 0xFDFF_FFFF)),
        ("OCM (high)", Rules.range(0xFFFC_0000, 0xFFFF_FFFF)),
    ]

    static let profile = Profile(
        name: "zynq-7000", doc: "Xilinx Zynq-7000 (UG585 Table 4-1)", compatiblePrefixes: ["xlnx,zynq-7000"],
        checks: [
            Check(
                id: "zynq-address-bits", severity: .error, doc: "every address below 2^32 (rule 1)",
                prerequisites: [GenericChecks.aliasCycle]
            ) { Rules.addressLimit($0, bits: 32) },
            Check(
                id: "zynq-ddr-window", severity: .error, doc: "DDR inside 0x0-0x3fff_ffff, starting at 0, at most 1 GiB (rule 2)",
                run: ddrWindow),
            Check(
                id: "zynq-pl-window", severity: .error,
                doc: "PL slaves lie entirely inside M_AXI_GP0 or GP1 and never straddle 0x8000_0000 (rule 3)"
            ) { c in
                Rules.insideWindows(
                    c, kinds: [.mmio, .sram, .rom], area: Rules.range(0x4000_0000, 0xBFFF_FFFF),
                    windows: [("M_AXI_GP0", gp0), ("M_AXI_GP1", gp1)], what: "PL slave")
                    + plBusOutsideWindows(c)
                    + c.tree.ids.compactMap { id in
                        guard c.tree[id].region.kind == .plWindow, let p = c.placement(of: id), p != gp0, p != gp1 else { return nil }
                        return Finding(
                            "PL window \(p) is neither M_AXI_GP0 \(gp0) nor M_AXI_GP1 \(gp1): both are fixed 1 GiB windows", region: id)
                    }
            },
            Check(id: "zynq-reserved-hole", severity: .error, doc: "nothing placed in the reserved holes of Table 4-1 (rule 4)") { c in
                let pl = Set(plBusUnits(c))
                return Rules.noneInHoles(c, holes: holes, what: "Table 4-1 reserved hole").filter { !pl.contains($0.region!) }
            },
            Check(
                id: "zynq-ps-overlap", severity: .error,
                doc: "device-tree nodes never overlap inside a PS block (SLCR, IOP, PS and CPU-private registers, QSPI, OCM)",
                run: psOverlaps),
            Check(id: "zynq-ocm", severity: .error, doc: "OCM is 4 x 64 KiB, block i at i*64K or 0xfffc_0000 + i*64K (rule 5)", run: ocm),
            Check(
                id: "zynq-ocm-scu", severity: .error,
                doc: "with the SCU filter start at 0, CPU addresses from 0 go to DDR, never to low OCM (rule 6)", run: ocmUnderSCU),
            Check(id: "zynq-hp-reach", severity: .error, doc: "HP-port masters reach only OCM and DDR (rule 7)") {
                Rules.reach($0, initiator: "hp", kinds: [.dram, .sram], what: "HP ports reach only OCM and DDR")
            },
            Check(id: "zynq-cpu-only-ddr", severity: .error, doc: "0x0-0x7_ffff is never DDR for non-CPU masters (rule 8)") { c in
                Rules.neverDecodes(
                    c, initiators: { $0 != nil && $0 != "cpu" }, area: Rules.range(0, 0x7_FFFF), kinds: [.dram],
                    what: "0x0-0x7_ffff is never DDR for non-CPU masters (0x4_0000-0x7_ffff is CPU-only DDR)")
            },
            Check(
                id: "zynq-fixed-windows", severity: .error,
                doc:
                    "IOP/PS devices on 4 KiB slots, CPU-private on 256 B slots, QSPI linear at 0xfc00_0000 (32 MiB), SMC windows 16/32/32 MiB (rule 9)",
                run: fixedWindows),
        ])

    /// Units on a device tree's PL bus (`amba_pl`, the name Xilinx's device-tree generator and
    /// PetaLinux give the bus of the FPGA design), placed.
    static func plBusUnits(_ c: CheckContext) -> [RegionID] {
        guard c.map.overlapRule == .deviceTree else { return [] }
        return c.tree.nodes.filter { node in
            node.kind != .bus && c.resolved.placement(of: node.id) != nil
                && c.tree.ancestors(of: node.id).contains { c.tree[$0].name.hasPrefix("amba_pl") }
        }.map(\.id)
    }

    /// PL-bus units outside both GP windows (those inside the GP area are judged above).
    static func plBusOutsideWindows(_ c: CheckContext) -> [Finding] {
        let area = Rules.range(0x4000_0000, 0xBFFF_FFFF)
        return plBusUnits(c).compactMap { id in
            guard let p = c.resolved.placement(of: id), !p.overlaps(area) else { return nil }
            return Finding(
                "PL peripheral \(p) on \(c.tree[c.tree.ancestors(of: id).first { c.tree[$0].name.hasPrefix("amba_pl") }!].path) lies outside M_AXI_GP0 \(gp0) and M_AXI_GP1 \(gp1), the only windows through which the PS reaches the PL",
                region: id)
        }
    }

    /// Overlapping device-tree nodes inside a PS block: the PS decodes each address there to
    /// one fixed unit, so one of the nodes describes registers that are not its own.
    static func psOverlaps(_ c: CheckContext) -> [Finding] {
        guard c.map.overlapRule == .deviceTree else { return [] }
        let pieces = DeviceTreeChecks.pieces(c, excluding: DeviceTreeChecks.explainedChildren(c))
        return DeviceTreeChecks.overlapGroups(c, pieces, windows: false).compactMap { g in
            guard let block = psBlocks.first(where: { $0.1.overlaps(g.span) }) else { return nil }
            return Finding(
                "\(DeviceTreeChecks.paths(c, g.units)) overlap in \(g.span), inside the \(block.0) \(block.1): the PS decodes each address there to one unit, so all but one describe registers that are not theirs",
                group: g.units, range: g.span)
        }
    }

    static func ddrWindow(_ c: CheckContext) -> [Finding] {
        Rules.dram(c).compactMap { leaf in
            if leaf.range.last > 0x3FFF_FFFF {
                return Finding("DDR \(leaf.range) reaches above 1 GiB: the Zynq-7000 DDR window is 0x0-0x3fff_ffff", region: leaf.id)
            }
            return nil
        }
            + (Rules.dram(c).contains { $0.range.base == 0 } || Rules.dram(c).isEmpty
                ? []
                : [
                    Finding("no DDR starts at address 0: the DDR window starts at 0", region: Rules.dram(c).first?.id)
                ])
    }

    /// OCM blocks: where they are placed (directly or through aliases) in the view of the
    /// masters that see both halves.
    static func ocm(_ c: CheckContext) -> [Finding] {
        var findings: [Finding] = []
        let srams = c.leaves.filter { c.tree[$0.id].region.kind == .sram }
        for leaf in srams where leaf.range.overlaps(ocmLow) || leaf.range.overlaps(ocmHigh) {
            let r = leaf.range
            let low = ocmLow.contains(r)
            let high = ocmHigh.contains(r)
            if !(low || high) || r.base % 0x1_0000 != 0 || (r.sizeMinusOne + 1) % 0x1_0000 != 0 {
                findings.append(
                    Finding("OCM \(r) is not whole 64 KiB blocks inside 0x0-0x3_ffff or 0xfffc_0000-0xffff_ffff", region: leaf.id))
            }
        }
        // Across views: each 64 KiB block appears in exactly one of its two slots.
        for r in c.ruleViews {
            for block in 0..<4 {
                let lowAddress = UInt64(block) << 16
                let highAddress = 0xFFFC_0000 + lowAddress
                func ocmAt(_ a: UInt64) -> RegionID? {
                    guard let route = r.route(PhysicalAddress(a)), r[route.unit].region.kind == .sram else { return nil }
                    return route.unit
                }
                if let l = ocmAt(lowAddress), let h = ocmAt(highAddress), l == h, r.initiator != "cpu" {
                    findings.append(
                        Finding(
                            "OCM block \(block) appears both at \(hex(lowAddress)) and \(hex(highAddress)); OCM_CFG puts each block in one place",
                            region: l, view: c.describe(r)))
                }
            }
        }
        let declared = srams.filter { ocmLow.contains($0.range) || ocmHigh.contains($0.range) }.reduce(UInt64(0)) {
            $0 + $1.range.sizeMinusOne + 1
        }
        if declared > 0x4_0000 {
            findings.append(Finding("OCM regions add up to \(sizeText(declared)); the Zynq-7000 has 256K of OCM", region: srams.first?.id))
        }
        return findings
    }

    static func ocmUnderSCU(_ c: CheckContext) -> [Finding] {
        guard c.map.switchNamed("scu-filter-start") != nil else { return [] }
        return c.ruleViews.filter { $0.initiator == "cpu" && $0.setting["scu-filter-start"] == "0" }.flatMap { r in
            r.segments.filter { $0.range.base <= 0xF_FFFF && r[$0.unit].region.kind == .sram }.map { s in
                Finding(
                    "the CPU sees OCM \(r[s.unit].path) at \(s.range) although the SCU filter starts at 0, which sends these addresses to DDR",
                    region: s.unit, view: c.describe(r))
            }
        }
    }

    static func fixedWindows(_ c: CheckContext) -> [Finding] {
        var findings =
            Rules.slotted(c, area: Rules.range(0xE000_0000, 0xE02F_FFFF), slot: 0x1000, kinds: [.mmio, .rom, .sram], what: "IOP window")
            + Rules.slotted(c, area: Rules.range(0xF800_1000, 0xF880_FFFF), slot: 0x1000, kinds: [.mmio, .rom, .sram], what: "PS window")
            + Rules.slotted(
                c, area: Rules.range(0xF890_0000, 0xF8F0_2FFF), slot: 0x100, kinds: [.mmio, .rom, .sram], what: "CPU-private window")
        let qspi = Rules.range(0xFC00_0000, 0xFDFF_FFFF)
        for leaf in c.leaves where leaf.range.overlaps(qspi) && leaf.range.base != qspi.base {
            findings.append(Finding("\(leaf.range) overlaps the QSPI linear window, which is fixed at \(qspi)", region: leaf.id))
        }
        for leaf in c.leaves where leaf.range.base == qspi.base && leaf.range.last > qspi.last {
            findings.append(Finding("QSPI linear \(leaf.range) is larger than its fixed 32 MiB window", region: leaf.id))
        }
        let smc = [
            ("SMC NAND", Rules.range(0xE100_0000, 0xE1FF_FFFF)), ("SMC CS0", Rules.range(0xE200_0000, 0xE3FF_FFFF)),
            ("SMC CS1", Rules.range(0xE400_0000, 0xE5FF_FFFF)),
        ]
        findings += Rules.insideWindows(
            c, kinds: [.mmio, .rom, .sram], area: Rules.range(0xE100_0000, 0xE5FF_FFFF), windows: smc, what: "SMC memory")
        return findings
    }
}
