/// Why each check exists and why it has its severity, one line each (`check --list`,
/// docs/map-format.md). An error is kept for what makes an address decode to the wrong unit
/// or to nothing, or what the consumer (Linux, Xen, QEMU, the SoC) refuses; the rest warns or
/// notes. A test holds every check to having one.
extension Check {
    /// One line: why the check exists and why at this severity.
    public var rationale: String { Self.rationales[id] ?? "" }

    package static let rationales: [String: String] = [
        // Generic.
        "duplicate-name": "a path that names two regions makes decode answers and references ambiguous",
        "unknown-initiator": "a view for an initiator that does not exist is a typo, and the region then decodes for nobody",
        "unknown-switch": "a condition on an unknown switch or value is never true, so the region never decodes",
        "alias-target": "an alias to nothing decodes to nothing",
        "alias-cycle": "a cycle of aliases has no unit at its end; later checks need a routable map, so they wait for this one",
        "sibling-overlap":
            "in a map with priorities, equal siblings over one address leave the answer to declaration order; say `overlap: intended` or a priority (device trees: see reg-overlap)",
        "outside-window":
            "a child no ranges window covers has no CPU address (Linux leaves it unmapped); an error in a map, a warning in a device tree, where the driver just fails",
        "window-straddle": "Linux translates a reg's start only, so the end of the child lands past the window: the device may still work",
        "outside-parent": "the bus does not forward addresses outside its own range, so that part decodes to nothing",
        "address-bits": "addresses above the map's address width cannot be issued at all",
        "window-alignment":
            "a PL window or an ECAM decodes by its high address bits, so a misaligned one decodes other addresses than it says",
        "ranges-overlap": "two windows of one bus onto the same parent addresses are legal (Linux takes the first) but usually a mistake",
        "pcie-bus-range":
            "an ECAM gives each bus 1 MiB: a smaller one is clipped by Linux (warning), a larger one wastes address space (note) in a device tree; in a map, the two must agree",
        "pcie-window-overlap": "a CPU address in two PCIe windows, or in a window and the ECAM, decodes to two different bus cycles",
        "empty-bus": "a bus with nothing behind it decodes nothing; legal, often unfinished",
        "shadowed": "a region that higher priorities hide in every view can never be reached; legal but pointless",
        "unused-switch": "a switch nothing depends on changes nothing; legal, usually left over",
        "decode-conflict":
            "in a map with priorities, one CPU address that reaches two units on different buses has no single answer (device trees: see reg-overlap)",
        "dram-hole": "a hole in DRAM that is not a reserved carve-out is memory the OS will not get; legal, worth a look",
        "unit-address": "dtc warns when the @unit differs from reg (simple_bus_reg); naming only, decode is unchanged",
        "shared-registers":
            "identical regs are how boards share one register block between drivers (Juno's LEDs): worth knowing, not a defect",
        "reg-overlap":
            "Linux maps every node on its own, so overlapping regs boot; but two drivers then own the same registers, so it warns",
        "offset-reg":
            "under `ranges;` a child's reg is a CPU address, so offsets land at low addresses (inside DDR on Zynq); Linux's syscon drivers use the parent's base instead, so it boots: a warning",
        "memory-over-device": "Linux takes a memory node's range as RAM, so a device under it may be handed out as memory",
        "reserved-outside-memory":
            "a reserved-memory region outside every memory node reserves nothing Linux would have used; harmless but usually a wrong address",
        // Domains.
        "domain-entry": "a guest entry with no host region behind it maps the guest to nothing",
        "domain-shared-range": "two guests on one host range see each other's memory unless both say they share it",
        "domain-hypervisor-range": "a guest that reaches the hypervisor's own memory breaks isolation",
        "domain-dma-iommu": "without an IOMMU a passed-through DMA master can write anywhere in host memory",
        "domain-direct-mismatch": "a direct (1:1) entry whose guest and host addresses differ is not direct",
        "domain-direct-map-static": "Xen refuses direct-map for a domain without static memory",
        "domain-direct-map-entry": "in a direct-map domain every guest address equals its host address; Xen refuses otherwise",
        "domain-passthrough-alignment": "Xen maps passthrough regions (xen,reg) in 4 KiB pages and refuses unaligned ones",
        "domain-ram-over-trap":
            "guest RAM over a trapped window makes the guest's accesses there RAM or trap depending on the mapping order",
        "domain-address-bits": "a guest entry above the guest's physical address width cannot be reached by the guest",
        "domain-entry-overlap": "one guest address mapped twice has no single host address",
        // Zynq-7000.
        "zynq-address-bits": "the Zynq-7000 issues 32-bit addresses",
        "zynq-ddr-window": "the DDR controller decodes only 0-0x3fff_ffff: DDR elsewhere is not there",
        "zynq-pl-window": "the PS reaches the PL only through M_AXI_GP0/GP1; a PL slave elsewhere is unreachable",
        "zynq-reserved-hole": "the interconnect decodes nothing in Table 4-1's reserved ranges (accesses fault)",
        "zynq-ps-overlap": "each PS address belongs to one fixed block, so overlapping nodes there describe registers that are not theirs",
        "zynq-ocm": "OCM exists only as four 64 KiB blocks at the two places OCM_CFG allows",
        "zynq-ocm-scu": "with the SCU filter at 0 the CPU's low addresses go to DDR, so low OCM is unreachable for it",
        "zynq-hp-reach": "the HP ports connect to the DDR controller and OCM only",
        "zynq-cpu-only-ddr": "the first 512 KiB of DDR are not reachable from the non-CPU masters",
        "zynq-fixed-windows": "the PS decodes devices, QSPI and SMC in fixed slots; anything across slot edges decodes as two units",
        // ZynqMP.
        "zynqmp-address-bits": "the ZynqMP issues 40-bit addresses",
        "zynqmp-ddr-window": "the DDR controller decodes DDR low and DDR high only",
        "zynqmp-pl-aperture": "the PS reaches the PL only through its fixed apertures",
        "zynqmp-pcie-aperture": "the PCIe controller decodes only its three fixed apertures",
        "zynqmp-ocm": "OCM sits at a fixed address",
        "zynqmp-reserved-hole": "the interconnect decodes nothing in the reserved ranges",
        "zynqmp-rpu-reach": "the RPU issues 32-bit addresses",
        // Juno.
        "juno-address-bits": "Juno issues 40-bit addresses",
        "juno-dram-window": "the DRAM controller decodes its two fixed windows only",
        "juno-pcie-windows": "the PCIe root complex decodes its fixed ECAM, I/O and memory windows only",
        "juno-boot-region": "the boot ROM and trusted SRAM are decoded in the boot region only",
        "juno-dram-overlap": "the interconnect sends DRAM addresses to DRAM, so a peripheral there is unreachable",
        // QEMU virt.
        "virt-64k-pages": "a guest with 64 KiB pages cannot map a device that straddles a 64 KiB boundary",
        "virt-ram": "QEMU's virt machine has one RAM bank from 1 GiB",
        "virt-high-regions": "QEMU places its high regions naturally aligned from 256 GiB",
        "virt-address-bits": "QEMU drops high regions beyond the CPU's physical address size",
        // x86 PC.
        "x86-legacy-hole": "0xa_0000-0xf_ffff is VGA and BIOS space, never RAM",
        "x86-chipset-window": "the chipset and BIOS decode 0xfec0_0000-0xffff_ffff, never RAM",
        "x86-pci-hole": "32-bit PCI BARs are decoded between the top of low RAM and the chipset window",
        "x86-high-ram": "RAM above 4 GiB is remapped from 0x1_0000_0000",
        "x86-mmio64": "64-bit PCI windows over RAM decode as RAM or as PCI depending on the chipset",
        "x86-mmconfig": "MMCONFIG must be reserved in E820, which it cannot be over RAM or above what the BIOS describes",
    ]
}
