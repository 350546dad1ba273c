import ArgumentParser
import SoCMap
import SoCMapViews

/// `socmap diff A B`
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two maps or device trees as address maps: units added, removed, renamed, moved, resized, changed.",
        discussion: """
            A and B are YAML/JSON maps, DTBs or DTS in any combination. Units are matched by path, then by place and \\
            kind; places are host-physical (Linux's rules for device trees). Exit status: 0 the same, 1 different, \\
            2 bad input.
            """
    )

    @Argument(help: "The old map or device tree.")
    var old: String

    @Argument(help: "The new map or device tree.")
    var new: String

    @Flag(name: .long, help: "Print the changes as a JSON array.")
    var json = false

    func run() throws {
        let diff = MapDiff(ResolvedMap(try loadAnyMap(old)), ResolvedMap(try loadAnyMap(new)))
        if json {
            print(diff.json.pretty)
        } else if !diff.changes.isEmpty {
            print(diff.text(old: old, new: new), terminator: "")
        }
        if !diff.changes.isEmpty { throw ExitCode(1) }
    }
}
