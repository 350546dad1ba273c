/// A bus master with its own view of the address space (CPU cluster, HP ports, DMA).
public struct Initiator: Hashable, Sendable {
    /// The name used by `seen-by` and `--initiator`.
    public var name: String
    /// What the initiator is, for people.
    public var doc: String?
    /// Where it was declared.
    public var location: SourceLocation?

    /// Creates an initiator.
    public init(name: String, doc: String? = nil, location: SourceLocation? = nil) {
        self.name = name
        self.doc = doc
        self.location = location
    }
}

/// A named configuration value that enables, disables or moves regions.
public struct Switch: Hashable, Sendable {
    /// The name used in `when` conditions and `--set`.
    public var name: String
    /// The values it can take, in order.
    public var values: [String]
    /// The value used when none is set.
    public var defaultValue: String
    /// What the switch is, for people.
    public var doc: String?
    /// Where it was declared.
    public var location: SourceLocation?

    /// Creates a switch.
    public init(name: String, values: [String], defaultValue: String, doc: String? = nil, location: SourceLocation? = nil) {
        self.name = name
        self.values = values
        self.defaultValue = defaultValue
        self.doc = doc
        self.location = location
    }
}

/// One value per switch. Switches not set explicitly read as their default.
public struct SwitchSetting: Hashable, Sendable, CustomStringConvertible {
    /// Explicit values by switch name.
    public private(set) var values: [String: String]
    private let switches: [Switch]

    /// The setting where every switch of `map` has its default value.
    public init(defaultsOf map: AddressMap) {
        switches = map.switches
        values = [:]
    }

    /// The defaults of `map` overridden by `values`, each checked against the map.
    ///
    /// - Throws: `RouterError.unknownSwitch` or `.unknownSwitchValue` naming the culprit.
    public init(_ values: [String: String], for map: AddressMap) throws(RouterError) {
        self.init(defaultsOf: map)
        for (name, value) in values.sorted(by: { $0.key < $1.key }) { try set(name, to: value) }
    }

    /// The value of a switch (explicit, else default), `nil` for an unknown switch.
    public subscript(name: String) -> String? {
        values[name] ?? switches.first { $0.name == name }?.defaultValue
    }

    /// Sets one switch.
    ///
    /// - Throws: `RouterError.unknownSwitch` or `.unknownSwitchValue`.
    public mutating func set(_ name: String, to value: String) throws(RouterError) {
        guard let s = switches.first(where: { $0.name == name }) else {
            throw .unknownSwitch(name, known: switches.map(\.name))
        }
        guard s.values.contains(value) else { throw .unknownSwitchValue(switch: name, value: value, allowed: s.values) }
        values[name] = value
    }

    /// Every switch with its effective value, sorted by name.
    public var pairs: [(name: String, value: String)] {
        switches.map { ($0.name, values[$0.name] ?? $0.defaultValue) }.sorted { $0.name < $1.name }
    }

    /// Settings are equal when every switch has the same effective value: a switch set
    /// explicitly to its default equals one left at it.
    public static func == (a: SwitchSetting, b: SwitchSetting) -> Bool {
        a.pairs.elementsEqual(b.pairs) { $0.name == $1.name && $0.value == $1.value }
    }

    /// Hashes the effective values, like `==`.
    public func hash(into hasher: inout Hasher) {
        for p in pairs {
            hasher.combine(p.name)
            hasher.combine(p.value)
        }
    }

    /// `name=value` pairs of every switch, sorted by name.
    public var description: String {
        pairs.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    }

    /// Every combination of the given switches' values, the others at their defaults,
    /// in odometer order (first switch slowest).
    public static func all(for map: AddressMap, switches names: [String]? = nil) -> [SwitchSetting] {
        let chosen = map.switches.filter { names?.contains($0.name) ?? true }
        var result = [SwitchSetting(defaultsOf: map)]
        for s in chosen {
            var next: [SwitchSetting] = []
            for partial in result {
                for v in s.values {
                    var setting = partial
                    setting.values[s.name] = v
                    next.append(setting)
                }
            }
            result = next
        }
        return result
    }

    /// How many settings `all(for:)` would give, saturating at `limit + 1`.
    public static func combinationCount(for map: AddressMap, limit: Int) -> Int {
        map.switches.reduce(1) { $0 > limit ? $0 : $0 * max($1.values.count, 1) }
    }
}

