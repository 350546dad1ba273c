internal import CLibFDT
import SoCMap
public import SoCMapDeviceTree

/// Reads flattened device trees (DTB) through libfdt into `DeviceTree` values.
public enum FDTReader {
    /// Deeper nesting than any real tree; deeper blobs are rejected (vm-fdt caps at 64 too).
    public static let maximumDepth = 64

    /// Parses a blob. `fdt_check_full` runs before anything else reads it.
    ///
    /// - Throws: `FDTError` naming the libfdt code and the offset or node path.
    /// - Complexity: one pass over the structure block.
    public static func read(_ blob: [UInt8]) throws(FDTError) -> DeviceTree {
        let headerSize = Int(socmap_fdt_header_size())
        guard blob.count >= headerSize else {
            throw FDTError(
                "the file holds \(blob.count) bytes, fewer than a \(headerSize)-byte DTB header", operation: "reading the header",
                location: "offset 0x0")
        }
        // libfdt reads the header with aligned loads: work on an 8-byte-aligned copy.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blob.count, alignment: 8)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: blob)
        let fdt = UnsafeRawPointer(buffer.baseAddress!)

        let check = fdt_check_full(fdt, blob.count)
        if check != 0 {
            throw FDTError(code: check, operation: "fdt_check_full", location: headerSummary(fdt, fileSize: blob.count))
        }
        try checkLayout(fdt)
        var tree = DeviceTree.Builder(capacity: blob.count / 64)
        let count = fdt_num_mem_rsv(fdt)
        if count < 0 { throw FDTError(code: count, operation: "fdt_num_mem_rsv") }
        for i in 0..<count {
            var address: UInt64 = 0
            var size: UInt64 = 0
            let rc = fdt_get_mem_rsv(fdt, i, &address, &size)
            if rc != 0 { throw FDTError(code: rc, operation: "fdt_get_mem_rsv", location: "reservation \(i)") }
            tree.reservations.append(.init(address: address, size: size))
        }
        try walk(fdt, into: &tree)
        do {
            return try tree.finish()
        } catch {
            throw FDTError(error.description, operation: "walking the tree")
        }
    }

    /// Reads every node in one pass over the structure block's tags (`fdt_next_tag`: each tag
    /// is visited once), appending nodes in pre-order and closing them at their end tag.
    private static func walk(_ fdt: UnsafeRawPointer, into tree: inout DeviceTree.Builder) throws(FDTError) {
        // Property names by offset in the strings block, interned once each.
        var ids = [DeviceTree.Name?](repeating: nil, count: Int(socmap_fdt_size_dt_strings(fdt)) + 1)
        // Before version 16, values of 8 bytes or more could be padded to 8-byte alignment;
        // `fdt_getprop_by_offset` knows where they start.
        let oldLayout = socmap_fdt_version(fdt) < 16
        var depth = 0  // nodes begun and not ended
        var offset: Int32 = 0
        var next: Int32 = 0
        func location() -> String { "offset \(compactHex(UInt64(offset)))" }
        walking: while true {
            let tag = fdt_next_tag(fdt, offset, &next)
            if next < 0 { throw FDTError(code: next, operation: "fdt_next_tag", location: location()) }
            switch tag {
            case UInt32(FDT_BEGIN_NODE):
                guard depth <= maximumDepth else {
                    throw FDTError(
                        "nesting deeper than \(maximumDepth) levels; no real device tree is that deep", operation: "walking the tree",
                        location: location())
                }
                // fdt_next_tag checked that the name ends inside the block; before version 16
                // names were full paths, which fdt_get_name cuts.
                var length: Int32 = 0
                let name =
                    oldLayout ? fdt_get_name(fdt, offset, &length) : fdt_offset_ptr(fdt, offset + 4, 1)?.assumingMemoryBound(to: CChar.self)
                guard let name else {
                    throw FDTError(code: length < 0 ? length : -FDT_ERR_BADSTRUCTURE, operation: "fdt_get_name", location: location())
                }
                if !oldLayout { length = Int32(strlen(name)) }
                tree.beginNode(bytes: UnsafeRawBufferPointer(start: name, count: Int(length)))
                depth += 1
            case UInt32(FDT_PROP):
                guard depth > 0 else { throw FDTError("a property outside any node", operation: "walking the tree", location: location()) }
                // fdt_next_tag has checked that the whole property lies inside the block, so its
                // header is read in place rather than through fdt_get_property_by_offset (which
                // walks the tag a second time).
                guard let header = fdt_offset_ptr(fdt, offset, 12) else {
                    throw FDTError(code: -FDT_ERR_TRUNCATED, operation: "fdt_offset_ptr", location: location())
                }
                let property = header.assumingMemoryBound(to: fdt_property.self)
                var length = Int32(bitPattern: UInt32(bigEndian: property.pointee.len))
                guard length >= 0 else {
                    throw FDTError(code: -FDT_ERR_BADSTRUCTURE, operation: "reading a property", location: location())
                }
                let nameOffset = Int(UInt32(bigEndian: property.pointee.nameoff))
                var id = nameOffset < ids.count ? ids[nameOffset] : nil
                if id == nil {
                    guard let name = fdt_string(fdt, Int32(truncatingIfNeeded: nameOffset)) else {
                        throw FDTError("a property name outside the strings block", operation: "fdt_string", location: location())
                    }
                    id = tree.name(String(cString: name))
                    if nameOffset < ids.count { ids[nameOffset] = id }
                }
                var value = header + 12
                if oldLayout {
                    var ignored: UnsafePointer<CChar>?
                    guard let v = fdt_getprop_by_offset(fdt, offset, &ignored, &length) else {
                        throw FDTError(code: length, operation: "fdt_getprop_by_offset", location: location())
                    }
                    value = v
                }
                tree.appendProperty(id!, bytes: UnsafeRawBufferPointer(start: value, count: Int(length)))
            case UInt32(FDT_END_NODE):
                guard depth > 0 else {
                    throw FDTError("an end of node without its start", operation: "walking the tree", location: location())
                }
                tree.endNode()
                depth -= 1
                if depth == 0 { break walking }
            case UInt32(FDT_END):
                break walking
            default:
                break  // FDT_NOP
            }
            offset = next
        }
        guard depth == 0 else {
            throw FDTError("the structure block ends inside a node", operation: "walking the tree", location: location())
        }
    }

