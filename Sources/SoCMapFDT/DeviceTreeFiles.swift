import Foundation
public import SoCMap

/// Reading and writing device-tree files: DTB through libfdt, DTS through dtc (and cpp when
/// the source has `#include`), and socmap's own DTS text.
public enum DeviceTreeFiles {
    /// Whether `path` names a device tree rather than a map (by extension or DTB magic).
    public static func isDeviceTree(_ path: String) -> Bool {
        let lower = path.lowercased()
        if lower.hasSuffix(".dtb") || lower.hasSuffix(".dtbo") || lower.hasSuffix(".dts") || lower.hasSuffix(".dtsi") { return true }
        guard let handle = FileHandle(forReadingAtPath: path), let head = try? handle.read(upToCount: 4) else { return false }
        return Array(head) == [0xd0, 0x0d, 0xfe, 0xed]
    }

    /// Reads a DTB or DTS file into a device tree.
    ///
    /// - Throws: `MapInputError` naming the file and the libfdt code or dtc's message.
    public static func read(path: String) throws(MapInputError) -> DeviceTree {
        DeviceTree(try readFlat(path: path))
    }

    /// Reads a DTB or DTS file into the flat form import works on.
    ///
    /// - Throws: `MapInputError` naming the file and the libfdt code or dtc's message.
    public static func readFlat(path: String) throws(MapInputError) -> FlatDeviceTree {
        let location = SourceLocation(file: path, line: 0, column: 0)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MapInputError([Diagnostic(.error, "file", "cannot read '\(path)': no such file or not readable")])
        }
        var blob = Array(data)
        if path.lowercased().hasSuffix(".dts") || path.lowercased().hasSuffix(".dtsi") {
            blob = try compile(dts: data, path: path)
        }
        do {
            return try FDTReader.readFlat(blob)
        } catch {
            throw MapInputError([Diagnostic(.error, "dtb", error.description, at: location)])
        }
    }

    /// Imports a DTB or DTS as a map (Linux translation semantics, or exactly the map socmap
    /// exported when the tree carries socmap's annotations).
    public static func importMap(path: String) throws(MapInputError) -> DeviceTreeImport {
        try DeviceTreeImport(tree: readFlat(path: path), source: path)
    }

    /// Compiles DTS text with dtc, running it through cpp first when it has `#include`.
    static func compile(dts: Data, path: String) throws(MapInputError) -> [UInt8] {
        let location = SourceLocation(file: path, line: 0, column: 0)
        var source = dts
        let text = String(decoding: dts, as: UTF8.self)
        if text.contains("#include") {
            let folder = (path as NSString).deletingLastPathComponent
            let cpp = runTool("cpp", ["-nostdinc", "-undef", "-x", "assembler-with-cpp", "-P", "-I", folder.isEmpty ? "." : folder, "-I", (folder as NSString).appendingPathComponent("include"), path], input: nil)
            guard cpp.status == 0 else {
                throw MapInputError([Diagnostic(.error, "dts", "cpp failed: \(firstLine(cpp.err))", at: location)])
            }
            source = cpp.out
        }
        let dtc = runTool("dtc", ["-q", "-I", "dts", "-O", "dtb", "-o", "-", "-"], input: source, directory: (path as NSString).deletingLastPathComponent)
        guard dtc.status == 0 else {
            let message = dtc.status == 127 ? "dtc is not installed (Debian: device-tree-compiler)" : "dtc: \(firstLine(dtc.err).replacingOccurrences(of: "<stdin>", with: path))"
            throw MapInputError([Diagnostic(.error, "dts", message, at: location)])
        }
        return Array(dtc.out)
    }

    static func firstLine(_ data: Data) -> String {
        String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "failed"
    }

    static func runTool(_ tool: String, _ arguments: [String], input: Data?, directory: String = "") -> (status: Int32, out: Data, err: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        if !directory.isEmpty { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        do { try process.run() } catch { return (127, Data(), Data("\(error)".utf8)) }
        // Feed stdin on another thread so a large output cannot deadlock the pipes.
        if let input {
            let writer = inPipe.fileHandleForWriting
            Thread.detachNewThread {
                writer.write(input)
                try? writer.close()
            }
        }
        let errReader = ErrorCollector(err.fileHandleForReading)
        let o = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, o, errReader.finish())
    }
}

/// Reads a pipe to its end on a background thread.
final class ErrorCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func finish() -> Data {
        done.wait()
        return data
    }
}
