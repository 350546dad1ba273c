internal import CLibFDT
public import SoCMap

/// Writes flattened device trees (DTB v17) with libfdt's sequential writer, from
/// `FlatDeviceTree`s (what export builds) or `DeviceTree` values. Misuse (bad names,
/// duplicate properties or nodes, nesting too deep) is a Swift error, never a corrupt blob;
/// the buffer grows on `-FDT_ERR_NOSPACE`.
public enum FDTWriter {
    /// The blob for `tree`.
    ///
    /// - Throws: `FDTError` naming the libfdt code, the operation and the node path.
    public static func write(_ tree: DeviceTree) throws(FDTError) -> [UInt8] {
        try validate(tree.root, path: "/", depth: 0)
        return try write(FlatDeviceTree(tree))
    }

    /// The blob for a flat tree. Names and depth are checked here; a flat tree cannot repeat a
    /// property name in a node (its builder replaces), and sibling node names must be unique,
    /// which the exporter guarantees and `write(_: DeviceTree)` checks.
    ///
    /// - Throws: `FDTError` naming the libfdt code, the operation and the node path.
    public static func write(_ tree: FlatDeviceTree) throws(FDTError) -> [UInt8] {
        guard !tree.nodes.isEmpty else { throw FDTError("the tree has no root node", operation: "writing the tree", location: "/") }
        for (id, name) in tree.names.enumerated() where !(name.utf8.count <= 31 && !name.isEmpty && name.utf8.allSatisfy(isPropertyByte)) {
            // Only names some property uses matter.
            guard let p = tree.properties.firstIndex(where: { $0.name == id }) else { continue }
            let owner = tree.nodes.firstIndex { ($0.firstProperty..<($0.firstProperty + $0.propertyCount)).contains(p) } ?? 0
            throw FDTError("invalid property name '\(name)'", operation: "writing the tree", location: tree.path(of: owner))
        }
        var capacity = 4096 + tree.bytes.count + 16 * tree.nodes.count + 16 * tree.properties.count
        while true {
            do {
                return try attempt(tree, capacity: capacity)
            } catch let error where error.code == -FDT_ERR_NOSPACE && capacity < Int(Int32.max) / 2 {
                capacity *= 2
            }
        }
    }

