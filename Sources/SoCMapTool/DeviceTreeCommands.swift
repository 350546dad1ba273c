import ArgumentParser
import SoCMap
import SoCMapDeviceTree
import SoCMapFDT
import SoCMapFile
import SoCMapViews
import Synchronization

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
        discussion: """
            Regions whose `when` is false under the --set switches are written with status = "disabled"; everything \
            the device tree has no word for travels in the /socmap node, so import gives the map back.

            --format sdt writes a System Device Tree (Lopper's specification) instead: the tree without socmap's \
            annotations, plus one `cpus,cluster` node per initiator (cpus-NAME) whose `address-map` holds a \
            quartet (cluster address, phandle, root address, size) per span of that initiator's view under the \
            --set switches. Import reads those quartets back as initiators.
            """
    )

    @OptionGroup var view: ViewOptions

    @Option(name: .shortAndLong, help: "Output file: .dtb, .dts, .h, .ld, .json, or - for standard output (DTS unless --format).")
    var output: String

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case dtb, dts
        case cHeader = "c-header"
        case linker, json
        case sdt
    }

    @Option(
        name: .long,
        help:
            "dtb, dts, c-header (constants of one view), linker (a MEMORY block of one view), json, or sdt (a System Device Tree, .dts or .dtb); default: by the output's extension."
    )
    var format: Format?

    func run() throws {
        let lower = output.lowercased()
        let chosen =
            format
            ?? (lower.hasSuffix(".h") ? .cHeader : lower.hasSuffix(".ld") ? .linker : lower.hasSuffix(".json") ? .json : nil)
        if let chosen, [.cHeader, .linker, .json].contains(chosen) {
            let exports: ViewExports
            switch try view.view() {
            case (_, .host(let router)): exports = ViewExports(router: router, source: view.map)
            case (_, .guest(let guest)): exports = ViewExports(guest: guest, source: view.map)
            }
            let text = chosen == .cHeader ? exports.cHeader : chosen == .linker ? exports.linkerScript : exports.json.pretty + "\n"
            if output == "-" { print(text, terminator: "") } else { try writeAtomically(Data(text.utf8), to: output) }
            return
        }
        if chosen == .dts && output != "-" && !lower.hasSuffix(".dts") {
            throw ToolError("export: --format dts writes a .dts file (or - for standard output)")
        }
        // Export writes every initiator's regions; the request is still checked, and a map
        // whose structure is broken refused. The resolved map is dropped before the tree is
        // built, so the two never take memory at once.
        let (map, setting) = try checkedExport()
        let tree =
            chosen == .sdt
            ? DeviceTreeExport.tree(of: try SystemDeviceTree.withClusters(map, setting: setting), setting: setting, annotations: false)
            : DeviceTreeExport.tree(of: map, setting: setting)
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

/// `socmap import board.dtb|board.dts -o map.yaml`, or many device trees into a folder.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read device trees (DTB or DTS) into maps, translating every address as Linux does.",
        discussion: """
            What a running system decodes reads as a map too: QEMU's `info mtree -f` text (one region per flat \
            range, the address space chosen with --address-space, default the first CPU's) and Linux's /proc/iomem \
            text (one region per resource, nested as listed).


            With several device trees (or -o naming a folder), each map is written into the folder under \
            the tree's relative path with .yaml (arm/juno-r2.dtb -> DIR/arm/juno-r2.yaml), on every core; \
            warnings print per file in the order given, then a summary line.
            """
    )

    @Argument(
        help: "Device trees: .dtb or .dts (DTS goes through dtc, and cpp when it has #include); or info mtree -f or /proc/iomem text.")
    var deviceTrees: [String]

    @Option(name: .long, help: "For QEMU `info mtree -f` text: the address space to read (default: cpu-memory-0, else memory).")
    var addressSpace: String?

    @Option(name: .shortAndLong, help: "Output map file (YAML), - for standard output, or a folder for several trees.")
    var output: String = "-"

    func validate() throws {
        if deviceTrees.isEmpty { throw ValidationError("give a device tree to import") }
        if deviceTrees.count > 1 && output == "-" { throw ValidationError("several device trees need -o FOLDER") }
    }

    func run() throws {
        if deviceTrees.count == 1 && !isFolder(output) {
            let imported = try Self.importOne(deviceTrees[0], addressSpace: addressSpace)
            for w in imported.warnings { printError(w.description) }
            let text = MapWriter.format(MapFile(map: imported.map))
            if output == "-" {
                print(text, terminator: "")
            } else {
                try writeAtomically(Data(text.utf8), to: output)
            }
            return
        }
        try importMany()
    }

    /// A device tree's import, or a running system's text read as a map (a map file is not
    /// something to import).
    static func importOne(_ path: String, addressSpace: String?) throws(MapInputError) -> (map: AddressMap, warnings: [Diagnostic]) {
        let input = try readInput(path, addressSpace: addressSpace, mapFiles: false)
        return (input.map, input.warnings)
    }

    func isFolder(_ path: String) -> Bool {
        path.hasSuffix("/") || isDirectory(path)
    }

    /// Where a tree's map goes in the output folder: its relative path with `.yaml` (its
    /// file name when the path is absolute or climbs with `..`).
    static func mapPath(for tree: String, in folder: String) -> String {
        var relative = tree
        while relative.hasPrefix("./") { relative.removeFirst(2) }
        if relative.hasPrefix("/") || relative.split(separator: "/").contains("..") {
            relative = String(relative.split(separator: "/").last ?? "")
        }
        if let dot = relative.lastIndex(of: "."), !relative[dot...].contains("/") { relative = String(relative[..<dot]) }
        return (folder.hasSuffix("/") ? folder : folder + "/") + relative + ".yaml"
    }

    func importMany() throws {
        let targets = deviceTrees.map { Self.mapPath(for: $0, in: output) }
        let repeated = Dictionary(grouping: deviceTrees.indices, by: { targets[$0] }).filter { $0.value.count > 1 }
        if let (target, inputs) = repeated.min(by: { $0.key < $1.key }) {
            throw ToolError("\(inputs.map { deviceTrees[$0] }.joined(separator: " and ")) would both be written to \(target)")
        }
        let trees = deviceTrees
        let space = addressSpace
        let tally = Mutex((done: 0, unreadable: 0, unwritten: 0, warned: 0))
        inInputOrder(
            trees.count,
            work: { index -> (warnings: [Diagnostic], failure: String?, input: Bool) in
                let imported: (map: AddressMap, warnings: [Diagnostic])
                do throws(MapInputError) {
                    imported = try Self.importOne(trees[index], addressSpace: space)
                } catch {
                    return ([], error.description, true)
                }
                do {
                    let target = targets[index]
                    if let slash = target.lastIndex(of: "/") {
                        try makeFolders(String(target[..<slash]))
                    }
                    try writeAtomically(Data(MapWriter.format(MapFile(map: imported.map)).utf8), to: target)
                    return (imported.warnings, nil, false)
                } catch {
                    return (imported.warnings, "\(error)", false)
                }
            },
            report: { _, result in
                for w in result.warnings { printError(w.description) }
                if let failure = result.failure { printError(failure) }
                tally.withLock { t in
                    t.done += 1
                    if result.failure != nil {
                        if result.input { t.unreadable += 1 } else { t.unwritten += 1 }
                    } else if !result.warnings.isEmpty {
                        t.warned += 1
                    }
                }
            })
        let t = tally.withLock { $0 }
        let failed = t.unreadable + t.unwritten
        print(
            "imported \(t.done - failed) of \(t.done) device trees into \(output) (\(t.warned) with warnings, \(t.unreadable) unreadable"
                + (t.unwritten > 0 ? ", \(t.unwritten) not written)" : ")"))
        if failed > 0 { throw ExitCode(2) }
    }
}
