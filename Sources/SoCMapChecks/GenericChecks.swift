import SoCMap

/// The checks every map gets, whatever its SoC family: one table, like dtc's `checks.c`.
public enum GenericChecks {
    /// All generic checks, in report order.
    public static let all: [Check] = [
        duplicateName, unknownInitiator, unknownSwitch, aliasTarget, aliasCycle, siblingOverlap, outsideWindow, windowStraddle,
        outsideParent, addressBits, windowAlignment, rangesOverlap, pcieBusRange, pcieWindowOverlap, emptyBus, shadowed,
        unusedSwitch, decodeConflict, dramHole, unitAddress, sharedRegisters, regOverlap, offsetReg, memoryOverDevice,
        reservedOutsideMemory,
    ]

    // The structural problems `ResolvedMap` finds; a router refuses a map that has any.
    public static let duplicateName = structural(.duplicateName, "two siblings share a name, so region paths are ambiguous")
    public static let unknownInitiator = structural(.unknownInitiator, "seen-by names an initiator the map does not declare")
    public static let unknownSwitch = structural(
        .unknownSwitch, "a when condition names an undeclared switch or a value the switch cannot take")
    public static let aliasTarget = structural(
        .aliasTarget, "an alias names no region, or a name that is not unique, or an offset past 2^64")
    public static let aliasCycle = structural(.aliasCycle, "an alias reaches itself through its target's subtree")

    public static let siblingOverlap = Check(
        id: "sibling-overlap", severity: .error, doc: "equal-priority siblings overlap in some view without 'overlap: intended'",
        run: OverlapChecks.siblingOverlaps)
    public static let outsideWindow = Check(
        id: "outside-window", severity: .error, doc: "a child's start address lies in none of its parent's ranges windows",
        run: TranslationChecks.outsideWindows)
    public static let windowStraddle = Check(
        id: "window-straddle", severity: .warning,
        doc: "a child starts inside a ranges window but runs past its end (Linux translates the start only)",
        run: TranslationChecks.windowStraddles)
    public static let outsideParent = Check(
        id: "outside-parent", severity: .error, doc: "a child, after translation, lies partly or wholly outside its parent's range",
        run: TranslationChecks.outsideParents)
    public static let addressBits = Check(
        id: "address-bits", severity: .error, doc: "a region reaches above 2^address-bits", run: TranslationChecks.addressBits)
    public static let windowAlignment = Check(
        id: "window-alignment", severity: .error, doc: "a pl-window or ECAM is not aligned to its size's natural alignment",
        run: PCIeChecks.windowAlignment)
    public static let rangesOverlap = Check(
        id: "ranges-overlap", severity: .warning, doc: "two ranges windows of one bus overlap on the parent side",
        run: TranslationChecks.rangesOverlaps)
    public static let pcieBusRange = Check(
        id: "pcie-bus-range", severity: .error, doc: "the ECAM size does not match bus-range (1 MiB per bus)", run: PCIeChecks.busRange)
    public static let pcieWindowOverlap = Check(
        id: "pcie-window-overlap", severity: .error, doc: "PCIe windows overlap each other or the ECAM", run: PCIeChecks.windowOverlaps)
    public static let emptyBus = Check(id: "empty-bus", severity: .warning, doc: "a bus has no children", run: emptyBuses)
    public static let shadowed = Check(
        id: "shadowed", severity: .warning, doc: "a region is hidden by higher-priority siblings in every view where it exists",
        run: OverlapChecks.shadowedRegions)
    public static let unusedSwitch = Check(
        id: "unused-switch", severity: .warning, doc: "no condition mentions a declared switch", run: unusedSwitches)
    public static let decodeConflict = Check(
        id: "decode-conflict", severity: .error,
        doc: "one CPU address decodes to two units on different buses at equal priority (after translation)",
        prerequisites: [aliasCycle], run: OverlapChecks.decodeConflicts)
    public static let dramHole = Check(
        id: "dram-hole", severity: .warning, doc: "something other than a reserved carve-out punches a hole into a DRAM bank",
        run: OverlapChecks.dramHoles)
    public static let unitAddress = Check(
        id: "unit-address", severity: .warning,
        doc: "a bus child's @unit differs from its first reg address (dtc simple_bus_reg: untranslated string)",
        run: TranslationChecks.unitAddresses)

    // Device-tree input (`overlaps: device-tree`): what real boards do, said as what Linux does.
    public static let sharedRegisters = Check(
        id: "shared-registers", severity: .note, doc: "several device-tree nodes have the same reg (one register block they share)",
        run: DeviceTreeChecks.sharedRegisters)
    public static let regOverlap = Check(
        id: "reg-overlap", severity: .warning,
        doc: "device-tree nodes whose reg overlap otherwise (one block seen twice, or a size written too big), one per group",
        run: DeviceTreeChecks.regOverlaps)
    public static let offsetReg = Check(
        id: "offset-reg", severity: .warning,
        doc: "a syscon or simple-mfd with `ranges;` whose children give offsets into it as reg (they translate to low CPU addresses)",
        run: DeviceTreeChecks.offsetRegs)
    public static let memoryOverDevice = Check(
        id: "memory-over-device", severity: .warning, doc: "a memory node covers device registers (Linux takes them as RAM)",
        run: DeviceTreeChecks.memoryOverDevices)
    public static let reservedOutsideMemory = Check(
        id: "reserved-outside-memory", severity: .warning, doc: "a reserved-memory region lies outside every memory node",
        run: DeviceTreeChecks.reservedOutsideMemory)

    /// A check that reports one kind of the map's structural problems.
    static func structural(_ kind: MapProblem.Kind, _ doc: String) -> Check {
        Check(id: kind.rawValue, severity: .error, doc: doc) { c in c.resolved.problems.filter { $0.kind == kind }.map(Finding.init) }
    }

    static func emptyBuses(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.compactMap { node in
            guard node.kind == .bus, node.children.isEmpty else { return nil }
            return Finding("bus '\(node.name)' has no children and decodes nothing", region: node.id)
        }
    }

    static func unusedSwitches(_ c: CheckContext) -> [Finding] {
        let used = Set(c.tree.nodes.flatMap { $0.region.condition?.comparisons.map(\.name) ?? [] })
        return c.map.switches.filter { !used.contains($0.name) }.map {
            Finding("switch '\($0.name)' is declared but no condition mentions it", location: $0.location)
        }
    }

    /// The parts of a region that occupy its parent's child space: its entries, a PCIe host's
    /// windows, or a bus's windows when it has no range of its own.
    static func parts(_ region: Region) -> [AddressRange] {
        if let host = region.pcie { return region.entries.map(\.range) + host.windows.map(\.cpuRange) }
        if !region.entries.isEmpty { return region.entries.map(\.range) }
        if case .windows(let ws) = region.translation { return ws.map(\.parentRange) }
        return []
    }
}
