public import SoCMap

/// Turns a device tree into a map with Linux's reading of it (`drivers/of/address.c`).
///
/// Import is tolerant: only what `fdt_check_full` and the libfdt bridge's layout checks reject
/// refuses a blob. Every semantic oddity is a warning on its node (with a check id), after which
/// the import does what Linux does:
///
/// - `#address-cells`/`#size-cells` come from the parent. When absent, the spec's defaults 2/1
///   apply (dtc's `avoid_default_addr_size` warning; the warning says what Linux, which walks up
///   to an ancestor instead, would use). An address-cell count outside 1-4, or a `#size-cells`
///   of 0, makes the level untranslatable (`OF_CHECK_COUNTS`): the children keep their `reg`
///   entries but reach no CPU address. A malformed cell property counts as absent.
/// - `reg` is split into whole entries; trailing cells are ignored. Every entry stays with its
///   node (one region per node), named by `reg-names`.
/// - `ranges` absent: children are not reachable from the parent; empty: identity; entries:
///   windows (trailing cells ignored), the first one holding a child's start address
///   translates it.
/// - PCI hosts (`device_type = "pci"`): the configuration space is the entry named `cfg`,
///   `config` or `ecam` (or the only entry of `pci-host-ecam-generic`); other entries are the
///   host's register blocks; windows come from 3-cell `ranges` by space code.
/// - `/memory` (`linux,usable-memory` wins over `reg`), `/reserved-memory` (ignored when its
///   cells differ from the root's or it lacks `ranges`, as Linux ignores it), `/memreserve/`.
/// - Device trees have no priorities: the map uses `OverlapRule.deviceTree`.
///
/// A tree exported by socmap carries a `/socmap` annotations node; import then rebuilds the
/// original map exactly (or, if the annotations cannot be read, warns and reads the tree as any
/// other).
public struct DeviceTreeImport: Sendable {
    /// The map.
    public private(set) var map: AddressMap
    /// Warnings met on the way, one per odd node and problem.
    public private(set) var warnings: [Diagnostic] = []

    /// Properties that the import turns into region fields (kept as written too where export
    /// would write them differently).
    static let structural: Set<String> = ["reg", "reg-names", "ranges", "compatible", "status"]
    /// Root children that hold no address of the map, carried whole as description nodes.
    static let describedRootNodes: Set<String> = ["aliases", "cpus", "__fixups__", "__local_fixups__"]

    /// Reads `tree`; `source` names it in diagnostics. Never fails: what is odd is in `warnings`.
    /// `labels` (by node path) name nodes the tree's `/__symbols__` does not (a DTS's labels).
    public init(tree: DeviceTree, source: String, labels: [String: String] = [:]) {
        var reader = Reader(tree: tree, source: source)
        reader.sourceLabels = labels
        if let metadata = tree.child(of: tree.root, named: "socmap"),
            tree.property("compatible", of: metadata)?.strings?.contains("socmap,annotations") == true
        {
            do {
                map = try reader.annotated(metadata)
            } catch {
                for d in error.diagnostics {
                    reader.warn(d.checkID, d.message + "; the tree is read without its annotations", path: d.path ?? "/socmap")
                }
                map = reader.generic()
            }
        } else {
            map = reader.generic()
        }
        warnings = reader.warnings
    }
}

/// What a node says about its children's addresses.
struct ChildCells {
    /// Address cells per child `reg` entry (may be out of range: then nothing translates).
    var address: Int
    /// Size cells per child `reg` entry.
    var size: Int
    /// Whether the node lacked one of the properties (the spec's default was used).
    var defaulted: Bool
    /// Linux's `OF_CHECK_COUNTS`: 1-4 address cells and a non-zero size.
    var translatable: Bool { (1...4).contains(address) && size > 0 }
    var pair: (Int, Int) { (address, size) }
}

