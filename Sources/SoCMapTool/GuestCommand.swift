import ArgumentParser
import SoCMap
import SoCMapDeviceTree
import SoCMapFDT

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `socmap guest MAP --domain D -o guest.dtb [--e820 FILE] [--e820-binary FILE] [--xen FILE]`
struct GuestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guest",
        abstract: "Write what a guest domain needs: its device tree, its E820 table, its Xen dom0less node.",
        discussion: "FILE may be - for standard output (text formats). Device-tree outputs are .dtb or .dts by their extension."
    )

    @Argument(help: "The map: a YAML or JSON map file, or a device tree exported by socmap.")
    var map: String

    @Option(name: .long, help: "The guest domain.")
    var domain: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a switch, NAME=VALUE; repeatable.", valueName: "NAME=VALUE"))
    var settings: [String] = []

    @Option(name: .shortAndLong, help: "The guest device tree: .dtb, .dts, or - for DTS on standard output.")
    var output: String?

    @Option(name: .long, help: "The E820 table as BIOS-e820 lines.")
    var e820: String?

    @Option(name: .customLong("e820-binary"), help: "The E820 table as a struct e820entry array.")
    var e820Binary: String?

    @Option(name: .long, help: "The Xen dom0less /chosen node: .dtb, .dts, or - for DTS.")
    var xen: String?

    func validate() throws {
        if output == nil && e820 == nil && e820Binary == nil && xen == nil {
            throw ValidationError("name at least one output: -o, --e820, --e820-binary or --xen")
        }
        if e820Binary == "-" { throw ValidationError("--e820-binary writes binary data: give a file name") }
    }

    func run() throws {
        let resolved = ResolvedMap(try loadAnyMap(map))
        let router = try GuestRouter(
            resolved, domain: domain, setting: try SwitchSetting(try parseSwitchSettings(settings), for: resolved.map))
        let outputs = GuestOutputs(router: router)
        // Build everything first, then write: an error leaves no partial set of files.
        var writes: [(String, Data)] = []
        var printed: [String] = []
        func deviceTree(_ tree: DeviceTree, to path: String) throws {
            if path == "-" {
                printed.append(DTSWriter.text(tree))
            } else if path.lowercased().hasSuffix(".dts") {
                writes.append((path, Data(DTSWriter.text(tree).utf8)))
            } else if path.lowercased().hasSuffix(".dtb") {
                do { writes.append((path, Data(try FDTWriter.write(tree)))) } catch { throw ToolError("guest: \(error)") }
            } else {
                throw ToolError("guest: cannot tell the format of '\(path)': name it .dtb or .dts (or -)")
            }
        }
        if let output { try deviceTree(outputs.deviceTree, to: output) }
        if let xen { try deviceTree(outputs.xenTree, to: xen) }
        let table = outputs.e820
        if table.count > 128 { throw ToolError("guest: the E820 table has \(table.count) entries; the boot protocol holds 128") }
        if let e820 {
            let text = GuestOutputs.e820Text(table)
            if e820 == "-" { printed.append(text) } else { writes.append((e820, Data(text.utf8))) }
        }
        if let e820Binary { writes.append((e820Binary, Data(GuestOutputs.e820Binary(table)))) }
        for (path, data) in writes { try writeAtomically(data, to: path) }
        for text in printed { print(text, terminator: "") }
    }
}
