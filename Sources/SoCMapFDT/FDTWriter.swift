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
        func emit(_ node: DTNode, path: String) throws(FDTError) {
            try check(fdt_begin_node(fdt, node.name), "fdt_begin_node", path)
            for p in node.properties {
                let rc = p.bytes.withUnsafeBytes { fdt_property(fdt, p.name, $0.baseAddress, Int32($0.count)) }
                try check(rc, "fdt_property '\(p.name)'", path)
            }
            for child in node.children {
                try emit(child, path: path == "/" ? "/" + child.name : path + "/" + child.name)
            }
            try check(fdt_end_node(fdt), "fdt_end_node", path)
        }
        try emit(tree.root, path: "/")
        try check(fdt_finish(fdt), "fdt_finish")
        let size = Int(socmap_fdt_totalsize(fdt))
        return Array(UnsafeRawBufferPointer(start: fdt, count: size))
    }

    static let nodeCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,._+-")
    static let propertyCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,._+?#-")

    /// What libfdt's writer does not check: names, duplicates, depth.
    private static func validate(_ node: DTNode, path: String, depth: Int) throws(FDTError) {
        guard depth <= FDTReader.maximumDepth else { throw FDTError("nesting deeper than \(FDTReader.maximumDepth) levels", operation: "writing the tree", location: path) }
        if depth > 0 {
            let parts = node.name.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
            guard let base = parts.first, !base.isEmpty, base.count <= 31, base.allSatisfy({ nodeCharacters.contains($0) }),
                parts.count == 1 || (!parts[1].isEmpty && parts[1].allSatisfy { nodeCharacters.contains($0) })
            else {
                throw FDTError("invalid node name '\(node.name)': 1-31 characters from [0-9a-zA-Z,._+-], then an optional @unit-address", operation: "writing the tree", location: path)
            }
        } else if !node.name.isEmpty {
            throw FDTError("the root node must have an empty name", operation: "writing the tree", location: "/")
        }
        var seen = Set<String>()
        for p in node.properties {
            guard !p.name.isEmpty, p.name.count <= 31, p.name.allSatisfy({ propertyCharacters.contains($0) }) else {
                throw FDTError("invalid property name '\(p.name)'", operation: "writing the tree", location: path)
            }
            guard seen.insert(p.name).inserted else { throw FDTError("duplicate property '\(p.name)'", operation: "writing the tree", location: path) }
        }
        var names = Set<String>()
        for child in node.children {
            let childPath = path == "/" ? "/" + child.name : path + "/" + child.name
            guard names.insert(child.name).inserted else { throw FDTError("duplicate node name '\(child.name)'", operation: "writing the tree", location: childPath) }
            try validate(child, path: childPath, depth: depth + 1)
        }
    }
}