/// How a map resolves regions that claim the same addresses.
public enum OverlapRule: String, Hashable, Sendable, CaseIterable {
    /// QEMU's memory API: among siblings the higher priority wins, then the later-declared one;
    /// a child is painted over its parent. What hand-written maps use.
    case priority
    /// Device trees have no priorities: the deepest node wins (a device over its bus's own
    /// registers), then the first in tree order, then the node's first `reg` entry.
    case deviceTree = "device-tree"
}

/// One SoC or board: its initiators, switches, a tree of regions and guest domains.
///
/// A map is plain data, built in code or read from a file; `ResolvedMap` expands and checks
/// it, and `Router` lowers it for one initiator.
public struct AddressMap: Hashable, Sendable {
    /// Short name (`zynq-7000`).
    public var name: String
    /// Device-tree root `model`.
    public var model: String?
    /// Device-tree root `compatible`.
    public var compatible: [String]
    /// Physical address width; regions must lie below 2^addressBits.
    public var addressBits: Int
    /// Optional layout profile name (checked by `socmap check`).
    public var profile: String?
    /// Free text for people.
    public var notes: String?
    /// Bus masters, each with its own view. Empty: one view for everybody.
    public var initiators: [Initiator]
    /// Configuration switches.
    public var switches: [Switch]
    /// Top-level regions, in declaration order.
    public var regions: [Region]
    /// Guest domains built from the host regions.
    public var domains: [Domain] = []
    /// How overlapping regions are resolved: by priority (maps, QEMU's rules) or by depth
    /// (device trees, which have no priorities).
    public var overlapRule: OverlapRule = .priority
    /// The device tree beyond the address map: root properties, nodes without addresses, and
    /// how export writes the tree.
    public var deviceTree = DeviceTreeContent()
    /// The file the map came from, for diagnostics.
    public var source: String?

    /// Creates a map.
    public init(
        name: String, model: String? = nil, compatible: [String] = [], addressBits: Int = 64,
        profile: String? = nil, notes: String? = nil, initiators: [Initiator] = [],
        switches: [Switch] = [], regions: [Region] = [], source: String? = nil
    ) {
        self.name = name
        self.model = model
        self.compatible = compatible
        self.addressBits = addressBits
        self.profile = profile
        self.notes = notes
        self.initiators = initiators
        self.switches = switches
        self.regions = regions
        self.source = source
    }

    /// The highest address the map's `address-bits` allow.
    public var addressLimit: UInt64 {
        addressBits >= 64 ? .max : (UInt64(1) << UInt64(max(addressBits, 0))) - 1
    }

    /// Looks up a switch by name.
    public func switchNamed(_ name: String) -> Switch? { switches.first { $0.name == name } }

    /// Looks up a domain by name.
    public func domainNamed(_ name: String) -> Domain? { domains.first { $0.name == name } }

    /// The default initiator for views: the first one declared, or `nil` when there are none.
    public var defaultInitiator: String? { initiators.first?.name }
}

extension AddressMap {
    /// The same map with every source location removed: two maps that differ only in
    /// where things were written compare equal after this.
    public func withoutLocations() -> AddressMap {
        var copy = self
        copy.source = nil
        copy.initiators = initiators.map {
            var i = $0
            i.location = nil
            return i
        }
        copy.switches = switches.map {
            var s = $0
            s.location = nil
            return s
        }
        copy.regions = regions.map { $0.withoutLocations() }
        copy.deviceTree.nodes = deviceTree.nodes.map {
            var a = $0
            a.node = a.node.withoutLocations()
            return a
        }
        copy.domains = domains.map { d in
            var d = d
            d.location = nil
            d.entries = d.entries.map {
                var e = $0
                e.location = nil
                return e
            }
            return d
        }
        return copy
    }
}

extension Region {
    /// The region and its subtree without source locations.
    public func withoutLocations() -> Region {
        var copy = self
        copy.location = nil
        copy.children = children.map { $0.withoutLocations() }
        if case .windows(let ws) = translation {
            copy.translation = .windows(
                ws.map {
                    var w = $0
                    w.location = nil
                    return w
                })
        }
        if var host = pcie {
            host.windows = host.windows.map {
                var w = $0
                w.location = nil
                return w
            }
            copy.pcie = host
        }
        return copy
    }
}
