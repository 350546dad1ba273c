/// What a region is: how it decodes and how it is exported to a device tree.
public enum RegionKind: String, CaseIterable, Sendable, Codable {
    /// Main memory (DDR); a device-tree `/memory` node.
    case dram
    /// On-chip RAM (OCM, TCM, SRAM); an `mmio-sram` node.
    case sram
    /// Read-only or execute-in-place memory: boot ROM, QSPI/NOR linear windows.
    case rom
    /// Device registers.
    case mmio
    /// A hole nothing may decode in; accesses there are decode errors.
    case reserved
    /// An FPGA fabric aperture (Zynq M_AXI_GP0): decodes itself where no PL slave does.
    case plWindow = "pl-window"
    /// A PCIe host bridge: ECAM configuration space plus io/mem32/mem64 windows.
    case pcie
    /// A container whose children live in a child address space, reached through `ranges`.
    case bus
    /// A window onto another region at an offset.
    case alias

    /// Whether the region fills the holes its children leave (QEMU's non-pure container),
    /// as opposed to letting lower-priority siblings show through (`bus`).
    public var decodesHoles: Bool {
        switch self {
        case .bus, .alias, .pcie: return false
        case .dram, .sram, .rom, .mmio, .reserved, .plWindow: return true
        }
    }

    /// Whether a region of this kind must carry `base` and `size`.
    public var needsRange: Bool {
        switch self {
        case .bus, .pcie: return false
        default: return true
        }
    }

    /// Whether its windows must be aligned to their size (the natural alignment of the size).
    public var requiresNaturalAlignment: Bool { self == .plWindow }
}

/// Where something was written: a map file position, or a device-tree node path.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The file the map came from.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:col`, or just `file` for inputs without lines (a DTB: the node path
    /// travels in the diagnostic's path).
    public var description: String { line == 0 ? file : "\(file):\(line):\(column)" }
}

/// How a region's children reach its parent's address space (device-tree `ranges`).
public enum Translation: Hashable, Sendable {
    /// Child addresses equal parent addresses (`ranges;`).
    case identity
    /// Children are not reachable from the parent (no `ranges`; an I2C or SPI bus).
    case none
    /// Explicit windows; the first window whose child range holds a child's base address
    /// translates it (Linux `of_translate_address`).
    case windows([TranslationWindow])
}

/// One `ranges` entry: `size` bytes at `childBase` in the child space appear at
/// `parentBase` in the parent space.
public struct TranslationWindow: Hashable, Sendable {
    /// The window in the child (bus) space.
    public var childRange: AddressRange
    /// The window in the parent space.
    public var parentRange: AddressRange
    /// Where the window was written.
    public var location: SourceLocation?

    /// Creates a window, or `nil` when either side is empty or overflows.
    public init?(childBase: UInt64, parentBase: UInt64, size: UInt64, location: SourceLocation? = nil) {
        guard let child = AddressRange(base: childBase, size: size),
            let parent = AddressRange(base: parentBase, size: size)
        else { return nil }
        childRange = child
        parentRange = parent
        self.location = location
    }

    /// The displacement from the child space into the parent space.
    public var displacement: Displacement { Displacement(from: childRange.base, to: parentRange.base) }
}

/// The target of an `alias` region: another region's path and an offset into it.
public struct AliasTarget: Hashable, Sendable {
    /// The target region, as a path (`/ddr`, `/amba/uart0`) or a name unique in the map.
    public var path: String
    /// The offset into the target that the alias's base shows.
    public var offset: UInt64

    /// Creates an alias target.
    public init(path: String, offset: UInt64 = 0) {
        self.path = path
        self.offset = offset
    }
}

/// A PCI address space code, as in the first cell of a PCI `ranges` entry.
public enum PCISpace: String, CaseIterable, Sendable {
    /// Configuration space (phys.hi space code 0b00); never translated through `ranges`.
    case config
    /// I/O space (0b01).
    case io
    /// 32-bit memory space (0b10).
    case mem32
    /// 64-bit memory space (0b11).
    case mem64

    /// The `phys.hi` cell's space code bits for this space (without the prefetchable bit).
    public var physHi: UInt32 {
        switch self {
        case .config: return 0x0000_0000
        case .io: return 0x0100_0000
        case .mem32: return 0x0200_0000
        case .mem64: return 0x0300_0000
        }
    }

    /// A name for people: "I/O space", "32-bit memory space".
    public var label: String {
        switch self {
        case .config: return "configuration space"
        case .io: return "I/O space"
        case .mem32: return "32-bit memory space"
        case .mem64: return "64-bit memory space"
        }
    }
}

/// An outbound window of a PCIe host bridge: CPU addresses that become PCI bus addresses.
public struct PCIeWindow: Hashable, Sendable {
    /// The PCI space the window opens onto.
    public var space: PCISpace
    /// Whether the window is prefetchable (phys.hi bit 30).
    public var prefetchable: Bool
    /// The window in the CPU-side (parent) space.
    public var cpuRange: AddressRange
    /// The PCI bus address at the window's base.
    public var pciBase: UInt64
    /// Where the window was written.
    public var location: SourceLocation?

