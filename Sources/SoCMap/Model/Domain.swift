/// How a guest sees one piece of its address space.
public enum GuestMode: Hashable, Sendable {
    /// Guest-physical equals host-physical (Xen `direct-map`).
    case direct
    /// Stage-2 (or an IOMMU) maps the guest range to a different host range.
    case translated
    /// Accesses trap to the hypervisor or a device model; no host backing.
    case emulated
    /// A host device's registers mapped into the guest, 1:1 or at another guest address.
    case passthrough

    /// The word used in maps and output.
    public var name: String {
        switch self {
        case .direct: return "direct"
        case .translated: return "translated"
        case .emulated: return "emulated"
        case .passthrough: return "passthrough"
        }
    }

    /// Parses the word used in maps.
    public init?(name: String) {
        switch name {
        case "direct": self = .direct
        case "translated": self = .translated
        case "emulated": self = .emulated
        case "passthrough": self = .passthrough
        default: return nil
        }
    }
}

/// One entry of a guest domain: a host region (or a slice of it) with a mode, or a
/// guest-only emulated device.
public struct DomainEntry: Hashable, Sendable {
    /// The entry's name (default: the host region's name).
    public var name: String
    /// The mode.
    public var mode: GuestMode
    /// The host region (a path or a unique name); `nil` for a guest-only emulated device.
    public var host: String?
    /// A slice of the host region: offset into it and size (`nil`: the whole region).
    public var slice: (offset: UInt64, size: UInt64)?
    /// The guest address of the entry's base; `nil` means the host address (1:1).
    public var guestBase: UInt64?
    /// Size of a guest-only device (host-backed entries take their size from the host).
    public var size: UInt64?
    /// The device model an emulated entry traps to (`vpl011`, `vgic`, `qemu`).
    public var deviceModel: String?
    /// The host range is deliberately shared with another domain.
    public var shared: Bool
    /// A passed-through device that masters DMA.
    public var dma: Bool
    /// What a guest-only entry is (`mmio` by default; `dram` for emulated RAM).
    public var kind: RegionKind?
    /// An explicit E820 type for the guest table.
    public var e820Type: UInt32?
    /// Where it was written.
    public var location: SourceLocation?

    /// Creates an entry.
    public init(
        name: String, mode: GuestMode, host: String? = nil, slice: (offset: UInt64, size: UInt64)? = nil, guestBase: UInt64? = nil,
        size: UInt64? = nil, deviceModel: String? = nil, shared: Bool = false, dma: Bool = false, kind: RegionKind? = nil,
        e820Type: UInt32? = nil, location: SourceLocation? = nil
    ) {
        self.name = name
        self.mode = mode
        self.host = host
        self.slice = slice
        self.guestBase = guestBase
        self.size = size
        self.deviceModel = deviceModel
        self.shared = shared
        self.dma = dma
        self.kind = kind
        self.e820Type = e820Type
        self.location = location
    }

    public static func == (a: DomainEntry, b: DomainEntry) -> Bool {
        a.name == b.name && a.mode == b.mode && a.host == b.host && a.slice?.offset == b.slice?.offset && a.slice?.size == b.slice?.size
            && a.guestBase == b.guestBase && a.size == b.size && a.deviceModel == b.deviceModel && a.shared == b.shared && a.dma == b.dma
            && a.kind == b.kind && a.e820Type == b.e820Type && a.location == b.location
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(host)
        hasher.combine(guestBase)
    }
}

/// A guest: an address space built from host regions. Host regions it does not list are
/// invisible to it.
public struct Domain: Hashable, Sendable {
    /// The name (`domU1`).
    public var name: String
    /// Trusted domains may pass through DMA masters without an IOMMU.
    public var trusted: Bool
    /// DMA of passed-through devices goes through an IOMMU.
    public var iommu: Bool
    /// Memory is statically allocated (`xen,static-mem`).
    public var staticMemory: Bool
    /// The whole domain is direct-mapped (Xen `direct-map`).
    public var directMap: Bool
    /// Guest physical address width, when limited.
    public var addressBits: Int?
    /// Number of vCPUs.
    public var cpus: Int?
    /// The host initiator whose view backs the guest (default: the map's first).
    public var initiator: String?
    /// The entries, in declaration order (earlier entries win overlaps, which `check` reports).
    public var entries: [DomainEntry]
    /// Map paths of the host's description nodes the guest's device tree carries too (CPUs,
    /// timer, PSCI, clocks: what a guest booted on its own needs besides its devices).
    public var nodes: [String] = []
    /// Free text.
    public var notes: String?
    /// The hypervisor's fixed guest layout the domain follows (`GuestLayout.named`), if any.
    public var layout: String?
    /// Where it was written.
    public var location: SourceLocation?

    /// Creates a domain.
    public init(
        name: String, trusted: Bool = false, iommu: Bool = false, staticMemory: Bool = false, directMap: Bool = false,
        addressBits: Int? = nil, cpus: Int? = nil, initiator: String? = nil, entries: [DomainEntry] = [], notes: String? = nil,
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.trusted = trusted
        self.iommu = iommu
        self.staticMemory = staticMemory
        self.directMap = directMap
        self.addressBits = addressBits
        self.cpus = cpus
        self.initiator = initiator
        self.entries = entries
        self.notes = notes
        self.location = location
    }

    /// The highest guest address `addressBits` allows.
    public var addressLimit: UInt64 {
        guard let bits = addressBits, bits < 64 else { return .max }
        return (UInt64(1) << UInt64(max(bits, 1))) - 1
    }
}
