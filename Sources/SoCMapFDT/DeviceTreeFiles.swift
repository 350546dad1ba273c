public import SoCMap
public import SoCMapDeviceTree

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading and writing device-tree files: DTB through libfdt, DTS through dtc (and cpp when
/// the source has `#include`), and socmap's own DTS text.
public enum DeviceTreeFiles {
    /// Whether `path` names a device tree rather than a map (by extension or DTB magic).
    public static func isDeviceTree(_ path: String) -> Bool {
        let lower = path.lowercased()
        if lower.hasSuffix(".dtb") || lower.hasSuffix(".dtbo") || lower.hasSuffix(".dts") || lower.hasSuffix(".dtsi") { return true }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var head: [UInt8] = [0, 0, 0, 0]
        let count = head.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 4) }
        return count == 4 && head == [0xd0, 0x0d, 0xfe, 0xed]
    }

    /// Reads a DTB or DTS file into a device tree.
    ///
    /// - Throws: `MapInputError` naming the file and the libfdt code or dtc's message.
    public static func read(path: String) throws(MapInputError) -> DeviceTree { try read(path: path, labels: false) }

    static func isSource(_ path: String) -> Bool { path.lowercased().hasSuffix(".dts") || path.lowercased().hasSuffix(".dtsi") }

    /// `labels`: compile DTS with `-@`, so that its labels come as `/__symbols__`.
    static func read(path: String, labels: Bool) throws(MapInputError) -> DeviceTree {
        let location = SourceLocation(file: path, line: 0, column: 0)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MapInputError([Diagnostic(.error, "file", "cannot read '\(path)': no such file or not readable")])
        }
        var blob = Array(data)
        if isSource(path) { blob = try compile(dts: data, path: path, symbols: labels) }
        do {
            return try FDTReader.read(blob)
        } catch {
            throw MapInputError([Diagnostic(.error, "dtb", error.description, at: location)])
        }
    }

    /// Imports a DTB or DTS as a map (Linux translation semantics, or exactly the map socmap
    /// exported when the tree carries socmap's annotations).
    /// DTS labels are kept: a second compile with dtc `-@` lists them in `/__symbols__`, which
    /// the tree itself does not get (nor the phandles `-@` gives every labelled node).
    public static func importMap(path: String) throws(MapInputError) -> DeviceTreeImport {
        let tree = try read(path: path, labels: false)
        guard isSource(path) else { return DeviceTreeImport(tree: tree, source: path) }
        let symbolsTree = try read(path: path, labels: true)
        var labels: [String: String] = [:]
        if let symbols = symbolsTree.child(of: symbolsTree.root, named: "__symbols__") {
            for p in symbolsTree.properties(of: symbols) { if let target = p.string { labels[target] = p.name } }
        }
        return DeviceTreeImport(tree: tree, source: path, labels: labels)
    }

    /// Compiles DTS text with dtc (with `-@` when `symbols`), running it through cpp first when
    /// it has `#include`.
    static func compile(dts: Data, path: String, symbols: Bool = false) throws(MapInputError) -> [UInt8] {
        let location = SourceLocation(file: path, line: 0, column: 0)
        var source = dts
        let text = String(decoding: dts, as: UTF8.self)
        if text.contains("#include") {
            let folder = folderPart(of: path)
            let cpp = ExternalTool.run(
                "cpp",
                [
                    "-nostdinc", "-undef", "-x", "assembler-with-cpp", "-P", "-I", folder.isEmpty ? "." : folder, "-I",
                    (folder.isEmpty ? "" : folder + "/") + "include", path,
                ], input: nil)
            guard cpp.status == 0 else {
                throw MapInputError([Diagnostic(.error, "dts", "cpp failed: \(firstLine(cpp.err))", at: location)])
            }
            source = cpp.out
        }
        let dtc = ExternalTool.run(
            // Standard input's /include/ and /incbin/ are looked up from the source's folder.
            "dtc",
            ["-q", "-I", "dts", "-O", "dtb", "-i", folderPart(of: path).isEmpty ? "." : folderPart(of: path)] + (symbols ? ["-@"] : [])
                + ["-o", "-", "-"], input: source)
        guard dtc.status == 0 else {
            let message: String
            switch dtc.problem {
            case .notInstalled: message = "dtc is not installed (Debian: device-tree-compiler)"
            case .cannotRun(let why): message = why
            case nil: message = "dtc: \(firstLine(dtc.err).replacing("<stdin>", with: path))"
            }
            throw MapInputError([Diagnostic(.error, "dts", message, at: location)])
        }
        return Array(dtc.out)
    }

    /// The folder part of a path ("" for a bare file name, "/" for a file in the root).
    static func folderPart(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func firstLine(_ data: Data) -> String {
        String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "failed"
    }
}
