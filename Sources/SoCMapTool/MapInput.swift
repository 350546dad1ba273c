import SoCMap
import SoCMapDeviceTree
import SoCMapFDT
import SoCMapFile
import SoCMapRunning

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A map read from whatever a path holds, with how it was read.
struct LoadedInput {
    /// The map.
    var map: AddressMap
    /// A device tree's import warnings.
    var warnings: [Diagnostic] = []
    /// The running system's text it came from, if it was one.
    var running: RunningSystemText?
}

/// Reads what `path` holds: a device tree (by extension or DTB magic), QEMU `info mtree -f` or
/// `/proc/iomem` text (recognised by its lines; `addressSpace` picks the flat view), else a
/// YAML/JSON map file, or without `mapFiles` a one-line error saying it is none of those.
func readInput(_ path: String, addressSpace: String? = nil, mapFiles: Bool = true) throws(MapInputError) -> LoadedInput {
    if !DeviceTreeFiles.isDeviceTree(path) {
        if let running = try readRunningSystem(path, addressSpace: addressSpace) {
            return LoadedInput(map: running.map, running: running.kind)
        }
        if mapFiles { return LoadedInput(map: try MapFile.load(path: path).map) }
        if FileManager.default.fileExists(atPath: path) {
            throw MapInputError([
                Diagnostic(
                    .error, "input", "neither a device tree (no DTB magic, not .dts) nor QEMU `info mtree -f` or /proc/iomem text",
                    at: SourceLocation(file: path, line: 0, column: 0))
            ])
        }
    }
    // A device tree, or a file import cannot read: the device-tree reader says which.
    let imported = try DeviceTreeFiles.importMap(path: path)
    return LoadedInput(map: imported.map, warnings: imported.warnings)
}

/// A running system's text read as a map: QEMU's `info mtree -f` (the flat view of
/// `addressSpace`, default the first CPU's) or Linux's `/proc/iomem`; `nil` when `path` is a map
/// file or holds neither.
private func readRunningSystem(_ path: String, addressSpace: String?) throws(MapInputError) -> (map: AddressMap, kind: RunningSystemText)? {
    let lower = path.lowercased()
    if [".yaml", ".yml", ".json"].contains(where: { lower.hasSuffix($0) }) { return nil }
    guard let data = FileManager.default.contents(atPath: path), let text = String(validating: data, as: UTF8.self),
        let kind = RunningSystemText.recognise(text)
    else { return nil }
    switch kind {
    case .qemuFlatView, .qemuTree:
        let view = try QEMUFlatView(parsing: text, file: path, addressSpace: addressSpace)
        return (view.map(source: path), .qemuFlatView)
    case .procIOMem:
        return (try ProcIOMem(parsing: text, file: path).map(source: path), .procIOMem)
    }
}
