import ArgumentParser
import SoCMap
import SoCMapDeviceTree
import SoCMapFDT

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `socmap guest MAP --domain D -o guest.dtb [--e820 FILE] [--e820-binary FILE] [--xen FILE]`,
/// or `socmap guest MAP --xen-boot DIR --kernel Image [--ramdisk initrd]` for every domain.
struct GuestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guest",
        abstract: "Write what guest domains need: a device tree, an E820 table, Xen dom0less nodes, or a whole Xen boot.",
        discussion: """
            FILE may be - for standard output (text formats). Device-tree outputs are .dtb or .dts by their extension. \
            --xen-boot DIR writes host.dtb (the host tree with Xen's /chosen and one xen,domain node per domain), \
            DOMAIN-passthrough.dtb for domains with passed-through devices, qemu.args and boot.cmd (U-Boot) with \
            the address of every boot module, chosen in free host RAM; the domain checks run first.
            """
    )

    @Argument(help: "The map: a YAML or JSON map file, or a device tree exported by socmap.")
    var map: String

    @Option(name: .long, help: "The guest domain (every domain for --xen-boot).")
    var domain: String?

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

    @Option(name: .customLong("xen-boot"), help: ArgumentHelp("Write a Xen dom0less boot of every domain into DIR.", valueName: "DIR"))
    var xenBoot: String?

    @Option(name: .long, help: "--xen-boot: the guests' kernel Image.")
    var kernel: String?

    @Option(name: .long, help: "--xen-boot: the guests' initramfs.")
    var ramdisk: String?

    @Option(name: .long, help: "--xen-boot: the guests' kernel command line.")
    var bootargs = "console=ttyAMA0 rdinit=/init"

    @Option(name: .customLong("xen-bootargs"), help: "--xen-boot: Xen's command line (default: its console on the host's stdout-path).")
    var xenBootargs: String?

    @Option(name: .long, help: "--xen-boot: the Xen image, for -kernel in qemu.args and the U-Boot script.")
    var hypervisor: String?

    @Option(name: .customLong("load-address"), help: "--xen-boot: load the modules one after another from ADDR.")
    var loadAddress: String?

    func validate() throws {
        if xenBoot != nil {
            if kernel == nil { throw ValidationError("--xen-boot needs --kernel") }
            if domain != nil || output != nil || e820 != nil || e820Binary != nil || xen != nil {
                throw ValidationError("--xen-boot boots every domain: give it without --domain, -o, --e820, --e820-binary or --xen")
            }
            return
        }
        if domain == nil { throw ValidationError("give --domain (or --xen-boot DIR)") }
        if output == nil && e820 == nil && e820Binary == nil && xen == nil {
            throw ValidationError("name at least one output: -o, --e820, --e820-binary, --xen or --xen-boot")
        }
        if e820Binary == "-" { throw ValidationError("--e820-binary writes binary data: give a file name") }
    }

    func run() throws {
        let resolved = ResolvedMap(try loadAnyMap(map))
        if let xenBoot {
            try writeXenBoot(resolved, into: xenBoot)
            return
        }
        let router = try GuestRouter(
            resolved, domain: domain!, setting: try SwitchSetting(try parseSwitchSettings(settings), for: resolved.map))
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
