public import SoCMap

/// Turns a device tree into a map with Linux's reading of it (`drivers/of`):
///
/// - `#address-cells`/`#size-cells` come from the parent, default 2/1 when absent (with a
///   warning like dtc's `avoid_default_addr_size`); 1-4 address cells are accepted.
/// - `ranges` absent: children are not reachable from the parent; empty: identity; entries:
///   windows, the first one holding a child's start address translates it. A level with
///   `#size-cells = 0` (I2C, SPI) is not translatable.
/// - PCI hosts (`device_type = "pci"`): ECAM from `reg`, windows from 3-cell `ranges` by space
///   code (io, mem32, mem64, prefetchable); configuration space never translates.
/// - `/memory` (`linux,usable-memory` wins over `reg`), `/reserved-memory` (ignored when its
///   cells differ from the root's or it lacks `ranges`, as Linux ignores it), `/memreserve/`.
///
/// A tree exported by socmap carries a `/socmap` annotations node; import then rebuilds the
/// original map exactly.
public struct DeviceTreeImport: Sendable {
    /// The map.
    public private(set) var map: AddressMap
    /// Warnings met on the way (defaulted cells, ignored nodes).
    public private(set) var warnings: [Diagnostic] = []

    /// Properties that the import turns into region fields rather than keeping verbatim.
    static let structural: Set<String> = ["reg", "ranges", "#address-cells", "#size-cells", "compatible", "status"]
    /// Root children that hold no address-map information.
    static let skippedRootNodes: Set<String> = ["chosen", "aliases", "cpus", "__symbols__", "__fixups__", "__local_fixups__", "socmap"]

    /// Reads `tree`; `source` names it in diagnostics.
    ///
    /// - Throws: `MapInputError` for malformed cells, `reg` or `ranges`, naming the node path.
    public init(tree: DeviceTree, source: String) throws(MapInputError) {
        var reader = Reader(tree: tree, source: source)
        if let metadata = tree.child(of: tree.root, named: "socmap"),
            tree.property("compatible", of: metadata)?.strings?.contains("socmap,annotations") == true
        {
            map = try reader.annotated(metadata)
        } else {
            map = try reader.generic()
        }
        warnings = reader.warnings
    }
}

/// The parts of one `reg` entry.
struct RegEntry {
    var address: UInt64
    var size: UInt64
}

/// The entries of a checked `reg` property, read on demand.
struct RegTable: RandomAccessCollection {
    let property: DeviceTree.Property?
    let cells: (Int, Int)
    let count: Int

    init(property: DeviceTree.Property?, cells: (Int, Int)) {
        self.property = property
        self.cells = cells
        count = property.map { $0.count / ((cells.0 + cells.1) * 4) } ?? 0
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }
    var first: RegEntry? { count > 0 ? self[0] : nil }

    subscript(i: Int) -> RegEntry {
        let p = property!
        let at = i * (cells.0 + cells.1)
        return RegEntry(
            address: p.number(at: at, count: cells.0) ?? 0, size: cells.1 == 0 ? 0 : p.number(at: at + cells.0, count: cells.1) ?? 0)
    }
}

/// Reads one tree: the state import carries from node to node.
struct Reader {
    typealias NodeID = DeviceTree.NodeID
    let tree: DeviceTree
    let source: String
    var warnings: [Diagnostic] = []
    /// The last `compatible` value decoded, and its strings.
    var lastCompatible: (bytes: ArraySlice<UInt8>, strings: [String])?

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

    /// An error about `node`, naming its path (built only now: paths are for messages).
    func fail(_ id: String, _ message: String, _ node: NodeID) -> MapInputError {
        fail(id, message, path: tree.path(of: node))
    }

    mutating func warn(_ id: String, _ message: String, path: String) {
        warnings.append(Diagnostic(.warning, id, message, at: location, path: path))
    }

    /// A warning about `node`.
    mutating func warn(_ id: String, _ message: String, _ node: NodeID) {
        warn(id, message, path: tree.path(of: node))
    }

    static func join(_ parent: String, _ name: String) -> String { parent == "/" ? "/" + name : parent + "/" + name }

    /// The property `name` of `node`, if the tree has that name at all.
    func property(_ name: DeviceTree.Name?, of node: NodeID) -> DeviceTree.Property? {
        name.flatMap { tree.property($0, of: node) }
    }

