import ArgumentParser
import SoCMap
import SoCMapRunning
import SoCMapViews

/// `socmap diff A B`
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two maps or device trees as address maps: units added, removed, renamed, moved, resized, changed.",
        discussion: """
            A and B are YAML/JSON maps, DTBs or DTS in any combination. Units are matched by path, then by place and \\
            kind; places are host-physical (Linux's rules for device trees), or where one view (--initiator, --set) \\
            places them.

            Either may also be what a running system decodes: QEMU's `info mtree -f` text (the flat view of \\
            --address-space, default the first CPU's) or Linux's /proc/iomem text. Then the two are compared as \\
            decoded, names aside: every span the map's flat view decodes (the top-level resources of /proc/iomem) \\
            against the other side's, by address and class (RAM, ROM, I/O). Exit status: 0 the same, 1 different, \\
            2 bad input.
            """
    )

    @Argument(help: "The old map or device tree.")
    var old: String

    @Argument(help: "The new map or device tree.")
    var new: String

    @Flag(name: .long, help: "Print the changes as a JSON array.")
    var json = false

    @Option(name: .long, help: "For QEMU `info mtree -f` text: the address space to read (default: cpu-memory-0, else memory).")
    var addressSpace: String?

    @Option(
        name: .long,
        help:
            "Compare one initiator's view: units placed as that initiator sees them (not seen: not placed); against a running system, the map's view (default there: the map's first initiator)."
    )
    var initiator: String?

    @Option(
        name: .customLong("set"), help: ArgumentHelp("Compare under a switch setting, NAME=VALUE; repeatable.", valueName: "NAME=VALUE"))
    var settings: [String] = []

    func run() throws {
        let a = try side(old)
        let b = try side(new)
        let decoded = a.running != nil || b.running != nil
        let switches = try parseSwitchSettings(settings)
        let diff: MapDiff
        if decoded {
            diff = MapDiff(decoded: try spans(a, switches), try spans(b, switches))
        } else if initiator != nil || !switches.isEmpty {
            diff = MapDiff(
                try Router(map: a.map, initiator: initiator, switches: switches),
                try Router(map: b.map, initiator: initiator, switches: switches))
        } else {
            diff = MapDiff(ResolvedMap(a.map), ResolvedMap(b.map))
        }
        if json {
            print(diff.json.pretty)
        } else if !diff.changes.isEmpty {
            let mark = decoded ? " (as decoded)" : ""
            print(diff.text(old: old + mark, new: new + mark), terminator: "")
        }
        if !diff.changes.isEmpty { throw ExitCode(1) }
    }

    /// One side: a map or device tree, or a running system's text.
    func side(_ path: String) throws -> (map: AddressMap, running: RunningSystemText?) {
        let input = try readInput(path, addressSpace: addressSpace)
        for w in input.warnings { printError(w.description) }
        return (input.map, input.running)
    }

    /// What one side decodes: the top-level resources of /proc/iomem, else the flat view.
    func spans(_ side: (map: AddressMap, running: RunningSystemText?), _ switches: [String: String]) throws -> [MapDiff.Unit] {
        if side.running == .procIOMem { return MapDiff.topLevelSpans(ResolvedMap(side.map)) }
        guard side.running == nil else { return MapDiff.decodedSpans(try Router(map: side.map)) }
        return MapDiff.decodedSpans(try Router(map: side.map, initiator: initiator ?? side.map.defaultInitiator, switches: switches))
    }
}
