internal import CLibFDT
public import SoCMap

/// Writes `DeviceTree` values as flattened device trees (DTB v17) with libfdt's sequential
/// writer. Misuse (bad names, duplicate properties or nodes) is a Swift error, never a
/// corrupt blob; the buffer grows on `-FDT_ERR_NOSPACE`.
public enum FDTWriter {
    /// The blob for `tree`.
    ///
    /// - Throws: `FDTError` naming the libfdt code, the operation and the node path.
    public static func write(_ tree: DeviceTree) throws(FDTError) -> [UInt8] {
        try validate(tree.root, path: "/", depth: 0)
        var capacity = 4096 + estimate(tree.root)
        while true {
            do {
                return try attempt(tree, capacity: capacity)
            } catch let error where error.code == -FDT_ERR_NOSPACE && capacity < Int(Int32.max) / 2 {
                capacity *= 2
            }
        }
    }

    private static func estimate(_ node: DTNode) -> Int {
        node.name.utf8.count + 16 + node.properties.reduce(0) { $0 + $1.bytes.count + $1.name.utf8.count + 16 } + node.children.reduce(0) { $0 + estimate($1) }
    }

    private static func attempt(_ tree: DeviceTree, capacity: Int) throws(FDTError) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        let fdt = buffer.baseAddress!
        func check(_ rc: Int32, _ operation: String, _ path: String? = nil) throws(FDTError) {
            if rc != 0 { throw FDTError(code: rc, operation: operation, location: path) }
        }
        try check(fdt_create(fdt, Int32(capacity)), "fdt_create")
        for r in tree.reservations {
            try check(fdt_add_reservemap_entry(fdt, r.address, r.size), "fdt_add_reservemap_entry", "reservation \(hex(r.address))")
        }
        try check(fdt_finish_reservemap(fdt), "fdt_finish_reservemap")
        // The path is only spelled out when an error needs it.
        var names: [String] = []
        func path() -> String { "/" + names.dropFirst().joined(separator: "/") }
        func emit(_ node: DTNode) throws(FDTError) {
            names.append(node.name)
            defer { names.removeLast() }
            let rc = fdt_begin_node(fdt, node.name)
            if rc != 0 { throw FDTError(code: rc, operation: "fdt_begin_node", location: path()) }
            for p in node.properties {
                let rc = p.bytes.withUnsafeBytes { fdt_property(fdt, p.name, $0.baseAddress, Int32($0.count)) }
                if rc != 0 { throw FDTError(code: rc, operation: "fdt_property '\(p.name)'", location: path()) }
            }
            for child in node.children { try emit(child) }
            let end = fdt_end_node(fdt)
            if end != 0 { throw FDTError(code: end, operation: "fdt_end_node", location: path()) }
        }
        try emit(tree.root)
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
        var base = 0, unit = -1
        for b in name.utf8 {
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
