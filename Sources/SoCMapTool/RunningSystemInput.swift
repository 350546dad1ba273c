import SoCMap
import SoCMapRunning

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A running system's text read as a map: QEMU's `info mtree -f` (the flat view of
/// `addressSpace`, default the first CPU's) or Linux's `/proc/iomem`; `nil` when `path` is a map
/// file or a device tree.
func readRunningSystem(_ path: String, addressSpace: String? = nil) throws(MapInputError) -> (map: AddressMap, kind: RunningSystemText)? {
    let lower = path.lowercased()
    if [".yaml", ".yml", ".json", ".dtb", ".dtbo", ".dts", ".dtsi"].contains(where: { lower.hasSuffix($0) }) { return nil }
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
