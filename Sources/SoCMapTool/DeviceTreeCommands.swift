import ArgumentParser
import SoCMap
import SoCMapDeviceTree
import SoCMapFDT
import SoCMapFile

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `socmap export MAP -o board.dtb|board.dts`
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a map as a device tree (DTB through libfdt, or DTS exactly as dtc prints it).",
        discussion:
            "Regions whose `when` is false under the --set switches are written with status = \"disabled\"; everything the device tree has no word for travels in the /socmap node, so import gives the map back."
    )

    @OptionGroup var view: ViewOptions

    @Option(name: .shortAndLong, help: "Output file: .dtb, .dts, or - for DTS on standard output.")
    var output: String

    func run() throws {
        // Export writes every initiator's regions; the request is still checked, and a map
        // whose structure is broken refused. The resolved map is dropped before the tree is
        // built, so the two never take memory at once.
        let (map, setting) = try checkedExport()
        let tree = DeviceTreeExport.tree(of: map, setting: setting)
        let blob: [UInt8]
        do {
            // Written (and so checked) whatever the output format.
            blob = try FDTWriter.write(tree)
        } catch {
            throw ToolError("export: \(error)")
        }
        if output == "-" {
            print(DTSWriter.text(tree), terminator: "")
        } else if output.lowercased().hasSuffix(".dts") {
            try writeAtomically(Data(DTSWriter.text(tree).utf8), to: output)
        } else if output.lowercased().hasSuffix(".dtb") {
            try writeAtomically(Data(blob), to: output)
        } else {
            throw ToolError("export: cannot tell the format of '\(output)': name it .dtb or .dts (or - for DTS on standard output)")
        }
    }
}

extension ExportCommand {
    func checkedExport() throws -> (AddressMap, SwitchSetting) {
        let resolved = try view.resolvedMap()
        let checked = try resolved.view(initiator: view.initiator, setting: try SwitchSetting(try view.switchValues(), for: resolved.map))
        return (resolved.map, checked.setting)
    }
}

/// `socmap import board.dtb|board.dts -o map.yaml`
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read a device tree (DTB or DTS) into a map, translating every address as Linux does."
    )

    @Argument(help: "The device tree: .dtb or .dts (DTS goes through dtc, and cpp when it has #include).")
    var deviceTree: String

    @Option(name: .shortAndLong, help: "Output map file (YAML), or - for standard output.")
    var output: String = "-"

    func run() throws {
        let imported = try DeviceTreeFiles.importMap(path: deviceTree)
        for w in imported.warnings { printError(w.description) }
        let text = MapWriter.format(MapFile(map: imported.map))
        if output == "-" {
            print(text, terminator: "")
        } else {
            try writeAtomically(Data(text.utf8), to: output)
        }
    }
}
