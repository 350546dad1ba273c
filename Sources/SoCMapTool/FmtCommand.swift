import ArgumentParser
import SoCMap
import SoCMapFile

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `socmap fmt MAP`
struct FmtCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmt",
        abstract: "Rewrite a map in canonical form, in place (comments are kept).",
        discussion: "With --check, exit 1 when the file is not in canonical form and change nothing."
    )

    @Argument(help: "The map file (YAML or JSON).")
    var map: String

    @Flag(name: .long, help: "Only report whether the file is canonical (exit 1 if not).")
    var check = false

    @Flag(name: .long, help: "Print the canonical form instead of rewriting the file.")
    var stdout = false

    func run() throws {
        let file = try MapFile.load(path: map, layout: true)
        let canonical = MapWriter.format(file)
        // The canonical text must read back as the same map; never write one that does not.
        let reread = try MapFile.parse(canonical, file: map)
        guard reread.map.withoutLocations() == file.map.withoutLocations() else {
            throw ToolError("fmt: internal error: the canonical form of \(map) does not read back as the same map; file left unchanged")
        }
        if check {
            if canonical != file.text {
                print("\(map): not in canonical form")
                throw ExitCode(1)
            }
            return
        }
        if stdout {
            print(canonical, terminator: "")
            return
        }
        if canonical != file.text { try writeAtomically(Data(canonical.utf8), to: map) }
    }
}
