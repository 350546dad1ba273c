import Floor
import Foundation
import SoCMap
import SoCMapDeviceTree
import SoCMapFDT

/// A generated tree of `nodes` devices under nested buses (64 per bus), written by libfdt's
/// sequential writer from C.
func generatedDTB(nodes: Int) -> [UInt8] {
    var capacity = 1 << 20
    while true {
        var buffer = [UInt8](repeating: 0, count: capacity)
        let size = buffer.withUnsafeMutableBytes { floor_fdt_write($0.baseAddress, capacity, nodes, 64) }
        if size > 0 { return Array(buffer[0..<Int(size)]) }
        capacity *= 4
    }
}

struct TreeResult {
    let nodes: Int
    var dtbBytes = 0
    var importSeconds = 0.0  // socmap in process: FDTReader.read + DeviceTreeImport
    var walkSeconds = 0.0  // C libfdt walk
    var dtcDecompileSeconds = 0.0  // dtc -I dtb -O dts (process)
    var importProcessSeconds = 0.0  // socmap import (process)
    var exportSeconds = 0.0  // socmap in process: DeviceTreeExport.tree + FDTWriter
    var writerSeconds = 0.0  // C sequential writer
    var dtcCompileSeconds = 0.0  // dtc -I dts -O dtb (process)
    var exportProcessSeconds = 0.0  // socmap export (process)
    var importPeakKiB = 0
    var exportPeakKiB = 0
}

func benchmarkTree(nodes: Int, socmap: String, folder: URL, repeats: Int) throws -> TreeResult {
    var r = TreeResult(nodes: nodes)
    let blob = generatedDTB(nodes: nodes)
    r.dtbBytes = blob.count
    let dtb = folder.appendingPathComponent("tree-\(nodes).dtb")
    let dts = folder.appendingPathComponent("tree-\(nodes).dts")
    let yaml = folder.appendingPathComponent("tree-\(nodes).yaml")
    let out = folder.appendingPathComponent("out-\(nodes)")
    try Data(blob).write(to: dtb)

    var imported: AddressMap?
    r.importSeconds = measure(repeats) {
        imported = try! DeviceTreeImport(tree: FDTReader.read(blob), source: "tree.dtb").map
    }
    r.walkSeconds = measure(repeats) {
        precondition(blob.withUnsafeBytes { floor_fdt_walk($0.baseAddress, blob.count) } > 0)
    }
    precondition(imported!.regions.count == (nodes + 63) / 64, "the import lost buses")
    try run("dtc", ["-q", "-I", "dtb", "-O", "dts", "-o", dts.path, dtb.path])
    r.dtcDecompileSeconds = try measureProcess(repeats, "dtc", ["-q", "-I", "dtb", "-O", "dts", "-o", out.path + ".dts", dtb.path])
    r.importProcessSeconds = try measureProcess(repeats, socmap, ["import", dtb.path, "-o", yaml.path])

    let map = imported!
    r.exportSeconds = measure(repeats) {
        _ = try! FDTWriter.write(DeviceTreeExport.tree(of: map))
    }
    var capacity = blob.count * 2
    var buffer = [UInt8](repeating: 0, count: capacity)
    r.writerSeconds = measure(repeats) {
        var size = buffer.withUnsafeMutableBytes { floor_fdt_write($0.baseAddress, capacity, nodes, 64) }
        while size < 0 {
            capacity *= 2
            buffer = [UInt8](repeating: 0, count: capacity)
            size = buffer.withUnsafeMutableBytes { floor_fdt_write($0.baseAddress, capacity, nodes, 64) }
        }
    }
    r.dtcCompileSeconds = try measureProcess(repeats, "dtc", ["-q", "-I", "dts", "-O", "dtb", "-o", out.path + ".dtb", dts.path])
    r.exportProcessSeconds = try measureProcess(repeats, socmap, ["export", yaml.path, "-o", out.path + ".dtb"])
    r.importPeakKiB = try peakKiB(socmap, ["import", dtb.path, "-o", yaml.path])
    r.exportPeakKiB = try peakKiB(socmap, ["export", yaml.path, "-o", out.path + ".dtb"])
    return r
}

/// Peak resident set of a process in KiB (GNU time's %M).
func peakKiB(_ program: String, _ arguments: [String]) throws -> Int {
    let result = try run("/usr/bin/time", ["-f", "%M", program] + arguments)
    let last = result.err.split(separator: "\n").last.map(String.init) ?? "0"
    return Int(last.trimmingCharacters(in: .whitespaces)) ?? 0
}