    /// Creates a window.
    public init(space: PCISpace, prefetchable: Bool = false, cpuRange: AddressRange, pciBase: UInt64, location: SourceLocation? = nil) {
        self.space = space
        self.prefetchable = prefetchable
        self.cpuRange = cpuRange
        self.pciBase = pciBase
        self.location = location
    }
}

/// The PCIe-specific part of a `pcie` region: which of the region's entries is the ECAM
/// configuration space, the bus numbers and the outbound windows. The host's other entries are
/// register blocks of the bridge (`dbi`, `breg`, `apb`, ...).
public struct PCIeHost: Hashable, Sendable {
    /// The index in the region's `entries` of the ECAM configuration space (1 MiB per bus), when
    /// the host has one.
    public var ecamEntry: Int?
    /// The first bus number (`bus-range`).
    public var firstBus: UInt8
    /// The last bus number.
    public var lastBus: UInt8
    /// Outbound windows, in declaration order.
    public var windows: [PCIeWindow]

    /// The entry that is a host's ECAM (bus << 20 | device << 15 | function << 12), as bindings
    /// name it: the one named `cfg`, `config` or `ecam` (of at least 1 MiB, one bus), else the
    /// only entry of a `pci-host-ecam-generic` host; `nil` when none is recognisable (then no
    /// rule may assume an ECAM). A DesignWare host (one with a `dbi` entry) has none: its
    /// `config` entry is a window the controller's address translation points at one bus or
    /// device at a time.
    public static func configurationEntry(in entries: [Region.Entry], compatible: [String]) -> Int? {
        let names: Set<String> = ["cfg", "config", "ecam"]
        if entries.contains(where: { $0.name?.lowercased() == "dbi" }) { return nil }
        // An ECAM holds 1 MiB per bus: a smaller "cfg" is some other configuration window.
        if let i = entries.firstIndex(where: { $0.name.map { names.contains($0.lowercased()) } ?? false }),
            entries[i].range.sizeMinusOne >= (1 << 20) - 1
        {
            return i
        }
        if entries.count == 1 && compatible.contains(where: { $0 == "pci-host-ecam-generic" || $0 == "pci-host-cam-generic" }) { return 0 }
        return nil
    }

    /// Creates a host description.
    public init(ecamEntry: Int?, firstBus: UInt8 = 0, lastBus: UInt8 = 255, windows: [PCIeWindow]) {
        self.ecamEntry = ecamEntry
        self.firstBus = firstBus
        self.lastBus = lastBus
        self.windows = windows
    }
}

/// `count` copies of a region, `stride` bytes apart, named `name-0`, `name-1`, ... (or with
/// `{i}` in the name replaced by the index).
public struct Repetition: Hashable, Sendable {
    /// How many copies.
    public var count: Int
    /// Distance between consecutive bases.
    public var stride: UInt64

    /// Creates a repetition.
    public init(count: Int, stride: UInt64) {
        self.count = count
        self.stride = stride
    }
}

/// A named range in its parent's address space, with a kind and optional children.
public struct Region: Hashable, Sendable {
    /// The name, unique among siblings; paths join names with `/`.
    public var name: String
    /// What the region is.
    public var kind: RegionKind
    /// The region's ranges in the parent's space, in order: a device-tree node's `reg`
    /// entries, each optionally named as in `reg-names`. Most regions have one; a `bus` may have
    /// none (then it is as large as its windows), and a `pcie` host has its register blocks and
    /// ECAM here (its windows are in `pcie`).
    public var entries: [Entry]
    /// Signed priority among siblings; higher wins, equal priority lets the later sibling win.
    public var priority: Int
    /// Switch condition; the region and its subtree exist only where it holds.
    public var condition: Condition?
    /// The initiators that see this placement; `nil` means all of them, `[]` none (a region
    /// reached only through aliases).
    public var seenBy: [String]?
    /// `status = "disabled"`: removes the whole subtree from every view.
    public var disabled: Bool
    /// The map says an equal-priority overlap with a sibling is intended.
    public var overlapIntended: Bool
    /// Device-tree `compatible` strings.
    public var compatible: [String]
    /// Extra device-tree properties, in order.
    public var properties: [Property]
    /// Free text for people.
    public var notes: String?
    /// How children reach this region's parent space.
    public var translation: Translation
    /// Child regions, in declaration order (later siblings win ties).
    public var children: [Region]
    /// The aliased region, for `alias`.
    public var alias: AliasTarget?
    /// The host bridge description, for `pcie`.
    public var pcie: PCIeHost?
    /// Copies of this region, for register-block arrays.
    public var repetition: Repetition?
    /// Where the region was written.
    public var location: SourceLocation?
    /// The device-tree label references use (`gic` in `gic: interrupt-controller@8000000`).
    public var label: String?
    /// A `reserved` region that is a `/memreserve/` entry of the device tree (export writes it in
    /// the blob's reservation block, not as a node).
    public var memoryReservation = false
    /// Reserved for the hypervisor (`virtualization: hypervisor`): no guest may reach it.
    public var hypervisorOnly = false
    /// Whether the region's range bounds its children (`clip-children`, default true). A
    /// device-tree node's `reg` names its own registers, not its children's space, so imported
    /// nodes with both `reg` and children do not clip them.
    public var clipsChildren = true