/// Reads one tree: the state import carries from node to node.
struct Reader {
    typealias NodeID = DeviceTree.NodeID
    let tree: DeviceTree
    let source: String
    private(set) var warnings: [Diagnostic] = []
    private var warned = Set<String>()
    /// The last `compatible` value decoded, and its strings.
    var lastCompatible: (bytes: ArraySlice<UInt8>, strings: [String])?
    /// Description nodes met so far, with where they hang.
    var attachments: [AttachedNode] = []
    /// Labels by node index, and nodes by phandle.
    var labels: [Int: String] = [:]
    var phandleNodes: [UInt32: NodeID] = [:]
    /// Nodes whose `phandle` export assigned (dropped: the map did not have it).
    var assignedPhandleNodes = Set<Int>()
    /// Map paths by node index where they differ from device-tree paths (annotated import).
    var mapPaths: [Int: String] = [:]
    /// Labels by node path that the caller knows (a DTS's).
    var sourceLabels: [String: String] = [:]
    /// Bytes export would write for a property, compared with the tree's (reused).
    var scratch: [UInt8] = []

    /// Handles of the property names the import looks at (`nil` when the tree has none).
    let ids: KnownNames

    init(tree: DeviceTree, source: String) {
        self.tree = tree
        self.source = source
        ids = KnownNames(tree)
    }

    var location: SourceLocation { SourceLocation(file: source, line: 0, column: 0) }

    func fail(_ id: String, _ message: String, path: String) -> MapInputError {
        MapInputError([Diagnostic(.error, id, message, at: location, path: path)])
    }

    /// A warning; the same one twice (same check, node and text) is kept once.
    mutating func warn(_ id: String, _ message: String, path: String) {
        guard warned.insert("\(id)|\(path)|\(message)").inserted else { return }
        warnings.append(Diagnostic(.warning, id, message, at: location, path: path))
    }

    /// A warning about `node` (its path is built only now: paths are for messages).
    mutating func warn(_ id: String, _ message: String, _ node: NodeID) {
        warn(id, message, path: tree.path(of: node))
    }

    static func join(_ parent: String, _ name: String) -> String { parent == "/" ? "/" + name : parent + "/" + name }

    /// The property `name` of `node`, if the tree has that name at all.
    func property(_ name: DeviceTree.Name?, of node: NodeID) -> DeviceTree.Property? {
        name.flatMap { tree.property($0, of: node) }
    }

    /// A node's `#address-cells`/`#size-cells` for its children, with a warning for a value that
    /// is malformed or stops translation. Absent or malformed ones take the spec's defaults 2/1.
    mutating func childCells(of node: NodeID) -> ChildCells {
        func read(_ name: String, _ id: DeviceTree.Name?, default value: Int) -> (Int, Bool) {
            guard let p = property(id, of: node) else { return (value, true) }
            guard let v = p.u32 else {
                warn("cells", "\(name) is \(p.count) bytes, not one 32-bit cell; read as absent (the default \(value))", node)
                return (value, true)
            }
            return (Int(v), false)
        }
        let (a, da) = read("#address-cells", ids.addressCells, default: 2)
        let (s, ds) = read("#size-cells", ids.sizeCells, default: 1)
        return ChildCells(address: a, size: s, defaulted: da || ds)
    }

    /// At most one warning on a node about the cells its children use, and only where a child
    /// has `reg`: interrupt and clock controllers say `#address-cells = <0>` and I2C or SPI
    /// buses `#size-cells = <0>` with no memory-mapped children, which is normal.
    mutating func warnAboutChildCells(_ cells: ChildCells, of node: NodeID) {
        let sizeless = cells.size == 0 && property(ids.ranges, of: node) != nil
        guard cells.address == 0 || cells.address > 4 || sizeless || cells.defaulted,
            tree.children(of: node).contains(where: { property(ids.reg, of: $0) != nil })
        else { return }
        if cells.address == 0 {
            warn(
                "cells",
                "#address-cells = <0> (as on interrupt controllers), yet a child has reg: nothing below this node has a CPU address (Linux OF_CHECK_COUNTS)",
                node)
        } else if cells.address > 4 {
            warn(
                "cells",
                "#address-cells = <\(cells.address)> is above 4: nothing below this node has a CPU address (Linux OF_CHECK_COUNTS)",
                node)
        } else if sizeless {
            warn(
                "cells",
                "ranges on a bus with #size-cells = <0>: a level without sizes cannot be translated (Linux OF_CHECK_COUNTS), so nothing below this node has a CPU address",
                node)
        } else if cells.defaulted {
            let linux = linuxInheritedCells(of: node)
            let note = linux == (cells.address, cells.size) ? "" : " (Linux walks up to an ancestor's instead: \(linux.0)/\(linux.1))"
            warn("avoid_default_addr_size", "no #address-cells/#size-cells for its children; using the spec's defaults 2/1" + note, node)
        }
    }

