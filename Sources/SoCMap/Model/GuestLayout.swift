/// A hypervisor's fixed guest-physical layout, which a domain names with `layout:`: the
/// windows the hypervisor emulates at fixed guest addresses, and the banks where it puts guest
/// RAM. Resolving a domain adds the layout's windows it does not list itself and places its
/// translated RAM entries without `guest-base` in the banks, in order.
public struct GuestLayout: Hashable, Sendable {
    /// One fixed window.
    public struct Window: Hashable, Sendable {
        /// The entry name it takes.
        public let name: String
        public let base: UInt64
        public let size: UInt64
        /// `mmio` for emulated devices, `reserved` for guest-physical space the hypervisor keeps.
        public let kind: RegionKind
        /// What accesses trap to.
        public let deviceModel: String
        /// Only on hosts with this GIC version (`nil`: always).
        public let gic: Int?
    }

    /// The name a domain gives in `layout:`.
    public let name: String
    /// What it is, for people.
    public let doc: String
    /// The fixed windows.
    public let windows: [Window]
    /// Where guest RAM goes, in order.
    public let ramBanks: [AddressRange]

    /// Xen 4.17 on Arm: the constants of `xen/include/public/arch-arm.h` (GUEST_GICD_BASE,
    /// GUEST_GICC_BASE, GUEST_GICV3_GICD_BASE, GUEST_GICV3_GICR0_BASE, GUEST_PL011_BASE,
    /// GUEST_GNTTAB_BASE, GUEST_MAGIC_BASE, GUEST_RAM0_BASE, GUEST_RAM1_BASE and their sizes).
    /// The vGIC follows the host's GIC version, as Xen's does; the vPL011 console is always there
    /// (the `xen,domain` node then says `vpl011`).
    public static let xenArm64 = GuestLayout(
        name: "xen-arm64", doc: "Xen 4.17 on Arm (xen/include/public/arch-arm.h)",
        windows: [
            Window(name: "gicd", base: 0x0300_1000, size: 0x1000, kind: .mmio, deviceModel: "xen-vgic-v2-gicd", gic: 2),
            Window(name: "gicc", base: 0x0300_2000, size: 0x2000, kind: .mmio, deviceModel: "xen-vgic-v2-gicc", gic: 2),
            Window(name: "gicd", base: 0x0300_1000, size: 0x1_0000, kind: .mmio, deviceModel: "xen-vgic-v3-gicd", gic: 3),
            Window(name: "gicr", base: 0x0302_0000, size: 0x100_0000, kind: .mmio, deviceModel: "xen-vgic-v3-gicr", gic: 3),
            Window(name: "console", base: 0x2200_0000, size: 0x1000, kind: .mmio, deviceModel: "vpl011", gic: nil),
            Window(name: "grant-table", base: 0x3800_0000, size: 0x100_0000, kind: .reserved, deviceModel: "xen-grant-table", gic: nil),
            Window(name: "magic-pages", base: 0x3900_0000, size: 0x100_0000, kind: .reserved, deviceModel: "xen-magic-pages", gic: nil),
        ],
        ramBanks: [AddressRange(base: 0x4000_0000, size: 0xC000_0000)!, AddressRange(base: 0x2_0000_0000, size: 0xFE_0000_0000)!])

    /// Every layout socmap knows.
    public static let all: [GuestLayout] = [.xenArm64]

    /// The layout named `name`.
    public static func named(_ name: String) -> GuestLayout? { all.first { $0.name == name } }

    /// The entries the layout adds to a domain on a host with GIC version `gic`: its windows
    /// for that GIC, except names the domain already uses.
    public func entries(for domain: Domain, gic: Int) -> [DomainEntry] {
        windows.filter { w in (w.gic == nil || w.gic == gic) && !domain.entries.contains { $0.name == w.name } }.map { w in
            var e = DomainEntry(name: w.name, mode: .emulated)
            e.guestBase = w.base
            e.size = w.size
            e.kind = w.kind
            e.deviceModel = w.deviceModel
            e.location = domain.location
            return e
        }
    }

    /// Guest bases for RAM of the given sizes, in order, filling the banks; `nil` for RAM that
    /// does not fit.
    public func ramBases(_ sizes: [UInt64]) -> [UInt64?] {
        var bank = 0
        var used: UInt64 = 0
        return sizes.map { size in
            guard size > 0 else { return nil }
            while bank < ramBanks.count {
                let b = ramBanks[bank]
                if used <= b.sizeMinusOne, size - 1 <= b.sizeMinusOne - used {
                    defer { used &+= size }
                    return b.base + used
                }
                bank += 1
                used = 0
            }
            return nil
        }
    }
}