    /// Creates a region; only `name` and `kind` are required.
    public init(
        name: String, kind: RegionKind, range: AddressRange? = nil, entries: [Entry] = [], priority: Int = 0,
        condition: Condition? = nil, seenBy: [String]? = nil, disabled: Bool = false,
        overlapIntended: Bool = false, compatible: [String] = [], properties: [Property] = [],
        notes: String? = nil, translation: Translation = .identity, children: [Region] = [],
        alias: AliasTarget? = nil, pcie: PCIeHost? = nil, repetition: Repetition? = nil,
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.kind = kind
        // No concatenation when one side is empty: imports build one region per node.
        self.entries = range.map { [Entry(range: $0)] + entries } ?? entries
        self.priority = priority
        self.condition = condition
        self.seenBy = seenBy
        self.disabled = disabled
        self.overlapIntended = overlapIntended
        self.compatible = compatible
        self.properties = properties
        self.notes = notes
        self.translation = translation
        self.children = children
        self.alias = alias
        self.pcie = pcie
        self.repetition = repetition
        self.location = location
    }

    /// The first range (the region's main range, `reg` entry 0); setting it replaces that entry
    /// (keeping its name) or, with `nil`, removes every entry.
    public var range: AddressRange? {
        get { entries.first?.range }
        set {
            if let newValue {
                if entries.isEmpty { entries = [Entry(range: newValue)] } else { entries[0].range = newValue }
            } else {
                entries = []
            }
        }
    }

    /// The ECAM configuration space of a `pcie` host, when it has one.
    public var ecam: AddressRange? {
        guard let i = pcie?.ecamEntry, entries.indices.contains(i) else { return nil }
        return entries[i].range
    }

    /// A PCIe host bridge with an ECAM (its only entry, when given) and windows.
    public static func pcieHost(
        name: String, ecam: AddressRange?, firstBus: UInt8 = 0, lastBus: UInt8 = 255, windows: [PCIeWindow], location: SourceLocation? = nil
    ) -> Region {
        Region(
            name: name, kind: .pcie, range: ecam,
            pcie: PCIeHost(ecamEntry: ecam == nil ? nil : 0, firstBus: firstBus, lastBus: lastBus, windows: windows), location: location)
    }

    /// Whether `initiator` sees this placement (`nil` initiator: the map declares none).
    public func isSeen(by initiator: String?) -> Bool {
        guard let seenBy else { return true }
        guard let initiator else { return !seenBy.isEmpty }
        return seenBy.contains(initiator)
    }
}

extension Region {
    /// A device-tree property a region carries as written in the map (typed, unlike the raw
    /// bytes of a device-tree node).
    public struct Property: Hashable, Sendable {
        /// Property value shapes a map can express.
        public enum Value: Hashable, Sendable {
            /// A property with no value (`dma-coherent;`).
            case empty
            /// One string.
            case string(String)
            /// A string list.
            case strings([String])
            /// 32-bit cells.
            case cells([UInt32])
            /// Raw bytes.
            case bytes([UInt8])
            /// 32-bit cells some of which are references to nodes (`clocks = <&clk 27>`):
            /// export writes each reference as its target's phandle.
            case references([Cell])
            /// The path of a node, as a string (`stdout-path = &uart0;`): export writes the
            /// target's device-tree path.
            case pathOf(NodeReference)
        }

        /// One cell of a `references` value.
        public enum Cell: Hashable, Sendable {
            /// A plain 32-bit number.
            case number(UInt32)
            /// A node's phandle.
            case reference(NodeReference)

            /// The number, when the cell is one.
            public var number: UInt32? {
                if case .number(let n) = self { return n }
                return nil
            }

            /// The reference, when the cell is one.
            public var reference: NodeReference? {
                if case .reference(let r) = self { return r }
                return nil
            }
        }

        /// The property name.
        public var name: String
        /// The value.
        public var value: Value

        /// Creates a property.
        public init(name: String, value: Value) {
            self.name = name
            self.value = value
        }
    }

    /// One of a region's ranges: a `reg` entry, optionally named as in `reg-names`.
    public struct Entry: Hashable, Sendable {
        /// The range in the parent's space.
        public var range: AddressRange
        /// The `reg-names` name, if any (`cfg`, `dbi`, `breg`).
        public var name: String?

        /// Creates an entry.
        public init(range: AddressRange, name: String? = nil) {
            self.range = range
            self.name = name
        }
    }
}
