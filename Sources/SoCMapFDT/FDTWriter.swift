internal import CLibFDT
import SoCMap
public import SoCMapDeviceTree

/// Writes flattened device trees (DTB v17) with libfdt's sequential writer. Misuse (bad
/// names, duplicate sibling nodes, nesting too deep) is a Swift error naming the node path,
/// never a corrupt blob; the buffer grows on `-FDT_ERR_NOSPACE`.
public enum FDTWriter {
    /// The blob for `tree`.
    ///
    /// - Throws: `FDTError` naming the libfdt code (or the rule broken), the operation and the
    ///   node path.
    public static func write(_ tree: DeviceTree) throws(FDTError) -> [UInt8] {
        try validate(tree)
        var capacity = 4096 + tree.bytes.count + 16 * tree.nodes.count + 16 * tree.properties.count
        while true {
            do {
                return try attempt(tree, capacity: capacity)
            } catch let error where error.code == -FDT_ERR_NOSPACE && capacity < Int(Int32.max) / 2 {
                capacity *= 2
            }
        }
    }

    /// What libfdt's writer does not check: names, sibling duplicates, depth. (A tree cannot
    /// repeat a property name in a node: its builder replaces.) Name lengths are not limited:
    /// the specification's 31 characters is advice that real trees and dtc do not follow, and a
    /// tree read from a file must write back unchanged.
    private static func validate(_ tree: DeviceTree) throws(FDTError) {
        for (id, name) in tree.names.enumerated()
        where name.isEmpty || !name.utf8.allSatisfy(Names.isPropertyNameCharacter) {
            // Only names some property uses matter.
            guard let p = tree.properties.firstIndex(where: { $0.name == id }) else { continue }
            let owner = tree.nodes.firstIndex { ($0.firstProperty..<($0.firstProperty + $0.propertyCount)).contains(p) } ?? 0
            throw FDTError(
                "invalid property name '\(name)'", operation: "writing the tree", location: tree.path(of: DeviceTree.NodeID(owner)))
        }
        var depths = [Int](repeating: 0, count: tree.nodes.count)
        var siblings = Set<NameKey>()
        for (i, node) in tree.nodes.enumerated() {
            // Each node's children, one set of names at a time.
            if node.end > i + 1 {
                siblings.removeAll(keepingCapacity: true)
                var child = i + 1
                while child < node.end {
                    let c = tree.nodes[child]
                    let name = tree.bytes[c.nameStart..<(c.nameStart + c.nameCount)]
                    guard siblings.insert(NameKey(bytes: name)).inserted else {
                        throw FDTError(
                            "duplicate node name '\(String(decoding: name, as: UTF8.self))'", operation: "writing the tree",
                            location: tree.path(of: DeviceTree.NodeID(child)))
                    }
                    child = c.end
                }
            }
            let name = tree.bytes[node.nameStart..<(node.nameStart + node.nameCount)]
            let id = DeviceTree.NodeID(i)
            guard i == 0 ? name.isEmpty : Names.isValidNodeName(name) else {
                let text = String(decoding: name, as: UTF8.self)
                throw FDTError(
                    i == 0
                        ? "the root node must have an empty name"
                        : "invalid node name '\(text)': characters from [0-9a-zA-Z,._+-], then an optional @unit-address",
                    operation: "writing the tree", location: tree.path(of: id))
            }
            guard node.parent >= 0 else { continue }
            depths[i] = depths[node.parent] + 1
            guard depths[i] <= FDTReader.maximumDepth else {
                throw FDTError(
                    "nesting deeper than \(FDTReader.maximumDepth) levels", operation: "writing the tree", location: tree.path(of: id))
            }
        }
    }

    private static func attempt(_ tree: DeviceTree, capacity: Int) throws(FDTError) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        let fdt = buffer.baseAddress!
        func check(_ rc: Int32, _ operation: @autoclosure () -> String, _ node: Int? = nil) throws(FDTError) {
            if rc != 0 { throw FDTError(code: rc, operation: operation(), location: node.map { tree.path(of: DeviceTree.NodeID($0)) }) }
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
                for (i, node) in tree.nodes.enumerated() {
                    while let end = ends.last, end <= i {
                        try check(fdt_end_node(fdt), "fdt_end_node", nil)
                        ends.removeLast()
                    }
                    let name = UnsafeBufferPointer(rebasing: bytes[node.nameStart..<(node.nameStart + node.nameCount)])
                    if nodeName.count <= name.count { nodeName = [CChar](repeating: 0, count: name.count + 1) }
                    nodeName.withUnsafeMutableBufferPointer { n in
                        UnsafeMutableRawBufferPointer(n).copyMemory(from: UnsafeRawBufferPointer(name))
                        n[name.count] = 0
                    }
                    try check(fdt_begin_node(fdt, nodeName), "fdt_begin_node", i)
                    for p in tree.properties[node.firstProperty..<(node.firstProperty + node.propertyCount)] {
                        let rc = fdt_property(
                            fdt, names.baseAddress! + nameOffsets[p.name], bytes.baseAddress! + p.valueStart, Int32(p.valueCount))
                        if rc != 0 {
                            throw FDTError(
                                code: rc, operation: "fdt_property '\(tree.names[p.name])'", location: tree.path(of: DeviceTree.NodeID(i)))
                        }
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
}

/// A node name as a set key, hashed as one block of bytes (not byte by byte).
private struct NameKey: Hashable {
    let bytes: ArraySlice<UInt8>

    static func == (a: NameKey, b: NameKey) -> Bool { a.bytes.elementsEqual(b.bytes) }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
