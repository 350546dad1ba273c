import ArgumentParser
import SoCMap

/// `socmap check MAP`
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a map's layout; print located diagnostics.",
        discussion: "Exits 1 when a check reports an error, 2 when the map cannot be read."
    )

    @Argument(help: "The map: a YAML or JSON map file, or a device tree (.dtb, .dts).")
    var map: String?

    @Flag(name: .long, help: "Print findings as a JSON array.")
    var json = false

    @Flag(name: .long, help: "List every check with its id, severity and doc, and exit.")
    var list = false

    func validate() throws {
        if !list && map == nil { throw ValidationError("give a MAP to check (or --list)") }
    }

    func run() throws {
        let engine = CheckEngine()
        if list {
            let width = engine.checks.map(\.id.count).max() ?? 0
            for check in engine.checks {
                print(check.id.padding(to: width) + "  " + check.severity.rawValue.padding(to: 7) + "  " + check.doc)
            }
            return
        }
        let loaded = try loadAnyMap(map!)
        let diagnostics = engine.run(on: loaded)
        if json {
            print(JSON.array(diagnostics.map(\.json)).pretty)
        } else {
            for d in diagnostics { print(d.description) }
            let errors = diagnostics.filter { $0.severity == .error }.count
            let warnings = diagnostics.filter { $0.severity == .warning }.count
            if !diagnostics.isEmpty { print("\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")") }
        }
        if diagnostics.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
    }
}

extension String {
    func padding(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

extension Diagnostic {
    /// The diagnostic as a JSON object (documented in docs/json.md).
    var json: JSON {
        var pairs: [(String, JSON)] = [("severity", .string(severity.rawValue)), ("check", .string(checkID)), ("message", .string(message))]
        if let location {
            pairs += [("file", .string(location.file)), ("line", .int(location.line)), ("column", .int(location.column))]
        }
        if let path { pairs.append(("path", .string(path))) }
        if let view { pairs.append(("view", .string(view))) }
        return .object(pairs)
    }
}
