import ArgumentParser
import Foundation
import SoCMap

/// `socmap`: decode, show, check and format SoC physical address maps.
@main
struct SocMapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "socmap",
        abstract: "Physical address maps of SoCs: who decodes an address, views, checks.",
        discussion: """
            MAP is a YAML or JSON map file (see docs/map-format.md). Addresses accept 0x8000_0000, \
            0x80000000, decimal and size suffixes (64K, 1G). Exit status: 0 success, 1 findings \
            (check errors, unassigned addresses), 2 bad usage or bad input.
            """,
        subcommands: [DecodeCommand.self, ShowCommand.self, CheckCommand.self, ExportCommand.self, ImportCommand.self, GuestCommand.self, FmtCommand.self]
    )

    /// Runs the tool with socmap's exit statuses: usage errors exit 2, not 64.
    static func main() {
        do {
            // Start-up fast paths for the forms scripts call in loops, `socmap decode MAP
            // ADDRESS...` with no option and `socmap import|export FILE -o OUT`: building the
            // argument parser's command tree costs a few milliseconds of type-metadata lookups.
            // Anything else goes through the parser.
            let arguments = Array(CommandLine.arguments.dropFirst())
            if arguments.count >= 3, arguments[0] == "decode", !arguments.dropFirst().contains(where: { $0.hasPrefix("-") }) {
                try DecodeCommand.decode(view: PlainViewRequest(map: arguments[1], initiator: nil, domain: nil), addresses: Array(arguments[2...]), json: false)
                return
            }
            if arguments.count == 4, arguments[2] == "-o" || arguments[2] == "--output", !arguments[1].hasPrefix("-"), !arguments[3].hasPrefix("-") || arguments[3] == "-" {
                switch arguments[0] {
                case "import":
                    try ImportCommand.importTree(arguments[1], to: arguments[3])
                    return
                case "export":
                    try ExportCommand.export(view: PlainViewRequest(map: arguments[1], initiator: nil, domain: nil), to: arguments[3])
                    return
                default: break
                }
            }
            var command = try parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let error as ToolError {
            printError(error.description)
            Foundation.exit(2)
        } catch let error as MapInputError {
            printError(error.description)
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            printError(fullMessage(for: error))
            Foundation.exit(2)
        }
    }
}

/// Writes one message to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}