    /// What libfdt 1.6.1's `fdt_check_full` lets through: a misaligned structure block or
    /// memory reservation map, and blocks that overlap each other (DT spec §5).
    private static func checkLayout(_ fdt: UnsafeRawPointer) throws(FDTError) {
        let rsv = UInt64(socmap_fdt_off_mem_rsvmap(fdt))
        let structOffset = UInt64(socmap_fdt_off_dt_struct(fdt))
        let structSize = UInt64(socmap_fdt_size_dt_struct(fdt))
        let stringsOffset = UInt64(socmap_fdt_off_dt_strings(fdt))
        let stringsSize = UInt64(socmap_fdt_size_dt_strings(fdt))
        guard structOffset % 4 == 0 else {
            throw FDTError(
                "the structure block starts at \(compactHex(UInt64(structOffset))), not on a 4-byte boundary",
                operation: "checking the layout", location: "offset 0x8 (off_dt_struct)")
        }
        guard rsv % 8 == 0 else {
            throw FDTError(
                "the memory reservation map starts at \(compactHex(UInt64(rsv))), not on an 8-byte boundary",
                operation: "checking the layout", location: "offset 0x10 (off_mem_rsvmap)")
        }
        let reservationsEnd = rsv + 16 * (UInt64(max(fdt_num_mem_rsv(fdt), 0)) + 1)
        let blocks = [
            ("memory reservation map", rsv, reservationsEnd), ("structure block", structOffset, structOffset + structSize),
            ("strings block", stringsOffset, stringsOffset + stringsSize),
        ]
        for i in blocks.indices {
            for j in blocks.indices where j > i {
                let (a, aStart, aEnd) = blocks[i]
                let (b, bStart, bEnd) = blocks[j]
                if aStart < bEnd && bStart < aEnd && aEnd > aStart && bEnd > bStart {
                    throw FDTError(
                        "the \(a) [\(compactHex(UInt64(aStart))), \(compactHex(UInt64(aEnd)))) overlaps the \(b) [\(compactHex(UInt64(bStart))), \(compactHex(UInt64(bEnd))))",
                        operation: "checking the layout", location: "offset 0x0 (header)")
                }
            }
        }
    }

    private static func headerSummary(_ fdt: UnsafeRawPointer, fileSize: Int) -> String {
        "offset 0x0 (magic \(compactHex(UInt64(socmap_fdt_magic(fdt)))), version \(socmap_fdt_version(fdt)), totalsize \(socmap_fdt_totalsize(fdt)), file \(fileSize) bytes)"
    }
}
