import ArgumentParser

// The least a swift-argument-parser command line costs: socmap's shape (a root command with
// subcommands; `import` takes files and -o) parsed, nothing done.

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import")
    @Argument var deviceTrees: [String]
    @Option(name: .shortAndLong) var output: String = "-"
    func run() {}
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check")
    @Argument var maps: [String] = []
    @Flag var json = false
    func run() {}
}

@main
struct Floor: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "argument-parser-floor", subcommands: [Import.self, Check.self])
}
