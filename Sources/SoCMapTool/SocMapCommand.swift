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
        subcommands: [
            DecodeCommand.self, ShowCommand.self, CheckCommand.self, ExportCommand.self, ImportCommand.self, GuestCommand.self,
            FmtCommand.self, DiffCommand.self,
        ]
    )

    /// Runs the tool with socmap's exit statuses: usage errors exit 2, not 64.
    static func main() {
        do {
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
        } catch let error as RouterError {
            // A broken map prints its located diagnostics; a bad request one line.
            if case .unroutableMap = error { printError(error.description) } else { printError("error: \(error)") }
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

/// Writes what `print` has buffered, so that standard output and standard error interleave
/// in the order things happened.
func flushStandardOutput() { fflush(nil) }

/// Writes one message to standard error.
func printError(_ text: String) {
    flushStandardOutput()
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}
