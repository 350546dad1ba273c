import ArgumentParser
import SoCMap
import SoCMapFile
import Foundation

/// `socmap fmt MAP`
struct FmtCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fmt", abstract: "Rewrite a map in canonical form.")
    @Argument(help: "The map file.") var map: String
    func run() throws { throw ToolError("fmt: not yet") }
}