    private static func attempt(_ tree: FlatDeviceTree, capacity: Int) throws(FDTError) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        let fdt = buffer.baseAddress!
        func check(_ rc: Int32, _ operation: @autoclosure () -> String, _ node: Int? = nil) throws(FDTError) {
            if rc != 0 { throw FDTError(code: rc, operation: operation(), location: node.map { tree.path(of: $0) }) }
        }
        try check(fdt_create(fdt, Int32(capacity)), "fdt_create")
        for r in tree.reservations {
            try check(fdt_add_reservemap_entry(fdt, r.address, r.size), "fdt_add_reservemap_entry", nil)
        }
        try check(fdt_finish_reservemap(fdt), "fdt_finish_reservemap")
        // Property names as C strings, one buffer for all; node names are copied with a NUL.
        var nameOffsets: [Int] = []
        var cNames: [CChar] = []
        for name in tree.names {
            nameOffsets.append(cNames.count)
            cNames.append(contentsOf: name.utf8.map { CChar(bitPattern: $0) })
            cNames.append(0)
        }
        var nodeName = [CChar](repeating: 0, count: 256)
        var ends: [Int] = []  // subtree ends of the open nodes
        try tree.bytes.withUnsafeBufferPointer { bytes throws(FDTError) in
            try cNames.withUnsafeBufferPointer { names throws(FDTError) in
                for i in tree.nodes.indices {
                    while let end = ends.last, end <= i {
                        try check(fdt_end_node(fdt), "fdt_end_node", nil)
                        ends.removeLast()
                    }
                    let node = tree.nodes[i]
                    guard ends.count <= FDTReader.maximumDepth else {
                        throw FDTError("nesting deeper than \(FDTReader.maximumDepth) levels", operation: "writing the tree", location: tree.path(of: i))
                    }
                    let name = UnsafeBufferPointer(rebasing: bytes[node.nameStart..<(node.nameStart + node.nameCount)])
                    guard i == 0 ? name.isEmpty : isValidNodeName(name) else {
                        let text = String(decoding: name, as: UTF8.self)
                        throw FDTError(i == 0 ? "the root node must have an empty name" : "invalid node name '\(text)': 1-31 characters from [0-9a-zA-Z,._+-], then an optional @unit-address",
                                       operation: "writing the tree", location: i == 0 ? "/" : tree.path(of: i))
                    }
                    if nodeName.count <= name.count { nodeName = [CChar](repeating: 0, count: name.count + 1) }
                    nodeName.withUnsafeMutableBufferPointer { n in
                        UnsafeMutableRawBufferPointer(n).copyMemory(from: UnsafeRawBufferPointer(name))
                        n[name.count] = 0
                    }
                    try check(fdt_begin_node(fdt, nodeName), "fdt_begin_node", i)
                    for p in tree.properties[node.firstProperty..<(node.firstProperty + node.propertyCount)] {
                        let rc = fdt_property(fdt, names.baseAddress! + nameOffsets[p.name], bytes.baseAddress! + p.valueStart, Int32(p.valueCount))
                        if rc != 0 { throw FDTError(code: rc, operation: "fdt_property '\(tree.names[p.name])'", location: tree.path(of: i)) }
                    }
                    ends.append(node.end)
                }
                for _ in ends { try check(fdt_end_node(fdt), "fdt_end_node", nil) }
            }
        }
        try check(fdt_finish(fdt), "fdt_finish")
        let size = Int(socmap_fdt_totalsize(fdt))
        return Array(UnsafeRawBufferPointer(start: fdt, count: size))
    }

    @inline(__always)
    static func isNodeByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2C || b == 0x2E || b == 0x5F || b == 0x2B || b == 0x2D
    }

    @inline(__always)
    static func isPropertyByte(_ b: UInt8) -> Bool { isNodeByte(b) || b == 0x3F || b == 0x23 }

    /// `name[@unit]` with 1-31 name characters from the node alphabet.
    static func isValidNodeName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { isValidNodeName($0) }
    }

    /// `isValidNodeName` on bytes.
    static func isValidNodeName(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        var base = 0, unit = -1
        for b in name {
            if b == 0x40 && unit < 0 {
                unit = 0
                continue
            }
            guard isNodeByte(b) else { return false }
            if unit < 0 { base += 1 } else { unit += 1 }
        }
        return base >= 1 && base <= 31 && unit != 0
    }

    /// What libfdt's writer does not check: names, duplicates, depth.
    private static func validate(_ node: DTNode, path: @autoclosure () -> String, depth: Int) throws(FDTError) {
        guard depth <= FDTReader.maximumDepth else { throw FDTError("nesting deeper than \(FDTReader.maximumDepth) levels", operation: "writing the tree", location: path()) }
        if depth > 0 {
            guard isValidNodeName(node.name) else {
                throw FDTError("invalid node name '\(node.name)': 1-31 characters from [0-9a-zA-Z,._+-], then an optional @unit-address", operation: "writing the tree", location: path())
            }
        } else if !node.name.isEmpty {
            throw FDTError("the root node must have an empty name", operation: "writing the tree", location: "/")
        }
        for (i, p) in node.properties.enumerated() {
            guard !p.name.isEmpty, p.name.utf8.count <= 31, p.name.utf8.allSatisfy(isPropertyByte) else {
                throw FDTError("invalid property name '\(p.name)'", operation: "writing the tree", location: path())
            }
            // Nodes carry a handful of properties: a scan beats hashing.
            for q in node.properties[..<i] where q.name == p.name {
                throw FDTError("duplicate property '\(p.name)'", operation: "writing the tree", location: path())
            }
        }
        var names = Set<String>(minimumCapacity: node.children.count)
        for child in node.children {
            func childPath() -> String { let parent = path(); return parent == "/" ? "/" + child.name : parent + "/" + child.name }
            guard node.children.count < 2 || names.insert(child.name).inserted else { throw FDTError("duplicate node name '\(child.name)'", operation: "writing the tree", location: childPath()) }
            try validate(child, path: childPath(), depth: depth + 1)
        }
    }
}