    /// What Linux would use for `node`'s children where the node lacks cell properties: the
    /// nearest ancestor's, else its root defaults 1/1 (`of_bus_n_addr_cells`).
    func linuxInheritedCells(of node: NodeID) -> (Int, Int) {
        func inherited(_ id: DeviceTree.Name?) -> Int {
            var current: NodeID? = node
            while let n = current {
                if let v = property(id, of: n)?.u32 { return Int(v) }
                current = tree.parent(of: n)
            }
            return 1
        }
        return (inherited(ids.addressCells), inherited(ids.sizeCells))
    }

    /// Import's warnings for what decoding met on `node`.
    mutating func warn(_ issues: [Encoding.Issue], _ node: NodeID) {
        for i in issues { warn(i.checkID, i.message, node) }
    }

    /// `ranges` of a bus node: nil when absent, [] when empty, else windows (whole entries).
    mutating func windows(_ node: NodeID, own: (Int, Int), parent: (Int, Int)) -> [TranslationWindow]? {
        guard let p = property(ids.ranges, of: node) else { return nil }
        if p.count == 0 { return [] }
        var issues: [Encoding.Issue] = []
        let result = Encoding.windows(p, own: own, parent: parent, issues: &issues)
        warn(issues, node)
        return result
    }

    /// Every usable entry of a node's `reg` (or `linux,usable-memory`), named by `reg-names`.
    mutating func entries(_ node: NodeID, cells: (Int, Int), usableMemory: Bool = false) -> [Region.Entry] {
        guard let p = property(usableMemory ? ids.usableMemory : ids.reg, of: node) else { return [] }
        // Linux reads no address where the parent's address-cell count is outside 1-4 (the parent
        // was warned about).
        guard (1...4).contains(cells.0) else { return [] }
        let names = usableMemory ? nil : property(ids.regNames, of: node)?.strings
        var issues: [Encoding.Issue] = []
        let result = Encoding.entries(reg: p, names: names, cells: cells, issues: &issues)
        warn(issues, node)
        return result
    }
}

/// Handles of the property names import reads, looked up once per tree.
struct KnownNames {
    let reg, regNames, ranges, compatible, status, deviceType, addressCells, sizeCells, dmaRanges, busRange, usableMemory, model, noMap,
        reusable, phandle: DeviceTree.Name?
    /// How each property name of the tree (by index) is read: as references, as cells, or by
    /// the shape of its value.
    let roles: [PropertyRole]

    init(_ tree: DeviceTree) {
        phandle = tree.name("phandle")
        roles = tree.names.map(PropertyRole.init)
        reg = tree.name("reg")
        regNames = tree.name("reg-names")
        ranges = tree.name("ranges")
        compatible = tree.name("compatible")
        status = tree.name("status")
        deviceType = tree.name("device_type")
        addressCells = tree.name("#address-cells")
        sizeCells = tree.name("#size-cells")
        dmaRanges = tree.name("dma-ranges")
        busRange = tree.name("bus-range")
        usableMemory = tree.name("linux,usable-memory")
        model = tree.name("model")
        noMap = tree.name("no-map")
        reusable = tree.name("reusable")
    }
}

/// How import reads a property, by its name.
enum PropertyRole {
    /// A list of phandles without arguments (`interrupt-parent`, `pinctrl-0`).
    case phandles
    /// Phandles with arguments, counted by the provider's `cells` property.
    case phandleArguments(cells: String, optional: Bool)
    /// Always cells (`#…-cells`, `phandle`).
    case cells
    /// By the shape of the value, as dtc prints it.
    case shape

    init(_ name: String) {
        if Reader.phandleLists.contains(name) || Reader.isPinctrl(name) {
            self = .phandles
        } else if let known = Reader.phandleArguments[name] {
            self = .phandleArguments(cells: known.cells, optional: known.optional)
        } else if Reader.isGPIO(name) {
            self = .phandleArguments(cells: "#gpio-cells", optional: false)
        } else if name.hasPrefix("#") || name == "phandle" || name == "linux,phandle" {
            self = .cells
        } else {
            self = .shape
        }
    }
}