    /// A node's `#address-cells`/`#size-cells` for its children: (cells, defaulted).
    func childCells(of node: NodeID) throws(MapInputError) -> (address: Int, size: Int, defaulted: Bool) {
        func read(_ name: String, _ id: DeviceTree.Name?, default value: Int, range: ClosedRange<Int>) throws(MapInputError) -> (Int, Bool)
        {
            guard let p = property(id, of: node) else { return (value, true) }
            guard let v = p.u32 else { throw fail("cells", "\(name) must be one 32-bit cell, not \(p.count) bytes", node) }
            guard range.contains(Int(v)) else {
                throw fail("cells", "\(name) = <\(v)> is outside \(range.lowerBound)-\(range.upperBound)", node)
            }
            return (Int(v), false)
        }
        let (a, da) = try read("#address-cells", ids.addressCells, default: 2, range: 1...4)
        let (s, ds) = try read("#size-cells", ids.sizeCells, default: 1, range: 0...4)
        return (a, s, da || ds)
    }

    /// `reg` (or `linux,usable-memory`) split into entries with the parent's cells.
    func regEntries(_ node: NodeID, cells: (Int, Int), usableMemory: Bool = false) throws(MapInputError) -> RegTable {
        guard let p = property(usableMemory ? ids.usableMemory : ids.reg, of: node) else { return RegTable(property: nil, cells: cells) }
        let entry = (cells.0 + cells.1) * 4
        guard p.count > 0, p.count % entry == 0 else {
            throw fail(
                "reg-format",
                "\(p.name) is \(p.count) bytes, not a non-empty multiple of \(entry) ((#address-cells \(cells.0) + #size-cells \(cells.1)) x 4)",
                node)
        }
        return RegTable(property: p, cells: cells)
    }

    /// `ranges` of a bus node: nil when absent, [] when empty, else windows.
    mutating func windows(_ node: NodeID, own: (Int, Int), parent: (Int, Int)) throws(MapInputError) -> [TranslationWindow]? {
        guard let p = property(ids.ranges, of: node) else { return nil }
        if p.count == 0 { return [] }
        let count = own.0 + parent.0 + own.1
        guard p.count % (count * 4) == 0 else {
            throw fail(
                "ranges-format",
                "ranges is \(p.count) bytes, not a multiple of \(count * 4) ((child #address-cells \(own.0) + parent #address-cells \(parent.0) + #size-cells \(own.1)) x 4)",
                node)
        }
        var result: [TranslationWindow] = []
        for i in stride(from: 0, to: p.count / 4, by: count) {
            let child = p.number(at: i, count: own.0) ?? 0
            let parentAddress = p.number(at: i + own.0, count: parent.0) ?? 0
            let size = p.number(at: i + own.0 + parent.0, count: own.1) ?? 0
            guard size > 0, let w = TranslationWindow(childBase: child, parentBase: parentAddress, size: size) else {
                warn(
                    "ranges-format",
                    "ranges entry \(i / count) (child \(hex(child)), parent \(hex(parentAddress)), size \(hex(size))) is empty or runs past 2^64; skipped",
                    node)
                continue
            }
            result.append(w)
        }
        return result
    }

    /// The range of a `reg` entry, or `nil` (with a warning) when it is empty or wraps.
    mutating func range(_ e: RegEntry, of node: NodeID, sizeCellsZero: Bool) -> AddressRange? {
        if sizeCellsZero { return AddressRange(base: e.address, size: 1) }
        guard let r = AddressRange(base: e.address, size: e.size) else {
            warn("reg-format", "reg entry at \(hex(e.address)) with size \(hex(e.size)) is empty or runs past 2^64; skipped", node)
            return nil
        }
        return r
    }
}

/// Handles of the property names import reads, looked up once per tree.
struct KnownNames {
    let reg, ranges, compatible, status, deviceType, addressCells, sizeCells, dmaRanges, busRange, usableMemory, model, noMap,
        reusable: DeviceTree.Name?
    /// Whether each name (by handle index) is one import turns into region fields
    /// (`DeviceTreeImport.structural`).
    let structural: [Bool]

    init(_ tree: DeviceTree) {
        reg = tree.name("reg")
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
        structural = tree.names.map(DeviceTreeImport.structural.contains)
    }
}
